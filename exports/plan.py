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
        "signoffs": [<sign-off>],     # every sign-off of every card of the plan, current or not
    }

    sign-off = {
        "card_number": str,           # the card it is about ("3"); not needed in a card export
        "party": {"ar", "fr", "en"} | None,   # label of the approval requirement it counts for
        "name": str,                  # the person who signed
        "role": str,                  # the role they signed as: lead, co_lead, approver, steering
                                      # (coordinator too); another id is shown as it is
        "organisation": {"ar", "fr", "en"} | None,   # their organisation (a plain str is accepted)
        "decision": "approve" | "reject",
        "date": "YYYY-MM-DD",
        "hash": "<64 hex>",           # SHA-256 of the card's canonical content they signed
        "current": bool,              # the card's content is still the one signed (hash unchanged)
    }

Checks are loose on purpose: they catch a wrongly wired caller (a missing key, a value of the
wrong type, a card whose axis is not in the plan) with a message naming the place
("signoffs[2].current"), and leave values themselves alone. A card without an axis (axis_id
None: cards created through the API or imported without one) is shown under a last "without
axis" group.

Sign-offs written before the approval workflow (card_number, name, role, organisation, date,
hash only) are still accepted: `party`, `organisation` and `decision` may be missing or None
(shown as "—"), and a sign-off without `current` is shown as "not checked", never as current.
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
    if plan.get("signoffs") is not None:
        check_signoffs(_require(plan, "signoffs", list, ""), "signoffs")
    return plan


# Sign-off keys every entry has (card_number only in a plan), and those that may be absent or
# None (sign-offs recorded before the approval workflow lack them).
_SIGNOFF_REQUIRED: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("name", str), ("role", str), ("date", str), ("hash", str))
_SIGNOFF_OPTIONAL: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("party", (dict, str)), ("organisation", (dict, str)), ("decision", str), ("current", bool))


def check_signoffs(entries: Any, path: str = "signoffs", card_number: bool = True) -> list[dict[str, Any]]:
    """Check a list of sign-offs (the shape in this module's docstring).

    Args:
        entries: the list.
        path: how the list is named in messages ("signoffs").
        card_number: whether each entry must say its card (a plan's list), or may not (a card's).

    Returns:
        `entries`, unchanged.

    Raises:
        PlanError: naming the first entry and key that is missing or of the wrong type.
    """
    if not isinstance(entries, list):
        raise PlanError(path, "must be a list")
    for i, signoff in enumerate(entries):
        where = f"{path}[{i}]"
        if not isinstance(signoff, dict):
            raise PlanError(where, "must be a dict")
        if card_number or signoff.get("card_number") is not None:
            _require(signoff, "card_number", (str, int), where)
        for key, kind in _SIGNOFF_REQUIRED:
            _require(signoff, key, kind, where)
        for key, kind in _SIGNOFF_OPTIONAL:
            if signoff.get(key) is not None:
                _require(signoff, key, kind, where)
    return entries


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
    return sort_signoffs(plan.get("signoffs") or [])


def sort_signoffs(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sign-offs ordered by commitment number ("2" before "10"), then date, keeping ties in order."""
    return sorted(entries, key=lambda s: (natural_key(s.get("card_number") or ""), str(s.get("date") or "")))


# The columns of a sign-off annex, in order; i18n has "signoff_<column>" for each heading.
SIGNOFF_COLUMNS = ("party", "name", "role", "organisation", "decision", "date", "hash", "current")
HASH_PREFIX = 12
EMPTY = "—"


def signoff_state(signoff: dict[str, Any]) -> str:
    """"current", "stale" (signed an earlier version of the card) or "unknown" (not said)."""
    current = signoff.get("current")
    if current is True:
        return "current"
    return "stale" if current is False else "unknown"


def signoff_cells(signoff: dict[str, Any], lang: str) -> dict[str, str]:
    """The display text of each SIGNOFF_COLUMNS cell of one sign-off in `lang`.

    Party and organisation in `lang` (falling back as names do), the role and the decision by
    their labels (an unknown id as it is), the date as stored (ISO, as every date the exports
    print), the first HASH_PREFIX characters of the hash, and whether it is still current.
    """
    role = str(signoff.get("role") or "")
    decision = signoff.get("decision")
    return {
        "party": i18n.localized(signoff.get("party"), lang) or EMPTY,
        "name": str(signoff.get("name") or ""),
        "role": i18n.role_label(role, lang) if role else EMPTY,
        "organisation": i18n.localized(signoff.get("organisation"), lang) or EMPTY,
        "decision": i18n.decision_label(decision, lang) if decision else EMPTY,
        "date": str(signoff.get("date") or ""),
        "hash": str(signoff.get("hash") or "")[:HASH_PREFIX],
        "current": i18n.text(f"signoff_is_{signoff_state(signoff)}", lang),
    }


def signoff_groups(plan: dict[str, Any], lang: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """(card heading, its sign-offs by date) per card, cards by commitment number.

    The heading is the card's own ("Engagement n° 3 : title"); a number no card of the plan has
    still gets "Engagement n° 3".
    """
    headings = {}
    for card in plan["cards"]:
        number = values.card_number(card["content"])
        if number and number not in headings:
            headings[number] = values.card_heading(card["content"], lang)
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    last = None
    for signoff in signoffs(plan):
        number = str(signoff.get("card_number") or "")
        if number != last or not groups:
            heading = headings.get(number) or i18n.text("card_heading", lang, number=number, title="").rstrip(" :")
            groups.append((heading, []))
            last = number
        groups[-1][1].append(signoff)
    return groups


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
