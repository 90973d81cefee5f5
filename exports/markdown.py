"""Cards and plans as Markdown (CommonMark with GitHub pipe tables).

Headings: the plan title, then one per axis and one per card, then one per field; table fields
become pipe tables, multi-choice fields a list of the ticked options with their justification.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

import schemas

from . import i18n, values
from .errors import UnknownFieldTypeError
from .markdown_rich import cell_text, escape_text, rich_markdown
from .plan import axis_heading, check_plan, grouped_cards, signoffs

EMPTY = "—"


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


def card_markdown(template: dict[str, Any], content: dict[str, Any], lang: str) -> str:
    """One card as Markdown.

    Args:
        template: the card template.
        content: the card's canonical content.
        lang: "ar", "fr" or "en" (labels and option names).

    Returns:
        The Markdown text, ending with a newline.

    Raises:
        ExportError: for an unsupported language or content of the wrong shape.
    """
    i18n.check_lang(lang)
    values.check_content(template, content)
    return "\n\n".join(card_sections(template, content, lang, 1)) + "\n"


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
    annex = signoffs(plan)
    if annex:
        keys = ("card", "name", "role", "organisation", "date", "hash")
        out.append(pipe_table(
            [i18n.text(f"signoff_{k}", lang) for k in keys],
            [[str(s.get("card_number") or ""), str(s.get("name") or ""), str(s.get("role") or ""),
              i18n.localized(s.get("organisation"), lang), str(s.get("date") or ""), str(s.get("hash") or "")]
             for s in annex]))
    else:
        out.append(escape_text(i18n.text("no_signoffs", lang)))
    return "\n\n".join(out) + "\n"
