"""The consultation report as a Word document: what the public said about the draft plan, and
what each contribution became.

Order: the title block (report title, plan title, period, consultation window, date of the
report), the table of totals, the contributions on the plan as a whole, then per axis (Heading
1) each card (Heading 2, "1.2 — title") with its counts and its contributions. A contribution
shows who wrote it, when, the field it is about, its text, then the answer with its outcome, or
"awaiting an answer".

The report is built by the service as plain data (docs/exports.md, "The consultation report").
Everything in it but the outcome ids is text people typed, so every string goes through
`_text` first: control characters, lone surrogates and bidi embeddings, overrides and isolates
dropped, so that an unclosed U+202E cannot reorder the lines the document writes after it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemas.vocabulary import clean_text

from . import i18n
from .bidi import drop_embeddings, first_strong
from .comment_text import rich_nodes
from .docx_card import HEADER_SHADE, LABEL_SHADE
from .docx_comments import isolate
from .docx_rich import write_rich_text
from .docx_setup import TEXT_WIDTH, Body, header_footer, new_document, to_bytes
from .errors import ExportError
from .plan import axis_heading

if TYPE_CHECKING:
    from lxml import etree

    from .docx_xml import Writer

OUTCOMES = tuple(i18n.OUTCOMES)
STATES = ("open", "closed", "scheduled")
COUNT_WIDTH = 1800
TOTALS_WIDTHS = (TEXT_WIDTH - COUNT_WIDTH, COUNT_WIDTH)
CONTRIBUTION_INDENT = 360
MUTED = "595959"
CENTRE = {"align": "center"}


def _text(value: Any, multiline: bool = False) -> str:
    """A string of the report as the document may show it ("" for None)."""
    if value is None:
        return ""
    return drop_embeddings(clean_text(value if isinstance(value, str) else str(value), multiline=multiline))


def _localized(names: Any, lang: str) -> str:
    return _text(i18n.localized(names, lang))


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _dict(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ExportError(f"{path} must be an object")
    return value


def _entries(value: Any, path: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ExportError(f"{path} must be a list of objects")
    return value


# -- pieces -----------------------------------------------------------------------------------

def _title(writer: Writer, body: etree._Element, report: dict[str, Any], lang: str) -> str:
    """The title block; returns the plan title for the page header."""
    plan = _dict(report.get("plan"), "plan")
    writer.text_paragraph(body, i18n.text("report_title", lang), style_id="Title", **CENTRE)
    plan_title = _localized(plan.get("title"), lang)
    if plan_title:
        writer.text_paragraph(body, plan_title, style_id="Subtitle", **CENTRE)
    period = _dict(plan.get("period"), "plan.period")
    if period:
        writer.text_paragraph(body, i18n.text("period", lang, start=_text(period.get("start")),
                                              end=_text(period.get("end"))), **CENTRE)
    consultation = _dict(report.get("consultation"), "consultation")
    if consultation:
        state = consultation.get("state")
        state_text = i18n.text(f"report_state_{state}", lang) if state in STATES else _text(state)
        line = i18n.text("report_window", lang, opens=_text(consultation.get("opens_at")),
                         closes=_text(consultation.get("closes_at")), state=state_text)
    else:
        line = i18n.text("report_no_consultation", lang)
    writer.text_paragraph(body, line, **CENTRE)
    if report.get("generated"):
        writer.text_paragraph(body, i18n.text("report_generated", lang, date=_text(report["generated"])), **CENTRE)
    return plan_title


def _totals(writer: Writer, body: etree._Element, totals: dict[str, Any], lang: str) -> None:
    writer.text_paragraph(body, i18n.text("report_summary", lang), style_id="Heading1")
    tbl = writer.table(body, list(TOTALS_WIDTHS))
    tr = writer.row(tbl, header=True)
    for key, width in zip(("report_column_item", "report_column_count"), TOTALS_WIDTHS):
        writer.text_paragraph(writer.cell(tr, width, shade=HEADER_SHADE), i18n.text(key, lang), bold=True)
    outcomes = _dict(totals.get("outcomes"), "totals.outcomes")
    rows = [(i18n.text("report_contributions", lang), _count(totals.get("contributions")), True),
            (i18n.text("report_answered", lang), _count(totals.get("answered")), True)]
    rows += [(i18n.outcome_label(outcome, lang), _count(outcomes.get(outcome)), False) for outcome in OUTCOMES]
    for label, count, bold in rows:
        tr = writer.row(tbl)
        writer.text_paragraph(writer.cell(tr, TOTALS_WIDTHS[0], shade=LABEL_SHADE if bold else None), label,
                              bold=bold)
        writer.text_paragraph(writer.cell(tr, TOTALS_WIDTHS[1]), str(count), bold=bold)


def _counts_line(card: dict[str, Any], path: str, lang: str) -> str:
    outcomes = _dict(card.get("outcomes"), f"{path}.outcomes")
    colon = i18n.text("colon", lang)
    pieces = [i18n.text("report_card_count", lang, count=_count(card.get("count")))]
    pieces += [f"{i18n.outcome_label(outcome, lang)}{colon}{_count(outcomes.get(outcome))}" for outcome in OUTCOMES]
    return " · ".join(pieces)


def _markdown(writer: Writer, body: etree._Element, markdown: Any) -> None:
    # Paragraphs, lists and links of the Markdown, as rich-text fields are written.
    write_rich_text(writer, body, rich_nodes(_text(markdown, multiline=True)))


def _contribution(writer: Writer, body: etree._Element, entry: dict[str, Any], lang: str) -> None:
    number = _text(entry.get("id"))
    heading = f"{i18n.text('report_contribution', lang, id=number)} — " if number else ""
    # The document's words decide the line's direction, not the name after them.
    rtl = writer.is_rtl(heading) if heading else writer.style.rtl

    def own(text: str) -> str:
        # A name of the other direction is isolated, so the brackets and dashes around it stay
        # where they are; one of the line's own direction needs no isolate (whose glyph
        # LibreOffice draws as a gap in Amiri).
        return isolate(text) if first_strong(text) not in (None, "R" if rtl else "L") else text

    name = _text(entry.get("name"))
    organisation = _text(entry.get("organisation"))
    who = own(name) + (f" ({own(organisation)})" if organisation else "")
    date = _text(entry.get("date"))
    p = writer.paragraph(body, rtl, keep_next=True, spacing_after=40)
    writer.runs(p, heading + who, rtl, bold=True)
    if date:
        writer.runs(p, f" — {date}", rtl, color=MUTED)
    field = _localized(entry.get("field"), lang)
    if field:
        writer.text_paragraph(body, i18n.text("report_about", lang, field=field), color=MUTED, keep_next=True,
                              spacing_after=40)
    _markdown(writer, body, entry.get("body"))

    outcome = entry.get("outcome")
    if outcome is None:
        writer.text_paragraph(body, i18n.outcome_label(None, lang), bold=True, color=MUTED)
        return
    answer_label = i18n.text("report_answer", lang)
    answered_at = _text(entry.get("answered_at"))
    line = f"{answer_label} — {i18n.outcome_label(_text(outcome), lang)}"
    if answered_at:
        line += f" ({answered_at})"
    writer.text_paragraph(body, line + i18n.text("colon", lang).rstrip(), bold=True, keep_next=True, spacing_after=40)
    _markdown(writer, body, entry.get("answer"))


def _contributions(writer: Writer, body: etree._Element, entries: list[dict[str, Any]], lang: str) -> None:
    if not entries:
        writer.text_paragraph(body, i18n.text("report_no_contribution", lang), color=MUTED)
        return
    for entry in entries:
        _contribution(writer, body, entry, lang)


def _axis(writer: Writer, body: etree._Element, axis: dict[str, Any], path: str, lang: str) -> None:
    title = {"number": _text(axis.get("number")) or None, "title": _localized(axis.get("title"), lang)}
    writer.text_paragraph(body, axis_heading(title, lang), style_id="Heading1", page_break_before=True)
    cards = _entries(axis.get("cards"), f"{path}.cards")
    if not cards:
        writer.text_paragraph(body, i18n.text("report_no_contribution", lang), color=MUTED)
    for index, card in enumerate(cards):
        where = f"{path}.cards[{index}]"
        number, card_title = _text(card.get("number")), _text(card.get("title"))
        heading = i18n.text("report_card_heading", lang, number=number, title=card_title) if number else card_title
        writer.text_paragraph(body, heading, style_id="Heading2")
        writer.text_paragraph(body, _counts_line(card, where, lang), color=MUTED)
        _contributions(writer, body, _entries(card.get("contributions"), f"{where}.contributions"), lang)


# -- the document -----------------------------------------------------------------------------

def report_docx(report: dict[str, Any], lang: str) -> bytes:
    """The consultation report as one Word document.

    Args:
        report: the report, shaped as docs/exports.md documents it ("The consultation report").
        lang: "ar" (right to left), "fr" or "en"; the report's own words, and the language
            plan and axis titles and field labels are taken in. Contributions and answers keep
            the language they were written in.

    Returns:
        The .docx file's bytes.

    Raises:
        UnsupportedLanguage: for a language other than ar, fr, en.
        ExportError: when a part of the report is not of its documented type (naming it).
    """
    i18n.check_lang(lang)
    if not isinstance(report, dict):
        raise ExportError("the report must be an object")
    document, writer = new_document(lang)
    with Body(document) as body:
        plan_title = _title(writer, body, report, lang)
        _totals(writer, body, _dict(report.get("totals"), "totals"), lang)
        writer.text_paragraph(body, i18n.text("report_plan_wide", lang), style_id="Heading1")
        _contributions(writer, body, _entries(report.get("plan_wide"), "plan_wide"), lang)
        for index, axis in enumerate(_entries(report.get("axes"), "axes")):
            _axis(writer, body, axis, f"axes[{index}]", lang)
    title = i18n.text("report_title", lang)
    header_footer(document, writer, f"{title} — {plan_title}" if plan_title else title)
    document.core_properties.title = title
    document.core_properties.language = writer.style.word_lang
    return to_bytes(document)
