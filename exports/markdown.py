"""Cards and plans as Markdown (CommonMark with GitHub pipe tables).

Headings: the plan title, then one per axis and one per card, then one per field; table fields
become pipe tables, multi-choice fields a list of the ticked options with their justification.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

import schemas

from . import i18n, values
from .errors import ExportError, PlanError, UnknownFieldTypeError
from .markdown_rich import cell_text, escape_text, rich_markdown
from .plan import (
    EMPTY,
    SIGNOFF_COLUMNS,
    axis_heading,
    check_plan,
    check_signoffs,
    grouped_cards,
    signoff_cells,
    signoff_state,
    signoffs,
    sort_signoffs,
)


def pipe_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-style pipe table; cells are escaped here (pipes, newlines, Markdown)."""
    lines = ["| " + " | ".join(cell_text(h) for h in headers) + " |",
             "| " + " | ".join("---" for _ in headers) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(cell_text(c) or " " for c in row) + " |")
    return "\n".join(lines)


def _scalar(field: dict[str, Any], value: Any, lang: str) -> str:
    return escape_text(values.scalar_text(field, value, lang))


def _rich(field: dict[str, Any], value: Any, lang: str) -> str:
    return rich_markdown(value)


def _table(field: dict[str, Any], value: Any, lang: str) -> str:
    rows = values.table_rows(field, value)
    if not rows:
        return ""
    columns = field["columns"]
    return pipe_table([schemas.label(c, lang) for c in columns],
                      [[values.cell_text(c, row, lang) for c in columns] for row in rows])


def _multi_choice(field: dict[str, Any], value: Any, lang: str) -> str:
    lines = []
    for option, justification in values.selected_options(field, value):
        line = f"- **{escape_text(schemas.label(option, lang))}**"
        if justification.strip():
            line += ": " + escape_text(justification).replace("\n", "\n  ")
        lines.append(line)
    return "\n".join(lines)


FIELD_RENDERERS: dict[str, Callable[[dict[str, Any], Any, str], str]] = {
    "text": _scalar,
    "rich_text": _rich,
    "table": _table,
    "multi_choice": _multi_choice,
    "choice": _scalar,
    "month": _scalar,
    "date": _scalar,
    "organisation": _scalar,
}


def card_sections(template: dict[str, Any], content: dict[str, Any], lang: str, level: int) -> list[str]:
    """Markdown blocks for one card: its heading at `level`, each field one level below."""
    heading = values.card_heading(content, lang) or template["title"].get(lang) or template["title"]["en"]
    out = [f"{'#' * level} {escape_text(heading)}"]
    for field, value in values.iter_fields(template, content):
        renderer = FIELD_RENDERERS.get(field["type"])
        if renderer is None:
            raise UnknownFieldTypeError(field["type"], field["id"])
        out.append(f"{'#' * (level + 1)} {escape_text(schemas.label(field, lang))}")
        out.append(renderer(field, value, lang).strip("\n") or EMPTY)
    return out


def signoff_table(entries: list[dict[str, Any]], lang: str, card_column: bool) -> str:
    """The sign-off annex as a pipe table (with a first column naming the card in a plan), or
    the "no sign-offs yet" sentence.

    Cells as in the Word annex (exports/plan.py signoff_cells): the hash's first 12
    characters, and "current" yes / no (in bold: signed an earlier version) / not checked.
    """
    if not entries:
        return escape_text(i18n.text("no_signoffs", lang))
    columns = (("card",) if card_column else ()) + SIGNOFF_COLUMNS
    rows = []
    for signoff in entries:
        cells = {"card": str(signoff.get("card_number") or ""), **signoff_cells(signoff, lang)}
        row = [cell_text(cells[c]) or EMPTY for c in columns]
        if signoff_state(signoff) == "stale":
            row[-1] = f"**{row[-1]}**"
        rows.append(row)
    lines = ["| " + " | ".join(cell_text(i18n.text(f"signoff_{c}", lang)) for c in columns) + " |",
             "| " + " | ".join("---" for _ in columns) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return escape_text(i18n.text("signoff_note", lang)) + "\n\n" + "\n".join(lines)


def card_markdown(template: dict[str, Any], content: dict[str, Any], lang: str, *,
                  signoffs: list[dict[str, Any]] | None = None) -> str:
    """One card as Markdown.

    Args:
        template: the card template.
        content: the card's canonical content.
        lang: "ar", "fr" or "en" (labels and option names).
        signoffs: None for no annex; the card's sign-offs (exports/plan.py's shape, possibly
            an empty list) for a "Sign-offs" section after the fields.

    Returns:
        The Markdown text, ending with a newline.

    Raises:
        ExportError: for an unsupported language, content or sign-offs of the wrong shape.
    """
    i18n.check_lang(lang)
    values.check_content(template, content)
    out = card_sections(template, content, lang, 1)
    if signoffs is not None:
        try:
            check_signoffs(signoffs, "signoffs", card_number=False)
        except PlanError as error:
            raise ExportError(f"{error.path}: {error.message}") from None
        out.append(f"## {escape_text(i18n.text('signoffs_heading', lang))}")
        out.append(signoff_table(sort_signoffs(signoffs), lang, card_column=False))
    return "\n\n".join(out) + "\n"


def plan_markdown(template: dict[str, Any], plan: dict[str, Any], lang: str) -> str:
    """The whole plan as Markdown: cover lines, summary table, cards by axis, sign-off annex.

    Raises:
        PlanError: when the plan does not have the documented shape.
        ExportError: for an unsupported language or card content of the wrong shape.
    """
    check_plan(template, plan, lang)
    fields = schemas.field_map(template)
    groups = grouped_cards(plan)
    cover = [i18n.text("kingdom", lang), i18n.localized(plan["ministry"], lang),
             i18n.text("period", lang, start=plan["period"]["start"], end=plan["period"]["end"]),
             i18n.text("date", lang, date=plan["date"])]
    out = [f"# {escape_text(i18n.localized(plan['title'], lang))}",
           "\\\n".join(escape_text(line) for line in cover)]
    if not plan["final"]:
        out.append(f"**{escape_text(i18n.text('draft', lang))}**")

    out.append(f"## {escape_text(i18n.text('summary', lang))}")
    headers = [i18n.text("axis", lang)] + [schemas.label(fields[f], lang) for f in ("number", "title", "lead")]
    rows = []
    for axis, cards in groups:
        for card in cards:
            content = card["content"]
            rows.append([str(axis["number"] or "—"), values.card_number(content), values.card_title(content),
                         i18n.localized((content.get("card") or {}).get("lead"), lang)])
    out.append(pipe_table(headers, rows))

    for axis, cards in groups:
        out.append(f"## {escape_text(axis_heading(axis, lang))}")
        for card in cards:
            sections = card_sections(template, card["content"], lang, 3)
            if card.get("error"):
                sections.insert(1, escape_text(i18n.text("card_unreadable", lang, message=card["error"])))
            out.extend(sections)

    out.append(f"## {escape_text(i18n.text('annex_signoffs', lang))}")
    out.append(signoff_table(signoffs(plan), lang, card_column=True))
    return "\n\n".join(out) + "\n"
