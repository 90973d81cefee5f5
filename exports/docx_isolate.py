"""Bidi isolation of the text of the other direction in each paragraph, once the body is written.

Word and LibreOffice lay a paragraph out with the Unicode bidirectional algorithm, where digits
and punctuation take the direction of the text beside them. Without isolation, a French
paragraph "Publication du guide « دليل الشفافية » 2024" shows its closing quote and its year
inside the Arabic (the year, after Arabic letters, counts as an Arabic number), and an Arabic
paragraph citing "https://www.data.gov.ma/ar/" shows the final slash at the address's other end.

So, in a left-to-right paragraph, each stretch of right-to-left text — from its first strong
character to its last, and a number right after it — is wrapped in RLI…PDI (U+2067…U+2069);
in a right-to-left paragraph, each e-mail address, web address and phone number, whole, in
LRI…PDI (U+2066…U+2069). (Other Latin text in Arabic paragraphs lays out correctly as it is,
and left-to-right marks keep its numbers in order: bidi.keep_numbers_ltr.) Inside an isolate
the text lays out on its own; outside, it counts as one neutral character, so what surrounds
it keeps its order. The runs already say their own direction
(w:rtl), which is what Word goes by; LibreOffice goes by the characters, isolates included.
Text already isolated (a sign-off hash, names in a list of comments) is left as it is, and so
are the left-to-right marks around numbers (bidi.keep_numbers_ltr). The Word import removes
the isolates again (docx_read.clean_text).
"""
from __future__ import annotations

import re

from lxml import etree

from .bidi import char_class, contact_spans, has_rtl
from .docx_xml import VAL, w

_DIGIT = re.compile(r"\d")
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_INITIATORS = frozenset((LRI, RLI, FSI))
_MARKS = frozenset("\u200e\u200f\u061c")
# What may stand between words and the number that ends them, or inside the number.
_NUMBER_GLUE = frozenset(" \u00a0\u2011\u200e.,:/-%+")
_OFF = frozenset({"0", "false", "off"})
_T, _P, _PPR, _BIDI = w("t"), w("p"), w("pPr"), w("bidi")
# Elements that stand for a character of the paragraph's text without a w:t of their own.
_PLACEHOLDERS = frozenset({w("tab"), w("br"), w("cr"), w("noBreakHyphen"), w("softHyphen")})


def _is_rtl(p: etree._Element) -> bool:
    bidi = p.find(f"{_PPR}/{_BIDI}")
    return bidi is not None and (bidi.get(VAL) or "true").lower() not in _OFF


def _characters(p: etree._Element) -> tuple[str, list[tuple[etree._Element, int] | None]]:
    """The paragraph's text and, per character, the w:t holding it and its index there (None
    for a tab or break, which no isolate starts or ends at)."""
    text: list[str] = []
    where: list[tuple[etree._Element, int] | None] = []
    for node in p.iter(_T, *_PLACEHOLDERS):
        if node.tag == _T:
            for index, ch in enumerate(node.text or ""):
                text.append(ch)
                where.append((node, index))
        else:
            text.append(" ")
            where.append(None)
    return "".join(text), where


def _classes(text: str) -> list[str]:
    """Per character: "R", "L" or "N", with text already inside an isolate and the bidi marks
    neutral, and contact details left to right throughout."""
    inside = _inside_isolates(text)
    classes = ["N" if inside[position] or ch in _MARKS or ch in _INITIATORS or ch == PDI else char_class(ch)
               for position, ch in enumerate(text)]
    for first, last in _contacts(text):
        for position in range(first, last + 1):
            if text[position] not in _MARKS:
                classes[position] = "L"
    return classes


def _inside_isolates(text: str) -> list[bool]:
    """Per character, whether it is an isolate's control or inside one already there."""
    inside = []
    depth = 0
    for ch in text:
        if ch in _INITIATORS:
            depth += 1
        inside.append(depth > 0)
        if ch == PDI:
            depth = max(0, depth - 1)
    return inside


def _with_number(text: str, classes: list[str], last: int) -> int:
    """`last`, or the last digit of a number that follows it with only spaces or the number's own
    separators between ("publics 2", "OGP 2023"): the number belongs with the words before it,
    as the bidi algorithm would have it. A number after a quotation mark or bracket does not."""
    end = last
    for position in range(last + 1, len(text)):
        ch = text[position]
        if classes[position] != "N" or not (ch.isdigit() or ch in _NUMBER_GLUE):
            break
        if ch.isdigit():
            end = position
    return end


def _contacts(text: str) -> list[tuple[int, int]]:
    """The (first, last) positions of the contact details of `text` not already isolated."""
    inside = _inside_isolates(text)
    return [(start, end - 1) for start, end, _ in contact_spans(text) if not any(inside[start:end])]


def stretches(text: str, rtl: bool) -> list[tuple[int, int]]:
    """The (first, last) positions of each stretch of `text` to isolate.

    In a right-to-left paragraph: each e-mail address, web address and phone number. In a
    left-to-right one: each stretch of right-to-left text, its strong characters with only
    neutral ones between them, and the number right after the last one.
    """
    if rtl:
        return _contacts(text)
    classes = _classes(text)
    other, base = "R", "L"
    found: list[tuple[int, int]] = []
    first = last = None
    for position, kind in enumerate(classes):
        if kind == other:
            if first is None:
                first = position
            last = position
        elif kind == base and first is not None:
            found.append((first, _with_number(text, classes, last)))
            first = last = None
    if first is not None:
        found.append((first, _with_number(text, classes, last)))
    return found


def _may_hold_contacts(text: str) -> bool:
    return "@" in text or "http" in text or "www." in text or len(_DIGIT.findall(text)) >= 8


def isolate_paragraph(p: etree._Element) -> int:
    """Wrap each stretch of the other direction of paragraph `p` in an isolate.

    Returns:
        How many stretches were isolated.
    """
    rtl = _is_rtl(p)
    quick = "".join(node.text or "" for node in p.iter(_T))
    if not (_may_hold_contacts(quick) if rtl else has_rtl(quick)):
        return 0  # most paragraphs: nothing to isolate
    text, where = _characters(p)
    found = [(first, last) for first, last in stretches(text, rtl)
             if where[first] is not None and where[last] is not None]
    opening = LRI if rtl else RLI
    # From the end, so that an insertion never moves a position still to be used.
    edits = sorted([(last, 1, PDI) for _, last in found] + [(first, 0, opening) for first, _ in found], reverse=True)
    for position, after, control in edits:
        node, index = where[position]
        value = node.text or ""
        node.text = value[:index + after] + control + value[index + after:]
    return len(found)


def isolate_body(body: etree._Element) -> None:
    """Isolate the text of the other direction in every paragraph of `body`, table cells included."""
    for p in body.iter(_P):
        isolate_paragraph(p)
