"""Evaluate a card's content against its plan's drafting criteria (step م1.4).

Each rule in the criteria file names a `kind`; the kinds are the small functions registered in
RULES, and their parameters come from the file, so the coordinator can add, drop or retune rules
without code. Manual attestations pass when someone has attested them.
"""
from __future__ import annotations

import re
from typing import Any
from collections.abc import Callable

import schemas

from .canonical import plain_text

Result = tuple[bool, list[str]]  # passed, and the field paths that fail it


def _filled(field: dict[str, Any], value: Any) -> bool:
    kind = field["type"]
    if kind == "rich_text":
        return bool(plain_text(value).strip())
    if kind == "table":
        required = [c["id"] for c in field["columns"] if c.get("required")] or [c["id"] for c in field["columns"]]
        rows = [r for r in value if any(str(r.get(c, "")).strip() for c in required)]
        return len(rows) >= max(1, field.get("min_rows", 1))
    if kind == "multi_choice":
        return sum(1 for e in value.values() if e.get("selected")) >= max(1, field.get("min_choices", 1))
    return bool(str(value or "").strip())


def _required_fields(rule, template, fields, card, plan) -> Result:
    failing = []
    for field in template["fields"]:
        if not field.get("required"):
            continue
        if field.get("source") == "card":
            if not card.get(field["id"]):
                failing.append(field["id"])
        elif not _filled(field, fields.get(field["id"])):
            failing.append(field["id"])
    return not failing, failing


def _length_limits(rule, template, fields, card, plan) -> Result:
    failing = [f["id"] for f in schemas.document_fields(template)
               if f.get("max_length") and len(plain_text(fields.get(f["id"]))) > f["max_length"]]
    return not failing, failing


def _max_length(rule, template, fields, card, plan) -> Result:
    ok = len(plain_text(fields.get(rule["field"]))) <= rule["max"]
    return ok, [] if ok else [rule["field"]]


def _months_in_period(rule, template, fields, card, plan) -> Result:
    start, end = plan["period_start"], plan["period_end"]
    failing = []
    for fid in rule.get("fields", []):
        value = fields.get(fid) or ""
        if value and not start <= value[:7] <= end:
            failing.append(fid)
    for table, column in rule.get("table_columns", []):
        for index, row in enumerate(fields.get(table) or []):
            value = row.get(column) or ""
            if value and not start <= value[:7] <= end:
                failing.append(f"{table}[{index}].{column}")
    return not failing, failing


def _table_has_row(rule, template, fields, card, plan) -> Result:
    rows = [r for r in fields.get(rule["field"]) or [] if r.get(rule["column"]) == rule["value"]]
    ok = len(rows) >= rule.get("min", 1)
    return ok, [] if ok else [rule["field"]]


def _choices_justified(rule, template, fields, card, plan) -> Result:
    value = fields.get(rule["field"]) or {}
    justified = [k for k, e in value.items() if e.get("selected") and e.get("justification", "").strip()]
    unjustified = [f"{rule['field']}.{k}" for k, e in value.items()
                   if e.get("selected") and not e.get("justification", "").strip()]
    ok = len(justified) >= rule.get("min", 1) and not unjustified
    return ok, unjustified or ([] if ok else [rule["field"]])


def _table_rows_complete(rule, template, fields, card, plan) -> Result:
    rows = fields.get(rule["field"]) or []
    failing = [f"{rule['field']}[{i}].{c}" for i, row in enumerate(rows)
               for c in rule["columns"] if not str(row.get(c, "")).strip()]
    ok = len(rows) >= rule.get("min", 1) and not failing
    return ok, failing or ([] if ok else [rule["field"]])


_PATH = re.compile(r"^(?P<field>[A-Za-z0-9_]+)(?:\[(?P<row>\d+)\])?(?:\.(?P<part>[A-Za-z0-9_]+))?$")


def targets(template: dict[str, Any], failing: list[str]) -> list[dict[str, Any]]:
    """Where each failing path is, for a person: the field to go to and its name in every language.

    A path is a field id, `table[row].column` (row from 0) or `field.option`; the label names the
    field, then the row (counted from 1) and the column or option.

    Returns:
        [{"path", "field", "row" (or None), "part" (or None), "label": {ar, fr, en}}], one per
        path whose field the template knows, in the order given.
    """
    fields = {f["id"]: f for f in template["fields"]}
    out = []
    for path in failing:
        match = _PATH.match(path)
        field = fields.get(match["field"]) if match else None
        if field is None:
            continue
        row, part = match["row"], match["part"]
        parts = {c["id"]: c for c in field.get("columns", []) + field.get("options", [])}
        label = {}
        for lang in ("ar", "fr", "en"):
            text = field["label"].get(lang) or field["label"].get("en", field["id"])
            if row is not None:
                text += f" ({int(row) + 1})"
            if part in parts:
                text += f" – {parts[part]['label'].get(lang) or parts[part]['label'].get('en', part)}"
            label[lang] = text
        out.append({"path": path, "field": field["id"], "row": int(row) if row is not None else None,
                    "part": part, "label": label})
    return out


RULES: dict[str, Callable[..., Result]] = {
    "required_fields": _required_fields,
    "length_limits": _length_limits,
    "max_length": _max_length,
    "months_in_period": _months_in_period,
    "table_has_row": _table_has_row,
    "choices_justified": _choices_justified,
    "table_rows_complete": _table_rows_complete,
}


def evaluate(criteria: dict[str, Any], template: dict[str, Any], content: dict[str, Any],
             plan: dict[str, Any], attested: dict[str, Any] | None = None,
             disabled: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Check every enabled criterion.

    Args:
        criteria: the criteria set (schemas.load_criteria()).
        template: the card's template.
        content: the card's canonical content.
        plan: {"period_start": "YYYY-MM", "period_end": "YYYY-MM"}.
        attested: manual criterion id -> who attested it and when.
        disabled: rule and attestation ids the coordinator turned off for this plan.

    Returns:
        One entry per criterion, in file order: {"id", "kind", "label", "passed", "failing",
        "targets"} (targets: the failing paths as `targets` gives them), plus "rule" (the rule's
        kind) for an automatic one and "attested" for a manual one.

    Raises:
        KeyError: for a rule kind that has no evaluator (the criteria file is wrong).
    """
    fields, card = content["fields"], content.get("card", {})
    attested = attested or {}
    results = []
    for rule in criteria["rules"]:
        if rule["id"] in disabled:
            continue
        if rule["kind"] not in RULES:
            raise KeyError(f"Criteria rule {rule['id']!r} has unknown kind {rule['kind']!r}")
        passed, failing = RULES[rule["kind"]](rule, template, fields, card, plan)
        results.append({"id": rule["id"], "kind": "automatic", "rule": rule["kind"], "label": rule["label"],
                        "passed": passed, "failing": failing, "targets": targets(template, failing)})
    for item in criteria.get("attestations", []):
        if item["id"] in disabled:
            continue
        results.append({"id": item["id"], "kind": "manual", "label": item["label"],
                        "passed": item["id"] in attested, "failing": [], "targets": [],
                        "attested": attested.get(item["id"])})
    return results
