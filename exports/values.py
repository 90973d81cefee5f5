"""What every exporter needs to know about a card's values, whatever the output format.

Field values come from the canonical content (server/content/canonical.py); card metadata
(number, axis, lead, co_lead) from its "card" part. Here they are looked up, checked loosely and
turned into display strings (an option's label rather than its id), so the Word, Markdown and
JSON exporters show the same thing.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterator

from . import i18n
from .errors import ExportError

# Fields with this source come from the card's metadata (content["card"]), not its document.
CARD_SOURCE = "card"


def check_content(template: dict[str, Any], content: Any) -> dict[str, Any]:
    """Check that `content` looks like canonical card content written with `template`.

    Returns:
        `content`, unchanged.

    Raises:
        ExportError: when it is not a dict with a "fields" dict, or names another template.
    """
    if not isinstance(content, dict) or not isinstance(content.get("fields"), dict):
        raise ExportError("Card content must be a dict with a 'fields' dict (canonical content)")
    ref = content.get("template")
    if isinstance(ref, dict) and ref.get("id") is not None:
        if (ref.get("id"), ref.get("version")) != (template["id"], template["version"]):
            raise ExportError(
                f"Card content was written with template {ref.get('id')} v{ref.get('version')}, "
                f"not {template['id']} v{template['version']}")
    card = content.get("card", {})
    if card is not None and not isinstance(card, dict):
        raise ExportError("Card content's 'card' metadata must be a dict")
    return content


def is_card_field(field: dict[str, Any]) -> bool:
    return field.get("source", "document") == CARD_SOURCE


def empty_value(field: dict[str, Any]) -> Any:
    kind = field["type"]
    if kind == "rich_text" or kind == "table":
        return []
    if kind == "multi_choice":
        return {}
    return ""


def raw_value(field: dict[str, Any], content: dict[str, Any]) -> Any:
    """The field's value as stored: a metadata entry for card fields, else the field value."""
    if is_card_field(field):
        return (content.get("card") or {}).get(field["id"])
    value = content["fields"].get(field["id"])
    return empty_value(field) if value is None else value


def option_label(spec: dict[str, Any], option_id: str, lang: str) -> str:
    """The label in `lang` of option `option_id` of a choice field or column; the id if unknown."""
    for option in spec.get("options", []):
        if option["id"] == option_id:
            return option["label"].get(lang) or option["label"]["en"]
    return option_id


def scalar_text(field: dict[str, Any], value: Any, lang: str) -> str:
    """The display string of a text, choice, month, date or organisation value."""
    if value is None:
        return ""
    kind = field["type"]
    if kind == "choice":
        return option_label(field, value, lang) if value else ""
    if kind == "organisation" or isinstance(value, dict):
        return i18n.localized(value, lang)
    return str(value)


def table_rows(field: dict[str, Any], rows: Any, group: bool = True) -> list[dict[str, Any]]:
    """Non-empty rows of a table value, grouped by the first column when it is a choice.

    A table whose first column is a choice (partners: their kind) is shown grouped by it, in
    the order of the options, rows of an unknown or empty choice last; rows keep their order
    inside a group. `group=False` keeps the stored order (open data).

    Raises:
        ExportError: when the value is not a list of dicts.
    """
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ExportError(f"Table field {field['id']!r} must be a list of row dicts")
    columns = field["columns"]
    kept = [r for r in rows if any(str(r.get(c["id"]) or "").strip() for c in columns)]
    first = columns[0] if columns else None
    if not group or first is None or first["type"] != "choice":
        return kept
    order = {o["id"]: i for i, o in enumerate(first.get("options", []))}
    return sorted(kept, key=lambda r: order.get(r.get(first["id"]), len(order)))


def cell_text(column: dict[str, Any], row: dict[str, Any], lang: str) -> str:
    return scalar_text(column, row.get(column["id"]) or "", lang)


def selected_options(field: dict[str, Any], value: Any) -> list[tuple[dict[str, Any], str]]:
    """(option, justification) for each ticked option of a multi-choice value, in option order."""
    if not isinstance(value, dict):
        raise ExportError(f"Multi-choice field {field['id']!r} must be a dict keyed by option")
    out = []
    for option in field["options"]:
        entry = value.get(option["id"])
        if isinstance(entry, dict) and entry.get("selected"):
            out.append((option, str(entry.get("justification") or "")))
    return out


def card_number(content: dict[str, Any]) -> str:
    return str((content.get("card") or {}).get("number") or "")


def card_title(content: dict[str, Any]) -> str:
    title = content["fields"].get("title")
    return title if isinstance(title, str) else ""


def card_heading(content: dict[str, Any], lang: str) -> str:
    """"Engagement n° 3 : title", or just the title when the card has no number yet."""
    number = card_number(content)
    title = card_title(content)
    if not number:
        return title
    heading = i18n.text("card_heading", lang, number=number, title=title)
    # Without a title yet, drop the separator: "Engagement n° 3".
    return heading if title else heading.rstrip(" :")


def iter_fields(template: dict[str, Any], content: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Any]]:
    """(field, value) for every template field, in template order."""
    for field in template["fields"]:
        yield field, raw_value(field, content)
