"""The whole plan as the Word document sent to the Government Council.

Order: cover, table of contents, summary table of commitments by axis, the cards grouped by
axis (Heading 1 per axis, Heading 2 per card), and the sign-off annex. Headings carry bookmarks
that the table of contents links to. A review copy also carries each card's comment threads, as
the card export does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import schemas

from . import i18n, values
from .docx_card import HEADER_SHADE, LABEL_SHADE, write_card, write_signoffs
from .docx_comments import add_comments, check_threads
from .docx_setup import TEXT_WIDTH, Body, header_footer, new_document, to_bytes
from .errors import ExportError
from .plan import axis_heading, check_plan, grouped_cards, signoff_groups
from .review_anchors import Anchor, CardReview

if TYPE_CHECKING:
    from lxml import etree

    from .docx_xml import Writer

TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\z \\u'
DRAFT_COLOR = "C00000"
SUMMARY_WIDTHS = (1300, 5000, TEXT_WIDTH - 6300)


@dataclass
class Heading:
    """An entry of the outline: written once as a heading and once in the table of contents."""

    level: int
    text: str
    bookmark: str


def _heading(writer: Writer, body: etree._Element, heading: Heading, page_break: bool = False) -> etree._Element:
    p = writer.text_paragraph(body, heading.text, style_id=f"Heading{heading.level}",
                              page_break_before=page_break)
    writer.bookmark(p, heading.bookmark)
    return p


def _cover(writer: Writer, body: etree._Element, plan: dict[str, Any], lang: str) -> None:
    centre = {"align": "center"}
    writer.text_paragraph(body, i18n.text("kingdom", lang), bold=True, size=(32, 36), **centre)
    writer.text_paragraph(body, i18n.localized(plan["ministry"], lang), bold=True, size=(26, 30), **centre)
    for _ in range(6):
        writer.paragraph(body, writer.style.rtl)
    writer.text_paragraph(body, i18n.localized(plan["title"], lang), style_id="Title", **centre)
    period = plan["period"]
    writer.text_paragraph(body, i18n.text("period", lang, start=period["start"], end=period["end"]),
                          size=(26, 30), **centre)
    writer.text_paragraph(body, i18n.text("date", lang, date=plan["date"]), size=(24, 28), **centre)
    if not plan["final"]:
        writer.paragraph(body, writer.style.rtl)
        writer.text_paragraph(body, i18n.text("draft", lang), bold=True, size=(36, 40), color=DRAFT_COLOR,
                              **centre)
    writer.line_break(writer.paragraph(body, writer.style.rtl), page=True)


def _contents(writer: Writer, body: etree._Element, outline: list[Heading], lang: str) -> None:
    """A real TOC field, marked dirty, with the entries already written as its last result.

    Word recomputes the field on opening (updateFields in settings), adding page numbers.
    LibreOffice shows a field's last result as it is and does not recompute it on loading, so
    the entries are written here, each a link to its heading's bookmark, for the PDF to list
    them too.
    """
    writer.text_paragraph(body, i18n.text("contents", lang), style_id="TOCHeading")
    for index, entry in enumerate(outline):
        rtl = writer.is_rtl(entry.text)
        p = writer.paragraph(body, rtl, style_id=f"TOC{entry.level}")
        if index == 0:
            writer.field_begin(p, TOC_INSTRUCTION, dirty=True)
        writer.runs(writer.internal_link(p, entry.bookmark), entry.text, rtl)
        if index == len(outline) - 1:
            writer.field_end(p)


def _summary(writer: Writer, body: etree._Element, template: dict[str, Any],
             groups: list[tuple[dict[str, Any], list[dict[str, Any]]]], heading: Heading, lang: str) -> None:
    fields = schemas.field_map(template)
    _heading(writer, body, heading, page_break=True)
    tbl = writer.table(body, list(SUMMARY_WIDTHS))
    tr = writer.row(tbl, header=True)
    for field_id, width in zip(("number", "title", "lead"), SUMMARY_WIDTHS):
        tc = writer.cell(tr, width, shade=HEADER_SHADE)
        label = schemas.label(fields[field_id], lang) if field_id in fields else field_id
        writer.text_paragraph(tc, label, bold=True)
    for axis, cards in groups:
        tr = writer.row(tbl)
        tc = writer.cell(tr, TEXT_WIDTH, span=3, shade=LABEL_SHADE)
        writer.text_paragraph(tc, _axis_title(axis, lang), bold=True, keep_next=True)
        for card in cards:
            content = card["content"]
            tr = writer.row(tbl)
            cells = (values.card_number(content), values.card_title(content),
                     i18n.localized((content.get("card") or {}).get("lead"), lang))
            for text, width in zip(cells, SUMMARY_WIDTHS):
                writer.text_paragraph(writer.cell(tr, width), text)


def _signoffs(writer: Writer, body: etree._Element, plan: dict[str, Any], heading: Heading, lang: str) -> None:
    _heading(writer, body, heading, page_break=True)
    write_signoffs(writer, body, list(signoff_groups(plan, lang)), lang)


def _axis_title(axis: dict[str, Any], lang: str) -> str:
    return axis_heading(axis, lang)


def _card_threads(threads: dict[Any, Any], card_id: Any) -> list[dict[str, Any]]:
    # Card ids are keys as given or, after the trip through JSON to a worker, as strings.
    found = threads.get(card_id, threads.get(str(card_id), []))
    check_threads(found, f"threads[{card_id}]")
    return found


def plan_docx(template: dict[str, Any], plan: dict[str, Any], lang: str,
              threads: dict[int, list[dict[str, Any]]] | None = None) -> bytes:
    """The whole plan as one Word document.

    Args:
        template: the card template the plan pins.
        plan: the plan, shaped as exports/plan.py documents.
        lang: "ar" (right to left), "fr" or "en".
        threads: None for the Council copy, which holds no comment at all; for a review copy,
            card id → the card's comment threads (docs/exports.md). Ids may be strings.

    Returns:
        The .docx file's bytes.

    Raises:
        PlanError: when the plan does not have the documented shape.
        ExportError: for an unsupported language or card content of the wrong shape.
    """
    check_plan(template, plan, lang)
    if threads is not None and not isinstance(threads, dict):
        raise ExportError("threads must map card ids to their comment threads")
    document, writer = new_document(lang, title_page=True)
    groups = grouped_cards(plan)

    summary = Heading(1, i18n.text("summary", lang), writer.new_bookmark())
    sections: list[tuple[Heading, list[tuple[Heading, dict[str, Any]]]]] = []
    for axis, cards in groups:
        axis_heading = Heading(1, _axis_title(axis, lang), writer.new_bookmark())
        sections.append((axis_heading, [
            (Heading(2, values.card_heading(card["content"], lang), writer.new_bookmark()), card)
            for card in cards]))
    annex = Heading(1, i18n.text("annex_signoffs", lang), writer.new_bookmark())
    outline = [summary]
    for axis_heading, cards in sections:
        outline.append(axis_heading)
        outline.extend(card_heading for card_heading, _ in cards)
    outline.append(annex)

    title = i18n.localized(plan["title"], lang)
    anchors: list[Anchor] = []
    with Body(document) as body:
        _cover(writer, body, plan, lang)
        _contents(writer, body, outline, lang)
        _summary(writer, body, template, groups, summary, lang)
        for axis_heading, cards in sections:
            _heading(writer, body, axis_heading, page_break=True)
            for card_heading, card in cards:
                p = _heading(writer, body, card_heading)
                review = None
                if threads is not None:
                    review = CardReview(template, card["content"], _card_threads(threads, card["id"]))
                    review.wrote_title(p)
                if card.get("error"):
                    writer.text_paragraph(body, i18n.text("card_unreadable", lang, message=card["error"]))
                write_card(writer, body, template, card["content"], lang, review, level=card_heading.level)
                if review is not None:
                    anchors.extend(review.anchors)
        _signoffs(writer, body, plan, annex, lang)
    if threads is not None:
        add_comments(document, writer, anchors, lang)
    header = title if plan["final"] else f"{title} — {i18n.text('draft', lang)}"
    header_footer(document, writer, header)
    document.core_properties.title = title
    document.core_properties.language = writer.style.word_lang
    return to_bytes(document)
