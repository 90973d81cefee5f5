"""What changed between two canonical contents of a card, field by field.

Texts are compared word by word: a token is a run of word characters (Arabic, French with its
accents), a run of spaces or line breaks, or one other character, so joining the `equal` and
`delete` segments gives the old text exactly and `equal` and `insert` the new. Rich text is
compared on its plain text (paragraphs joined by "\\n"); a change of formatting alone is said
as such. Table rows are matched by their stable ids: added, removed, moved (outside the longest
run of rows that kept their order), and changed cells.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from difflib import SequenceMatcher
from typing import Any

from ..review.plain import canonical_text

TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
CARD_KEYS = ("number", "axis", "lead", "co_lead")


def words(old: str, new: str) -> list[dict[str, str]]:
    """Segments {"op": "equal"|"delete"|"insert", "text"} from `old` to `new`."""
    if old == new:
        return [{"op": "equal", "text": old}] if old else []
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    out: list[dict[str, str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1]["op"] == op:
            out[-1]["text"] += text
        else:
            out.append({"op": op, "text": text})

    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return out


def _text_value(value: Any) -> str:
    return value if isinstance(value, str) else canonical_text(value or [])


def _kept_in_order(positions: list[int]) -> set[int]:
    """Indices (into `positions`) of a longest increasing subsequence: the rows that did not move."""
    tails: list[int] = []
    links: list[int] = [-1] * len(positions)
    ends: list[int] = []
    for i, p in enumerate(positions):
        k = bisect_left(tails, p)
        if k == len(tails):
            tails.append(p)
            ends.append(i)
        else:
            tails[k] = p
            ends[k] = i
        links[i] = ends[k - 1] if k else -1
    kept, i = set(), ends[-1] if ends else -1
    while i != -1:
        kept.add(i)
        i = links[i]
    return kept


def _table(field: dict[str, Any], old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    old_by_id = {str(r.get("id")): (i, r) for i, r in enumerate(old or [])}
    new_ids = [str(r.get("id")) for r in new or []]
    matched = [rid for rid in new_ids if rid in old_by_id]
    kept = _kept_in_order([old_by_id[rid][0] for rid in matched])
    moved = {rid for i, rid in enumerate(matched) if i not in kept}
    rows = []
    for rid, row in zip(new_ids, new or []):
        if rid not in old_by_id:
            rows.append({"id": rid, "state": "added", "cells": row})
            continue
        before = old_by_id[rid][1]
        cells = []
        for col in field["columns"]:
            a, b = before.get(col["id"], ""), row.get(col["id"], "")
            if a == b:
                continue
            cell: dict[str, Any] = {"column": col["id"], "old": a, "new": b}
            if col["type"] == "text":
                cell["segments"] = words(str(a), str(b))
            cells.append(cell)
        state = "moved" if rid in moved else "changed" if cells else "same"
        rows.append({"id": rid, "state": state, "changed_cells": cells, "cells": row})
    for rid, (_, row) in old_by_id.items():
        if rid not in set(new_ids):
            rows.append({"id": rid, "state": "removed", "cells": row})
    return {"rows": rows}


def _choices(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    options = []
    for key in list(dict.fromkeys([*(old or {}), *(new or {})])):
        a, b = (old or {}).get(key) or {}, (new or {}).get(key) or {}
        if a == b:
            continue
        options.append({"option": key, "old_selected": bool(a.get("selected")), "new_selected": bool(b.get("selected")),
                        "justification": words(a.get("justification", ""), b.get("justification", ""))})
    return {"options": options}


def field_diff(field: dict[str, Any], old: Any, new: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": field["id"], "kind": field["type"], "label": field.get("label", {}),
                           "changed": old != new}
    if not out["changed"]:
        return out
    kind = field["type"]
    if kind in ("text", "rich_text"):
        a, b = _text_value(old), _text_value(new)
        out["segments"] = words(a, b)
        out["formatting_only"] = a == b
    elif kind == "table":
        out.update(_table(field, old or [], new or []))
    elif kind == "multi_choice":
        out.update(_choices(old or {}, new or {}))
    else:
        out["old"], out["new"] = old, new
    return out


def diff(template: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The per-field difference from canonical content `old` to `new`, in the template's order."""
    card = [{"key": k, "old": old.get("card", {}).get(k), "new": new.get("card", {}).get(k)}
            for k in CARD_KEYS if old.get("card", {}).get(k) != new.get("card", {}).get(k)]
    fields = [field_diff(f, old.get("fields", {}).get(f["id"]), new.get("fields", {}).get(f["id"]))
              for f in template["fields"] if f.get("source", "document") == "document"]
    return {"changed": bool(card) or any(f["changed"] for f in fields), "card": card, "fields": fields}
