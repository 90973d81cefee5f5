"""One commitment card as Word content: the OGP two-column table (label | content).

Rows follow the template's field order and labels, so a field added to the template shows up
with no code change. Each field type has a writer in FIELD_WRITERS; tables become nested tables
with a header row, partners are grouped by kind, choices show their label.

A review copy (threads given) also carries the card's comment threads as Word comments: the
writers cut runs where comment ranges begin and end (exports/review_anchors.py) and the threads
whose text is gone are listed after the card (exports/docx_comments.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections.abc import Callable

import schemas

from . import i18n, values
from .docx_comments import add_comments, check_threads, write_detached
from .docx_rich import write_rich_text
from .docx_setup import TEXT_WIDTH, Body, header_footer, new_document, to_bytes
from .docx_widths import fitted_widths, table_cells
from .docx_xml import SMALL
from .errors import ExportError, PlanError, UnknownFieldTypeError
from .plan import EMPTY, SIGNOFF_COLUMNS, check_signoffs, signoff_cells, signoff_state, sort_signoffs
from .review_anchors import CardReview

if TYPE_CHECKING:
    from lxml import etree

    from .docx_xml import Writer
    from .review_anchors import Marks

LABEL_WIDTH = 2600
CONTENT_WIDTH = TEXT_WIDTH - LABEL_WIDTH
# Left plus right cell margins of the "Table Grid" style, taken off a nested table's width.
CELL_MARGINS = 216
LABEL_SHADE = "E8EEF6"
HEADER_SHADE = "F2F2F2"
TICK = "☑"
STALE_COLOR = "C00000"
# Sign-off annex columns (SIGNOFF_COLUMNS): party, name, role, organisation, decision, date,
# hash, current, spanning the text width, in 8 pt with narrow cell margins (SIGNOFF_MARGIN on
# each side). Sized so that the longest single words of the labels ("environnemental",
# "gouvernemental", "antérieure") and the hash's 12 monospace characters (58 pt) stay whole,
# even in Noto Sans, wider than Arial, where Arial is not installed.
SIGNOFF_MARGIN = 57
SIGNOFF_WIDTHS = (1250, 1150, 1400, 1450, 1000, 1000, 1300, TEXT_WIDTH - 8550)
# Left-to-right isolate: the hash reads left to right whatever surrounds it.
LRI, PDI = "\u2066", "\u2069"
_COLUMN_WEIGHT = {"month": 1.45, "date": 1.7, "choice": 1.6, "text": 2.0}


def _lines(writer: Writer, cell: etree._Element, text: str, marks: Marks | None, bold: bool = False,
           size: tuple[int, int] | None = None) -> None:
    # A multi-line text keeps its lines as paragraphs; the Word import joins them back. Each
    # line starts one past the end of the one before in the anchor text (the "\n").
    offset = 0
    for line in text.split("\n"):
        writer.text_paragraph(cell, line, bold=bold, marks=marks, offset=offset, size=size)
        offset += len(line) + 1


def _scalar(writer: Writer, cell: etree._Element, field: dict[str, Any], value: Any, lang: str,
            review: CardReview | None) -> None:
    marks = review.value_marks(field["id"]) if review is not None else None
    _lines(writer, cell, values.scalar_text(field, value, lang), marks)


def _rich(writer: Writer, cell: etree._Element, field: dict[str, Any], value: Any, lang: str,
          review: CardReview | None) -> None:
    write_rich_text(writer, cell, value, review.value_marks(field["id"]) if review is not None else None)


def _multi_choice(writer: Writer, cell: etree._Element, field: dict[str, Any], value: Any, lang: str,
                  review: CardReview | None) -> None:
    ticked = values.selected_options(field, value)
    if not ticked:
        writer.paragraph(cell, writer.style.rtl)
    for option, justification in ticked:
        writer.text_paragraph(cell, f"{TICK} {schemas.label(option, lang)}", bold=True, keep_next=True)
        for line in justification.split("\n") if justification else []:
            writer.text_paragraph(cell, line)


def column_widths(columns: list[dict[str, Any]], total: int) -> list[int]:
    weights = [_COLUMN_WEIGHT.get(c["type"], 2.0) for c in columns]
    widths = [int(total * wgt / sum(weights)) for wgt in weights]
    widths[-1] += total - sum(widths)
    return widths


def write_table(writer: Writer, parent: etree._Element, field: dict[str, Any], rows: Any, lang: str,
                width: int, review: CardReview | None = None) -> None:
    """A table field as a table with a header row of column labels.

    When the first column is a choice (partners' kind), rows are grouped by it and the choice
    cell is merged down its group, so each kind appears once. Column widths fit the content
    (exports/docx_widths.py): an e-mail address, web address or phone number never breaks, and
    no word does where there is room; a table whose contact details do not fit otherwise is set
    in the small size.
    """
    columns = field["columns"]
    kept = values.table_rows(field, rows)
    grouped = bool(columns) and columns[0]["type"] == "choice"
    header = [schemas.label(column, lang) for column in columns]
    texts = [[values.cell_text(column, row, lang) for column in columns] for row in kept]
    style = writer.style
    widths, size = fitted_widths(column_widths(columns, width), table_cells(columns, header, texts, grouped),
                                 width, (style.size, style.cs_size), SMALL)
    tbl = writer.table(parent, widths)
    tr = writer.row(tbl, header=True)
    for label, col_width in zip(header, widths):
        tc = writer.cell(tr, col_width, shade=HEADER_SHADE)
        writer.text_paragraph(tc, label, bold=True, size=size)
    for index, row in enumerate(kept):
        tr = writer.row(tbl)
        for position, (column, col_width) in enumerate(zip(columns, widths)):
            merge = None
            if grouped and position == 0:
                same_before = index > 0 and kept[index - 1].get(column["id"]) == row.get(column["id"])
                same_after = index + 1 < len(kept) and kept[index + 1].get(column["id"]) == row.get(column["id"])
                merge = "continue" if same_before else ("restart" if same_after else None)
            tc = writer.cell(tr, col_width, vmerge=merge)
            text = "" if merge == "continue" else texts[index][position]
            marks = review.cell_marks(field["id"], row.get("id"), column["id"]) if review is not None else None
            _lines(writer, tc, text, marks, bold=grouped and position == 0, size=size)
        if review is not None:
            review.wrote_row(field["id"], row.get("id"), tr)


def _table(writer: Writer, cell: etree._Element, field: dict[str, Any], value: Any, lang: str,
           review: CardReview | None) -> None:
    write_table(writer, cell, field, value, lang, CONTENT_WIDTH - CELL_MARGINS, review)


FIELD_WRITERS: dict[str, Callable[[Writer, Any, dict[str, Any], Any, str, CardReview | None], None]] = {
    "text": _scalar,
    "rich_text": _rich,
    "table": _table,
    "multi_choice": _multi_choice,
    "choice": _scalar,
    "month": _scalar,
    "date": _scalar,
    "organisation": _scalar,
}


def write_card(writer: Writer, parent: etree._Element, template: dict[str, Any], content: dict[str, Any],
               lang: str, review: CardReview | None = None, level: int = 1) -> None:
    """Append the card's two-column table to `parent`.

    Args:
        review: in a review copy, the card's threads (its title already written and noted);
            they are anchored as the card is written, and those whose text is gone are listed
            after the table under a heading one level below `level`, the card's own.

    Raises:
        UnknownFieldTypeError: for a template field type no writer lays out.
        UnknownNodeError: for rich text the exporter does not know.
    """
    tbl = writer.table(parent, [LABEL_WIDTH, CONTENT_WIDTH])
    for field, value in values.iter_fields(template, content):
        field_writer = FIELD_WRITERS.get(field["type"])
        if field_writer is None:
            raise UnknownFieldTypeError(field["type"], field["id"])
        tr = writer.row(tbl)
        label_cell = writer.cell(tr, LABEL_WIDTH, shade=LABEL_SHADE)
        label = writer.text_paragraph(label_cell, schemas.label(field, lang), bold=True)
        if review is not None:
            review.wrote_label(field["id"], label)
        cell = writer.cell(tr, CONTENT_WIDTH)
        field_writer(writer, cell, field, value, lang, review)
        writer.close_cell(cell)
    if review is not None:
        review.finish()
        write_detached(writer, parent, template, review.detached, lang, level + 1)


def write_signoffs(writer: Writer, parent: etree._Element, groups: list[tuple[str | None, list[dict[str, Any]]]],
                   lang: str) -> None:
    """The sign-off table: a header row, then per group its heading row (if any) and its sign-offs.

    Args:
        groups: (heading, sign-offs) pairs; a plan gives one per card with the card's heading,
            a card one pair with heading None. No sign-off at all writes the "no sign-offs yet"
            sentence instead of a table.

    The hash cell holds the first 12 characters in a left-to-right run isolated by
    LRI…PDI, in a paragraph of the document's direction; a sign-off of an earlier version of
    the card says so in bold red, one whose freshness is not known says "not checked".
    """
    if not any(entries for _, entries in groups):
        writer.text_paragraph(parent, i18n.text("no_signoffs", lang))
        return
    writer.text_paragraph(parent, i18n.text("signoff_note", lang), size=SMALL)
    tbl = writer.table(parent, list(SIGNOFF_WIDTHS), cell_margin=SIGNOFF_MARGIN)
    tr = writer.row(tbl, header=True)
    for column, width in zip(SIGNOFF_COLUMNS, SIGNOFF_WIDTHS):
        writer.text_paragraph(writer.cell(tr, width, shade=HEADER_SHADE), i18n.text(f"signoff_{column}", lang),
                              bold=True, size=SMALL)
    for heading, entries in groups:
        if not entries:
            continue
        if heading is not None:
            tc = writer.cell(writer.row(tbl), TEXT_WIDTH, span=len(SIGNOFF_COLUMNS), shade=LABEL_SHADE)
            writer.text_paragraph(tc, heading, bold=True, keep_next=True)
        for signoff in entries:
            tr = writer.row(tbl)
            cells = signoff_cells(signoff, lang)
            stale = signoff_state(signoff) == "stale"
            for column, width in zip(SIGNOFF_COLUMNS, SIGNOFF_WIDTHS):
                tc = writer.cell(tr, width)
                text = cells[column]
                if column == "hash" and text:
                    p = writer.paragraph(tc, writer.style.rtl)
                    writer.runs(p, f"{LRI}{text}{PDI}", False, mono=True, size=SMALL)
                elif column == "current":
                    writer.text_paragraph(tc, text, size=SMALL, bold=stale,
                                          color=STALE_COLOR if stale else None)
                else:
                    writer.text_paragraph(tc, text or EMPTY, size=SMALL)


def card_signoffs(signoffs: Any) -> list[dict[str, Any]]:
    """A card export's sign-offs, checked (card_number may be left out) and ordered by date.

    Raises:
        ExportError: naming the entry and key of the wrong shape.
    """
    try:
        check_signoffs(signoffs, "signoffs", card_number=False)
    except PlanError as error:  # not a plan: the server answers not_exportable, not plan_not_exportable
        raise ExportError(f"{error.path}: {error.message}") from None
    return sort_signoffs(signoffs)


def card_docx(template: dict[str, Any], content: dict[str, Any], lang: str,
              threads: list[dict[str, Any]] | None = None, *,
              signoffs: list[dict[str, Any]] | None = None) -> bytes:
    """One card as a Word document: a heading, then the card table.

    Args:
        template: the card template (schemas.load_template()).
        content: the card's canonical content.
        lang: "ar" (right to left), "fr" or "en".
        threads: None for the Council copy, which holds no comment at all; the card's comment
            threads (the API's shape, docs/exports.md) for a review copy.
        signoffs: None for no annex; a list (possibly empty) of the card's sign-offs, shaped
            as exports/plan.py documents them, for a "Sign-offs" section after the card.

    Returns:
        The .docx file's bytes.

    Raises:
        ExportError: for an unsupported language, content or sign-offs of the wrong shape (its
            subclasses UnknownNodeError, UnknownFieldTypeError name the offending part).
    """
    i18n.check_lang(lang)
    values.check_content(template, content)
    annex = card_signoffs(signoffs) if signoffs is not None else None
    review = None
    if threads is not None:
        check_threads(threads, "threads")
        review = CardReview(template, content, threads)
    document, writer = new_document(lang)
    template_title = template["title"].get(lang) or template["title"]["en"]
    heading = values.card_heading(content, lang) or template_title
    with Body(document) as body:
        title = writer.text_paragraph(body, heading, style_id="Heading1")
        if review is not None:
            review.wrote_title(title)
        write_card(writer, body, template, content, lang, review)
        if annex is not None:
            writer.text_paragraph(body, i18n.text("signoffs_heading", lang), style_id="Heading2")
            write_signoffs(writer, body, [(None, annex)], lang)
    if review is not None:
        add_comments(document, writer, review.anchors, lang)
    header_footer(document, writer, template_title)
    document.core_properties.title = heading
    document.core_properties.language = writer.style.word_lang
    return to_bytes(document)
