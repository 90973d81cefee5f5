"""A review copy's comments: each anchored thread as a native Word comment with its replies,
and the threads that lost their text listed after the card.

The comments themselves are python-docx's: `Document.add_comment` makes the comments part, each
w:comment with its id, author and initials, and the range markers and reference run around the
runs the thread covers. python-docx 1.2 knows nothing of replies or of "done", so the
commentsExtended part (one w15:commentEx per comment: its paragraph id, the paragraph id of its
thread's first comment, and done="1" for a resolved thread) is written here, as Word writes it;
it points at comments through the w14:paraId of each comment's last paragraph. The optional
commentsIds and commentsExtensible parts of recent Word versions are left out: Word and
LibreOffice read threads and their state without them.

Comment text is written with the bidi-aware Writer, so an Arabic comment's paragraphs carry
w:bidi and its Arabic runs w:rtl, like the body's.
"""
from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import schemas
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.text.run import Run
from lxml import etree

from . import i18n
from .comment_text import plain_text
from .docx_xml import W_NS, Writer, clean, w
from .errors import ExportError

if TYPE_CHECKING:
    from docx.document import Document

    from .review_anchors import Anchor

W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
EXTENDED_RT = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
EXTENDED_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
PARA_ID = f"{{{W14_NS}}}paraId"
COMMENT_SIZE = (18, 20)
REPLY_INDENT = 360
# First-strong isolate … pop directional isolate: a name keeps its own direction inside a line
# of the other, and the punctuation next to it stays where it was typed.
FSI, PDI = "\u2068", "\u2069"
_COMMENT_STYLES = f"""
<w:styles xmlns:w="{W_NS}">
  <w:style w:type="paragraph" w:styleId="CommentText"><w:name w:val="annotation text"/>
    <w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:pPr><w:spacing w:after="60"/></w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>
  <w:style w:type="character" w:styleId="CommentReference"><w:name w:val="annotation reference"/>
    <w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>
</w:styles>
"""
_ARTICLE = "ال"


def isolate(name: str) -> str:
    return f"{FSI}{name}{PDI}" if name else name


def initials(name: str) -> str:
    """"SB" for "Salma Bennani", "سع" for "سعاد العلمي": first letters of the first and last words.

    The Arabic article is skipped, as people write initials of Arabic names.
    """
    words = [word for word in name.split() if word[:1].isalpha()]
    picked = words[:1] + words[1:][-1:]
    letters = []
    for word in picked:
        if word.startswith(_ARTICLE) and len(word) > len(_ARTICLE) + 1:
            word = word[len(_ARTICLE):]
        letters.append(word[0].upper())
    return "".join(letters)


def author_name(entry: dict[str, Any]) -> str:
    author = entry.get("author")
    return clean(str(author.get("name") or "")).strip() if isinstance(author, dict) else ""


def body_text(entry: dict[str, Any], lang: str) -> str:
    """A comment's text as the review copy shows it: its Markdown as plain text, or "deleted"."""
    if entry.get("deleted"):
        return i18n.text("comment_deleted", lang)
    if isinstance(entry.get("text"), str):  # the server's own plain text: mentions by real name
        return entry["text"]
    return plain_text(str(entry.get("body") or ""))


def word_date(value: Any) -> str | None:
    """An API timestamp ("2026-11-30T10:00:00Z") as w:date wants it, in UTC; None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value: Any) -> str:
    stamp = word_date(value)
    return stamp[:10] if stamp else ""


# -- native comments ------------------------------------------------------------------------------

def _add_styles(document: Document) -> None:
    root = document.styles.element
    present = {s.get(w("styleId")) for s in root.iter(w("style"))}
    for style in etree.fromstring(_COMMENT_STYLES):
        if style.get(w("styleId")) not in present:
            root.append(style)


def _reference_run(after: etree._Element, comment_id: int) -> etree._Element:
    """The run holding the w:commentReference of `comment_id`, which python-docx puts after `after`."""
    for sibling in after.itersiblings():
        reference = sibling.find(w("commentReference"))
        if reference is not None and reference.get(w("id")) == str(comment_id):
            return sibling
    raise RuntimeError(f"comment {comment_id} has no reference run")  # python-docx always writes one


def _write_text(notes: Writer, comment: etree._Element, text: str) -> etree._Element:
    """Fill a new w:comment with `text`, one paragraph per line; returns the last paragraph."""
    made = comment.find(w("p"))
    mark = made.find(w("r"))  # the annotation mark python-docx starts the comment with
    comment.remove(made)
    p = None
    for index, line in enumerate(text.split("\n")):
        rtl = notes.is_rtl(line)
        p = notes.paragraph(comment, rtl, style_id="CommentText")
        if index == 0 and mark is not None:
            p.append(mark)
        notes.runs(p, line, rtl, size=COMMENT_SIZE)
    return p


def _extended_part(document: Document, entries: list[tuple[str, str | None, bool]]) -> None:
    root = etree.Element(f"{{{W15_NS}}}commentsEx", nsmap={"w15": W15_NS})
    for para_id, parent_id, done in entries:
        entry = etree.SubElement(root, f"{{{W15_NS}}}commentEx")
        entry.set(f"{{{W15_NS}}}paraId", para_id)
        if parent_id is not None:
            entry.set(f"{{{W15_NS}}}paraIdParent", parent_id)
        entry.set(f"{{{W15_NS}}}done", "1" if done else "0")
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    part = Part(PackURI("/word/commentsExtended.xml"), EXTENDED_CT, blob, document.part.package)
    document.part.relate_to(part, EXTENDED_RT)


def add_comments(document: Document, writer: Writer, anchors: list[Anchor], lang: str) -> None:
    """Add one Word comment per anchored thread, its further comments as replies.

    Args:
        document: the document the anchors' runs are in (its main part).
        writer: the body's writer (for the document's language and fonts).
        anchors: threads with their first and last runs (review_anchors.CardReview.finish).
        lang: the document's language (the word for a deleted comment).
    """
    if not anchors:
        return
    _add_styles(document)
    # Comment text has no links, so this writer never needs the comments part's relationships.
    notes = Writer(writer.style, part=None)
    para_ids = itertools.count(1)
    extended: list[tuple[str, str | None, bool]] = []
    root = None
    for anchor in anchors:
        thread = anchor.thread
        resolved = thread.get("status") == "resolved"
        entries = [c for c in thread.get("comments") or [] if isinstance(c, dict)] or [{}]
        first, last = Run(anchor.first, document), anchor.last
        parent_id = None
        for entry in entries:
            name = author_name(entry)
            comment = document.add_comment([first, Run(last, document)], text="", author=name,
                                           initials=initials(name))
            if root is None:
                root = document.part.part_related_by(RT.COMMENTS).element
            element = root.find(f"{w('comment')}[@{w('id')}='{comment.comment_id}']")
            stamp = word_date(entry.get("created_at"))
            if stamp:
                element.set(w("date"), stamp)
            else:
                element.attrib.pop(w("date"), None)
            para_id = f"{next(para_ids):08X}"
            _write_text(notes, element, body_text(entry, lang)).set(PARA_ID, para_id)
            extended.append((para_id, parent_id, resolved))
            parent_id = parent_id or para_id
            # A reply's range ends after the comment before it, as Word writes threads, so
            # every reader lists a thread's comments in order.
            last = _reference_run(last, comment.comment_id)
    root.set(f"{{{MC_NS}}}Ignorable", "w14")
    _extended_part(document, extended)


# -- threads whose text is gone -------------------------------------------------------------------

def _where(template: dict[str, Any], thread: dict[str, Any], lang: str) -> str:
    field = next((f for f in template["fields"] if f["id"] == thread.get("field")), None)
    return schemas.label(field, lang) if field is not None else i18n.text("whole_card", lang)


def write_detached(writer: Writer, parent: etree._Element, template: dict[str, Any],
                   threads: list[dict[str, Any]], lang: str, level: int) -> None:
    """List `threads` under a heading: where each was, what it quoted, its comments in order."""
    if not threads:
        return
    writer.text_paragraph(parent, i18n.text("comments_detached", lang), style_id=f"Heading{level}", keep_next=True)
    for thread in threads:
        colon = i18n.text("colon", lang)
        quote = i18n.text("quoted", lang, quote=str(thread.get("quote") or ""))
        line = f"{_where(template, thread, lang)}{colon}{quote}"
        if thread.get("status") == "resolved":
            line += f" — {i18n.text('comment_resolved', lang)}"
        writer.text_paragraph(parent, line, bold=True, keep_next=True)
        for index, entry in enumerate(c for c in thread.get("comments") or [] if isinstance(c, dict)):
            text = body_text(entry, lang)
            rtl = writer.is_rtl(text)
            indent = REPLY_INDENT * (2 if index else 1)
            p = writer.paragraph(parent, rtl, indent=indent, spacing_after=40)
            writer.runs(p, isolate(author_name(entry)), rtl, bold=True)
            day = _day(entry.get("created_at"))
            lines = text.split("\n")
            writer.runs(p, f"{f' ({day})' if day else ''}{colon}{lines[0]}", rtl)
            for more in lines[1:]:
                writer.text_paragraph(parent, more, indent=indent, spacing_after=40)


def check_threads(threads: Any, what: str) -> None:
    """Raise ExportError unless `threads` is a list of thread dicts."""
    if not isinstance(threads, list) or not all(isinstance(t, dict) for t in threads):
        raise ExportError(f"{what} must be a list of comment threads (dicts)")

