"""Direction of text: which runs are right-to-left and which way a paragraph reads.

Arabic fields often carry French names, acronyms or whole sentences. Word lays such text out
correctly only when each run says whether it is right-to-left and each paragraph says its base
direction, so the exporters split text into runs here, the way the Unicode bidirectional
algorithm would see it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

RTL_LANGUAGES = frozenset({"ar"})
LRM = "\u200e"
# Groups of digits joined by separators: months and dates ("2024-03", "2026-11-28"), phone
# numbers ("+212 5 37 00 00 00"), "1 000 000", "12:30"; not already marked.
_NUMBER = r"\+?\d+(?:[ \-/.:]\d+)+"
_GROUPED_NUMBER = re.compile(rf"(?<![\u200e\d+]){_NUMBER}(?![\d\u200e])")
_MARKED_NUMBER = re.compile(rf"\u200e({_NUMBER})\u200e")
# Bidi control characters and marks; they carry no text and pdftotext/Word may add or drop them.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): typed into a text, an
# unclosed override would reorder whatever the document writes after it.
_EMBEDDINGS = {c: None for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def is_rtl_language(lang: str) -> bool:
    return lang in RTL_LANGUAGES


@lru_cache(maxsize=4096)
def char_class(ch: str) -> str:
    """"R" for a strong right-to-left character, "L" for a strong left-to-right one, "N" else.

    Digits and punctuation are neutral here: they take the direction of their neighbours.
    """
    kind = unicodedata.bidirectional(ch)
    if kind in ("R", "AL"):
        return "R"
    if kind == "L":
        return "L"
    return "N"


def first_strong(text: str) -> str | None:
    """"R" or "L" for the first strong character of `text`, None when there is none."""
    for ch in text:
        kind = char_class(ch)
        if kind != "N":
            return kind
    return None


def paragraph_rtl(text: str, default_rtl: bool) -> bool:
    """The base direction of a paragraph, like HTML's dir="auto".

    Args:
        text: the paragraph's visible text.
        default_rtl: the document's direction, used when the text has no strong character.

    Returns:
        True when the paragraph reads right to left.
    """
    kind = first_strong(text)
    if kind is None:
        return default_rtl
    return kind == "R"


def keep_numbers_ltr(text: str) -> str:
    """Put left-to-right marks around numbers made of several digit groups.

    In a right-to-left paragraph the bidirectional algorithm treats digits after Arabic letters
    as Arabic numbers and lays the groups out right to left: "2024-03" shows as "03-2024" and
    "+212 5 37" as "37 5 212+". The marks keep them reading as written.
    """
    return _GROUPED_NUMBER.sub(lambda m: LRM + m.group(0) + LRM, text)


def drop_number_marks(text: str) -> str:
    """Undo `keep_numbers_ltr` (used by the Word import)."""
    return _MARKED_NUMBER.sub(r"\1", text)


# Contact details: e-mail addresses, web addresses and phone numbers. Each is one piece of
# left-to-right text that must neither break across lines nor be reordered by the text around it.
_EMAIL = re.compile(r"(?<![\w.%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_URL = re.compile(r"(?<!\w)(?:https?://|www\.)[^\s<>«»\"“”‹›]+")
_URL_TRAILING = ".,;:!?'’)]}"
# A phone number starts with + or 0 (Morocco's +212 …, 05 …, 06 …, 00212 …) and has digit
# groups joined by spaces, dots or hyphens, an optional "(0)"; counted as one from 8 digits on.
# Slashes are left out (dates), and so are dotted dates ("05.03.2024").
_SEPARATOR = r"[ \u00a0.\-\u2011]"
_PHONE = re.compile(rf"(?<![\w+.\-\u2011])(?:\+\d|0)\d*(?:{_SEPARATOR}?\(\d+\)\d*|{_SEPARATOR}\d+)+(?![\w\-\u2011])")
_DOTTED_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}")
NBSP, NB_HYPHEN = "\u00a0", "\u2011"


def contact_spans(text: str) -> list[tuple[int, int, str]]:
    """Where the e-mail addresses, web addresses and phone numbers of `text` are.

    Returns:
        (start, end, kind) triples, kind "email", "url" or "phone", in order and not
        overlapping; a web address leaves out the punctuation that ends its sentence.
    """
    spans: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in spans)

    for match in _EMAIL.finditer(text):
        spans.append((match.start(), match.end(), "email"))
    for match in _URL.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in _URL_TRAILING:
            end -= 1
        if end - match.start() > 4 and free(match.start(), end):
            spans.append((match.start(), end, "url"))
    for match in _PHONE.finditer(text):
        found = match.group(0)
        if sum(ch.isdigit() for ch in found) >= 8 and not _DOTTED_DATE.fullmatch(found) \
                and free(match.start(), match.end()):
            spans.append((match.start(), match.end(), "phone"))
    return sorted(spans)


def keep_phones_whole(text: str) -> str:
    """Phone numbers of `text` with no-break spaces (U+00A0) and no-break hyphens (U+2011)
    between their digit groups, so that no line ends inside one."""
    if not any(ch.isdigit() for ch in text):
        return text
    spans = [(s, e) for s, e, kind in contact_spans(text) if kind == "phone"]
    if not spans:
        return text
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(text[start:end].replace(" ", NBSP).replace("-", NB_HYPHEN))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def loosen_phones(text: str) -> str:
    """Undo `keep_phones_whole` (used by the Word import): plain spaces and hyphens in phone numbers."""
    if NBSP not in text and NB_HYPHEN not in text:
        return text
    out, pos = [], 0
    for start, end, kind in contact_spans(text):
        if kind == "phone":
            out.append(text[pos:start])
            out.append(text[start:end].replace(NBSP, " ").replace(NB_HYPHEN, "-"))
            pos = end
    out.append(text[pos:])
    return "".join(out)


def drop_embeddings(text: str) -> str:
    """`text` without embedding, override or isolate controls; marks (LRM, RLM, ALM) stay."""
    return text.translate(_EMBEDDINGS)


def has_rtl(text: str) -> bool:
    return any(char_class(ch) == "R" for ch in text)


def split_runs(text: str, paragraph_is_rtl: bool) -> list[tuple[str, bool]]:
    """Split `text` into (chunk, is_rtl) pieces.

    Neutral characters between two strong characters of the same direction take that
    direction; anywhere else they take the paragraph's, as the Unicode bidirectional algorithm
    resolves them (rules N1/N2). This keeps "(OGP)" inside Arabic text mirrored as a pair.

    Args:
        text: the text of one run of uniform formatting.
        paragraph_is_rtl: the base direction of the paragraph holding it.

    Returns:
        Consecutive pieces covering `text` exactly; an empty text gives no piece.
    """
    if not text:
        return []
    if not has_rtl(text):
        # The common case in French documents and for numbers: one left-to-right piece,
        # unless the paragraph is right-to-left and the text holds no strong character at all.
        if paragraph_is_rtl and first_strong(text) is None:
            return [(text, True)]
        if paragraph_is_rtl:
            return _resolve(text, paragraph_is_rtl)
        return [(text, False)]
    return _resolve(text, paragraph_is_rtl)


def _resolve(text: str, paragraph_is_rtl: bool) -> list[tuple[str, bool]]:
    classes = [char_class(ch) for ch in text]
    base = "R" if paragraph_is_rtl else "L"
    resolved = list(classes)
    i = 0
    n = len(classes)
    while i < n:
        if classes[i] != "N":
            i += 1
            continue
        j = i
        while j < n and classes[j] == "N":
            j += 1
        before = classes[i - 1] if i > 0 else base
        after = classes[j] if j < n else base
        fill = before if before == after else base
        for k in range(i, j):
            resolved[k] = fill
        i = j
    pieces: list[tuple[str, bool]] = []
    start = 0
    for k in range(1, n + 1):
        if k == n or resolved[k] != resolved[start]:
            pieces.append((text[start:k], resolved[start] == "R"))
            start = k
    return pieces
