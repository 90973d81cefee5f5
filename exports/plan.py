"""The plan the server hands to the plan exporters: its documented shape and loose checks.

    plan = {
        "title": {"ar": str, "fr": str, "en"?: str},
        "period": {"start": "YYYY-MM", "end": "YYYY-MM"},
        "ministry": {"ar": str, "fr": str},
        "final": bool,                # False prints a DRAFT marking on the cover
        "date": "YYYY-MM-DD",         # the date printed on the cover
        "axes": [{"id": int, "number": int, "title": {"ar", "fr", "en"}}],
        "cards": [{"id": int, "axis_id": int | None, "status": str, "content": <canonical content>,
                   "error"?: str}],         # error: the card could not be read; content is empty
        "signoffs": [{"card_number": str, "name": str, "role": str, "organisation": str,
                      "date": "YYYY-MM-DD", "hash": "<sha256 hex>"}],
    }

Checks are loose on purpose: they catch a wrongly wired caller (a missing key, a card whose axis
is not in the plan) with a message naming the place, and leave values themselves alone. A card
without an axis (axis_id None: cards created through the API or imported without one) is shown
under a last "without axis" group.
"""
from __future__ import annotations

import re
from typing import Any

from . import i18n, values
from .errors import PlanError

_DIGITS = re.compile(r"(\d+)")


def _require(container: Any, key: str, kind: type | tuple[type, ...], path: str) -> Any:
    where = f"{path}.{key}" if path else key
    if not isinstance(container, dict):
        raise PlanError(path or "(root)", "must be a dict")
    if key not in container:
        raise PlanError(where, "is missing")
    value = container[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise PlanError(where, f"must be a {names}")
    return value


def validate_plan(plan: Any) -> dict[str, Any]:
    """Check the plan's shape.

    Returns:
        `plan`, unchanged.

    Raises:
        PlanError: naming the first problem found.
    """
    if not isinstance(plan, dict):
        raise PlanError("(root)", "must be a dict")
    _require(plan, "title", dict, "")
    period = _require(plan, "period", dict, "")
    _require(period, "start", str, "period")
    _require(period, "end", str, "period")
    _require(plan, "ministry", dict, "")
    _require(plan, "final", bool, "")
    _require(plan, "date", str, "")
    axes = _require(plan, "axes", list, "")
    axis_ids = set()
    for i, axis in enumerate(axes):
        path = f"axes[{i}]"
        axis_ids.add(_require(axis, "id", (int, str), path))
        _require(axis, "number", (int, str), path)
        _require(axis, "title", dict, path)
    for i, card in enumerate(_require(plan, "cards", list, "")):
        path = f"cards[{i}]"
        if not isinstance(card, dict) or card.get("axis_id") is None:
            _require(card, "content", dict, path)
            _require(card["content"], "fields", dict, f"{path}.content")
            continue
        if _require(card, "axis_id", (int, str), path) not in axis_ids:
            raise PlanError(f"{path}.axis_id", f"{card['axis_id']!r} is not the id of an axis of this plan")
        content = _require(card, "content", dict, path)
        _require(content, "fields", dict, f"{path}.content")
    for i, signoff in enumerate(plan.get("signoffs") or []):
        if not isinstance(signoff, dict):
            raise PlanError(f"signoffs[{i}]", "must be a dict")
    return plan


def natural_key(value: Any) -> tuple:
    """Sort "2" before "10" and "3a" after "3"."""
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(str(value)))


# The group of cards that have no axis; "number" None tells the exporters to use its own words.
NO_AXIS = {"id": None, "number": None, "title": {lang: i18n.text("no_axis", lang) for lang in i18n.LANGUAGES}}


def grouped_cards(plan: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(axis, its cards) in axis number order, cards in commitment number order.

    Axes without cards are kept: the plan shows every axis it declares. Cards without an axis
    come last, under NO_AXIS (only when there are some).
    """
    by_axis: dict[Any, list[dict[str, Any]]] = {axis["id"]: [] for axis in plan["axes"]}
    by_axis[None] = []
    for card in plan["cards"]:
        by_axis[card.get("axis_id")].append(card)
    axes = sorted(plan["axes"], key=lambda a: natural_key(a["number"]))
    if by_axis[None]:
        axes.append(NO_AXIS)
    out = []
    for axis in axes:
        cards = sorted(by_axis[axis["id"]], key=lambda c: (
            natural_key((c["content"].get("card") or {}).get("number") or ""), natural_key(c.get("id", ""))))
        out.append((axis, cards))
    return out


def axis_heading(axis: dict[str, Any], lang: str) -> str:
    """"Axe 2 : title", or the "without axis" words for NO_AXIS."""
    if axis["number"] is None:
        return i18n.localized(axis["title"], lang)
    return i18n.text("axis_heading", lang, number=axis["number"], title=i18n.localized(axis["title"], lang))


def signoffs(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's sign-offs ordered by commitment number, then date."""
    return sorted(plan.get("signoffs") or [],
                  key=lambda s: (natural_key(s.get("card_number") or ""), str(s.get("date") or "")))


def check_plan(template: dict[str, Any], plan: Any, lang: str) -> dict[str, Any]:
    """Check the language, the plan's shape and every card's content, as every plan exporter must.

    Raises:
        ExportError: an unsupported language or card content of the wrong shape.
        PlanError: the plan does not have the documented shape.
    """
    i18n.check_lang(lang)
    validate_plan(plan)
    for card in plan["cards"]:
        values.check_content(template, card["content"])
    return plan
