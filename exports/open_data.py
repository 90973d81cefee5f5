"""Cards and plans as open data: JSON following exports/open_data.schema.json (docs/open-data.md).

Everything a reuser needs is in the file: labels in every language (or in the one asked for),
the values as the application stores them, option labels next to option ids, and rich text
also as plain text. Internal ids (row ids) stay out.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from collections.abc import Callable

from . import i18n, values
from .errors import UnknownFieldTypeError
from .plain_text import rich_plain_text
from .plan import grouped_cards, signoffs, sort_signoffs, validate_plan

FORMAT = "iltizam-open-data"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("open_data.schema.json")


@lru_cache(maxsize=1)
def open_data_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every card_json / plan_json result follows."""
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


def _labels(names: Any, lang: str | None) -> dict[str, str]:
    if not isinstance(names, dict):
        return {}
    if lang is not None:
        return {lang: i18n.localized(names, lang)}
    return {code: names[code] for code in i18n.LANGUAGES if isinstance(names.get(code), str)}


def _option(option: dict[str, Any], lang: str | None) -> dict[str, Any]:
    return {"id": option["id"], "labels": _labels(option["label"], lang)}


def _text(field: dict[str, Any], value: Any, lang: str | None) -> dict[str, Any]:
    if isinstance(value, dict):  # the axis: a name per language
        return {"value": _labels(value, lang) or None}
    return {"value": "" if value is None else str(value)}


def _rich(field: dict[str, Any], value: Any, lang: str | None) -> dict[str, Any]:
    return {"value": value, "text": rich_plain_text(value)}


def _table(field: dict[str, Any], value: Any, lang: str | None) -> dict[str, Any]:
    columns = []
    for column in field["columns"]:
        entry = {"id": column["id"], "type": column["type"], "labels": _labels(column["label"], lang)}
        if column["type"] == "choice":
            entry["options"] = [_option(o, lang) for o in column["options"]]
        columns.append(entry)
    rows = [{c["id"]: str(row.get(c["id"]) or "") for c in field["columns"]}
            for row in values.table_rows(field, value, group=False)]
    return {"columns": columns, "value": rows}


def _multi_choice(field: dict[str, Any], value: Any, lang: str | None) -> dict[str, Any]:
    value = value if isinstance(value, dict) else {}
    options = []
    for option in field["options"]:
        entry = value.get(option["id"]) if isinstance(value.get(option["id"]), dict) else {}
        options.append({**_option(option, lang), "selected": bool(entry.get("selected")),
                        "justification": str(entry.get("justification") or "")})
    return {"value": options}


def _choice(field: dict[str, Any], value: Any, lang: str | None) -> dict[str, Any]:
    chosen = next((o for o in field["options"] if o["id"] == value), None)
    return {"value": value or None, "option": _option(chosen, lang) if chosen else None}


def _scalar(field: dict[str, Any], value: Any, lang: str | None) -> dict[str, Any]:
    return {"value": value or None}


def _organisation(field: dict[str, Any], value: Any, lang: str | None) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"value": _labels(value, lang) or None}
    return {"value": {lang or "fr": value} if value else None}


FIELD_ENCODERS: dict[str, Callable[[dict[str, Any], Any, str | None], dict[str, Any]]] = {
    "text": _text,
    "rich_text": _rich,
    "table": _table,
    "multi_choice": _multi_choice,
    "choice": _choice,
    "month": _scalar,
    "date": _scalar,
    "organisation": _organisation,
}


def commitment(template: dict[str, Any], content: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """The open-data object of one card (without the file envelope)."""
    fields = []
    for field, value in values.iter_fields(template, content):
        encoder = FIELD_ENCODERS.get(field["type"])
        if encoder is None:
            raise UnknownFieldTypeError(field["type"], field["id"])
        entry = {"id": field["id"], "type": field["type"], "labels": _labels(field["label"], lang)}
        entry.update(encoder(field, value, lang))
        fields.append(entry)
    return {"number": values.card_number(content) or None, "title": values.card_title(content), "fields": fields}


def _signoff(signoff: dict[str, Any], lang: str | None) -> dict[str, str]:
    out = {key: str(signoff.get(key) or "") for key in ("card_number", "name", "role", "date", "hash")}
    out["organisation"] = i18n.localized(signoff.get("organisation"), lang or "fr")
    return out


def _card_signoff(signoff: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """One entry of a commitment's `signoffs`: the sign-off annex's entry, labels as elsewhere."""
    return {
        "party": _labels(signoff.get("party"), lang),
        "decision": str(signoff.get("decision") or ""),
        "name": str(signoff.get("name") or ""),
        "role": str(signoff.get("role") or ""),
        "organisation": _labels(signoff.get("organisation"), lang) or None,
        "date": str(signoff.get("date") or ""),
        "hash": str(signoff.get("hash") or ""),
        "current": signoff.get("current") is True,
    }


def _card_signoffs(entries: list[dict[str, Any]], number: Any, lang: str | None) -> list[dict[str, Any]]:
    # By number, as the annex groups them: the plan's entries carry no card id.
    wanted = str(number or "")
    return [_card_signoff(s, lang) for s in sort_signoffs(entries) if str(s.get("card_number") or "") == wanted]


def _envelope(template: dict[str, Any], lang: str | None) -> dict[str, Any]:
    if lang is not None:
        i18n.check_lang(lang)
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "language": lang,
            "template": {"id": template["id"], "version": template["version"]}}


def card_json(template: dict[str, Any], content: dict[str, Any], lang: str | None = None,
              signoffs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One card as open data.

    Args:
        template: the card template.
        content: the card's canonical content.
        lang: None for labels in every language, or "ar"/"fr"/"en" for that language only.
        signoffs: the card's sign-off annex entries (exports/plan.py documents the entry).

    Returns:
        A JSON-serialisable dict valid against open_data_schema().

    Raises:
        ExportError: for an unsupported language or content of the wrong shape.
    """
    out = _envelope(template, lang)
    values.check_content(template, content)
    out["commitment"] = commitment(template, content, lang)
    out["commitment"]["signoffs"] = [_card_signoff(s, lang) for s in sort_signoffs(signoffs or [])]
    return out


def plan_json(template: dict[str, Any], plan: dict[str, Any], lang: str | None = None) -> dict[str, Any]:
    """The whole plan as open data: plan facts, axes with their commitments, sign-offs.

    Raises:
        PlanError: when the plan does not have the documented shape.
        ExportError: for an unsupported language or card content of the wrong shape.
    """
    out = _envelope(template, lang)
    validate_plan(plan)
    annex = signoffs(plan)
    axes = []
    for axis, cards in grouped_cards(plan):
        items = []
        for card in cards:
            values.check_content(template, card["content"])
            item = commitment(template, card["content"], lang)
            item["status"] = str(card.get("status") or "")
            item["signoffs"] = _card_signoffs(annex, item["number"], lang)
            if card.get("error"):
                item["error"] = str(card["error"])
            items.append(item)
        axes.append({"number": axis["number"], "title": _labels(axis["title"], lang), "commitments": items})
    out["plan"] = {
        "title": _labels(plan["title"], lang),
        "ministry": _labels(plan["ministry"], lang),
        "period": {"start": plan["period"]["start"], "end": plan["period"]["end"]},
        "date": plan["date"],
        "final": plan["final"],
        "axes": axes,
        "signoffs": [_signoff(s, lang) for s in annex],
    }
    return out
