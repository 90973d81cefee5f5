"""What changed between two canonical contents of a card, field by field.

`diff(template, old, new)` takes two canonical contents (docs/document-model.md, "Canonical
content") and returns plain JSON, in the template's field order:

    {"changed": true,
     "template": {"changed": false, "old": {"id": "ogp-card", "version": 1}, "new": {...}},
     "card": [{"key": "number", "kind": "text", "label": {...}, "old": "3", "new": "4"}],
     "fields": [{"id": "title", "kind": "text", "label": {...}, "changed": true,
                 "segments": [{"op": "equal", "text": "…"}, {"op": "insert", "text": "…"}]}, …],
     "counts": {"fields_changed": 1, "fields_unchanged": 17}}

`card` lists only the metadata (number, axis, lead, co_lead) that differs. Every document field
of the template is in `fields`; an unchanged one carries only `id`, `kind`, `label` and
`changed: false`. A changed one carries, by kind:

- `text`, `rich_text`: `segments`, a word diff of the plain text (a rich-text field's anchor
  text, server/review/plain.py: paragraphs joined by "\\n"). Joining the `equal` and `delete`
  texts gives the old text exactly, `equal` and `insert` the new one. `formatting_only`: the
  text is the same, only marks or structure changed (bold, a list, a link); a rich-text field
  also has `formatting_changed`: its marks or structure differ, whether or not its text does.
- `table`: `columns`, `rows`, and the row ids `added`, `removed`, `moved`, `edited`. Rows are
  matched by their stable `id`. A matched row is moved when it is outside one longest run of
  matched rows that kept their relative order, so moving one row marks that row only. A row is
  `{"id", "state", "moved", "edited", "old_index", "new_index", "cells", "changed_cells"}`:
  `state` is `added`, `removed`, `moved` (also when edited), `changed` or `same`; `cells` is
  the row's values (the old ones for a removed row); `changed_cells` (matched rows) is
  `[{"column", "old", "new"}]` plus `segments` for a text column and `old_label`/`new_label`
  for a choice column. `rows` is in the new order, a removed row after the row that preceded
  it in the old version.
- `multi_choice`: `options`, the options that changed: `{"option", "label", "old_selected",
  "new_selected", "justification": segments, "justification_changed"}`.
- `choice`: `old`, `new`, `old_label`, `new_label`; `month`, `date`, `organisation`: `old`, `new`.

Tokens (`tokens`): a word is a run of letters, digits, `_`, combining marks (Arabic harakat and
shadda, Latin accents that are not precomposed…) and ZWNJ/ZWJ, possibly joined by an apostrophe
(`'`, `’`), a hyphen, or `.`/`,` between two word characters (`l'engagement`, `aujourd'hui`,
`2024-2027`, `31.13`, `chafafiya.ma`); a run of spaces or tabs is one token, each "\\n" is one
token, and every other character (punctuation such as `،` `؛` `«` `?`, an emoji) is a token of
its own. Nothing is normalised or dropped, so the segments give back both texts exactly.

Speed: identical values short-circuit. Texts are compared first by sentence-sized units (cut
after "\\n" and after sentence punctuation followed by a space); the units that differ are
compared token by token. When that comparison would be too costly for difflib's exact matching
(long changed stretches hold thousands of space tokens), words carrying their trailing spaces
are matched first and the token comparison runs inside what differs.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from difflib import SequenceMatcher
from itertools import zip_longest
from typing import Any

from ..review.plain import canonical_text
from .canonical import empty_value

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
CARD_KEYS = ("number", "axis", "lead", "co_lead")

# Unicode blocks whose combining marks belong inside words (Python's \w leaves marks out):
# general combining marks, Hebrew, Arabic with its supplements, Syriac, variation selectors.
_MARK_BLOCKS = ((0x0300, 0x036F), (0x0483, 0x0489), (0x0591, 0x05C7), (0x0610, 0x06FF), (0x0730, 0x074A),
                (0x0750, 0x077F), (0x0870, 0x08FF), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
                (0xFB1E, 0xFB1E), (0xFE00, 0xFE0F), (0xFE20, 0xFE2F))


def _mark_class() -> str:
    ranges: list[list[int]] = []
    for low, high in _MARK_BLOCKS:
        for cp in range(low, high + 1):
            if unicodedata.category(chr(cp)).startswith("M"):
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in ranges)


_W = f"[\\w{_mark_class()}\u200c\u200d]"
_WORD = f"{_W}+(?:['\u2019\\-\u2010\u2011.,]{_W}+)*"
TOKEN = re.compile(f"{_WORD}|[^\\S\\n]+|\\n|.", re.S)
# A token with the spaces that follow it: the coarse unit for long changed stretches.
_UNIT = re.compile(f"(?:{_WORD}|[^\\s])[^\\S\\n]*|[^\\S\\n]+|\\n|.", re.S)
# Where a sentence-sized unit ends: after a line break, or after sentence punctuation and spaces.
_SENTENCE_END = re.compile("\\n|[.!?;:\u061f\u061b\u2026]+[\"'\u00bb\u201d)]*[^\\S\\n]+")
# Element comparisons above which difflib's exact matching (autojunk=False) is too slow.
_EXACT_BUDGET = 400_000


def tokens(text: str) -> list[str]:
    """The tokens of `text` (see the module docstring); they join back to `text`."""
    return TOKEN.findall(text)


def _sentences(text: str) -> list[str]:
    units, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        units.append(text[start:match.end()])
        start = match.end()
    if start < len(text):
        units.append(text[start:])
    return units


def _cost(a: list[str], b: list[str]) -> int:
    """Roughly how many comparisons exact matching of `a` against `b` makes."""
    counts = Counter(b)
    return sum(counts[x] for x in a)


def _opcodes(a: list[str], b: list[str], out: list[list[str]], refine) -> None:
    """Append [op, text] for `a` → `b` (exact matching); replacements go through `refine`."""
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append([EQUAL, "".join(a[i1:i2])])
        else:
            refine("".join(a[i1:i2]), "".join(b[j1:j2]), out)


def _tokens_diff(old: str, new: str, out: list[list[str]], depth: int = 0) -> None:
    if not old or not new:
        out.append([DELETE, old] if old else [INSERT, new])
        return
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    lo = 0
    while lo < len(a) and lo < len(b) and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi < len(a) - lo and hi < len(b) - lo and a[-1 - hi] == b[-1 - hi]:
        hi += 1
    if lo:
        out.append([EQUAL, "".join(a[:lo])])
    a, b, tail = a[lo:len(a) - hi], b[lo:len(b) - hi], "".join(a[len(a) - hi:])
    if not a or not b:
        out.append([DELETE, "".join(a)] if a else [INSERT, "".join(b)])
    elif _cost(a, b) <= _EXACT_BUDGET:
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag == "equal":
                out.append([EQUAL, "".join(a[i1:i2])])
                continue
            out.append([DELETE, "".join(a[i1:i2])])
            out.append([INSERT, "".join(b[j1:j2])])
    else:
        # Long stretch: match words with their spaces first, then tokens inside what differs.
        ua, ub = _UNIT.findall("".join(a)), _UNIT.findall("".join(b))
        if depth or _cost(ua, ub) > 25 * _EXACT_BUDGET:
            matcher = SequenceMatcher(None, ua, ub, autojunk=True)
        else:
            matcher = SequenceMatcher(None, ua, ub, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.append([EQUAL, "".join(ua[i1:i2])])
            elif (i2 - i1) + (j2 - j1) < len(ua) + len(ub):
                _tokens_diff("".join(ua[i1:i2]), "".join(ub[j1:j2]), out, depth + 1)
            else:  # nothing matched at all: one replacement
                out.append([DELETE, "".join(ua[i1:i2])])
                out.append([INSERT, "".join(ub[j1:j2])])
    if tail:
        out.append([EQUAL, tail])


def _tidy(raw: list[list[str]]) -> list[dict[str, str]]:
    """Empty pieces dropped; the deletions and insertions of one change merged, deletion first."""
    out: list[dict[str, str]] = []
    pending = {DELETE: "", INSERT: ""}

    def flush() -> None:
        for op in (DELETE, INSERT):
            if pending[op]:
                out.append({"op": op, "text": pending[op]})
                pending[op] = ""

    for op, text in raw:
        if not text:
            continue
        if op != EQUAL:
            pending[op] += text
            continue
        flush()
        if out and out[-1]["op"] == EQUAL:
            out[-1]["text"] += text
        else:
            out.append({"op": EQUAL, "text": text})
    flush()
    return out


_SPACES = re.compile("[^\\S\\n]+")


def _join_spaced_changes(segments: list[dict[str, str]]) -> list[dict[str, str]]:
    """A lone space between two changes joins them ("foo bar" → "qux quux" is one change)."""
    raw: list[list[str]] = []
    for n, seg in enumerate(segments):
        if (seg["op"] == EQUAL and 0 < n < len(segments) - 1 and segments[n - 1]["op"] != EQUAL
                and segments[n + 1]["op"] != EQUAL and _SPACES.fullmatch(seg["text"])):
            raw += [[DELETE, seg["text"]], [INSERT, seg["text"]]]
        else:
            raw.append([seg["op"], seg["text"]])
    return _tidy(raw)


def _sentences_diff(old: str, new: str, out: list[list[str]]) -> None:
    if not old or not new:
        out.append([DELETE, old] if old else [INSERT, new])
        return
    a, b = _sentences(old), _sentences(new)
    if len(a) == 1 and len(b) == 1 or _cost(a, b) > _EXACT_BUDGET:
        _tokens_diff(old, new, out)
    else:
        _opcodes(a, b, out, _tokens_diff)


def words(old: str, new: str) -> list[dict[str, str]]:
    """Segments {"op": "equal"|"delete"|"insert", "text"} from `old` to `new`, word by word.

    Lines (paragraphs) are compared first, then the sentences of the lines that differ, then
    the tokens of the sentences that differ.
    """
    if old == new:
        return [{"op": EQUAL, "text": old}] if old else []
    raw: list[list[str]] = []
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if len(a) == 1 and len(b) == 1 or _cost(a, b) > _EXACT_BUDGET:  # one line, or thousands alike
        _sentences_diff(old, new, raw)
        return _join_spaced_changes(_tidy(raw))
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append([EQUAL, "".join(a[i1:i2])])
        elif i2 - i1 == j2 - j1:  # as many paragraphs on each side: each one edited in place
            for before, after in zip(a[i1:i2], b[j1:j2]):
                _sentences_diff(before, after, raw)
        else:
            _sentences_diff("".join(a[i1:i2]), "".join(b[j1:j2]), raw)
    return _join_spaced_changes(_tidy(raw))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _text_value(value: Any) -> str:
    return value if isinstance(value, str) else canonical_text(value if isinstance(value, list) else [])


def _shape(value: Any):
    """A rich-text tree's nodes without their text, in document order: its formatting and structure."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            content = item.get("content")
            content = content if isinstance(content, list) else []
            yield item.get("type"), item.get("attrs"), item.get("marks"), len(content)
            stack.extend(reversed(content))
        elif isinstance(item, list):
            yield "list", len(item)
            stack.extend(reversed(item))
        else:
            yield item


def _formatting_differs(old: Any, new: Any) -> bool:
    end = object()
    return any(a != b for a, b in zip_longest(_shape(old), _shape(new), fillvalue=end))


def _option_label(options: list[dict[str, Any]] | None, value: Any) -> dict[str, str] | None:
    return next((o["label"] for o in options or [] if o["id"] == value), None)


def _increasing_run(positions: list[int]) -> set[int]:
    """Indices (into `positions`) of one longest increasing subsequence: the rows that did not move."""
    tails: list[int] = []
    ends: list[int] = []
    links = [-1] * len(positions)
    for i, p in enumerate(positions):
        k = bisect_left(tails, p)
        if k == len(tails):
            tails.append(p)
            ends.append(i)
        else:
            tails[k], ends[k] = p, i
        links[i] = ends[k - 1] if k else -1
    kept: set[int] = set()
    i = ends[-1] if ends else -1
    while i != -1:
        kept.add(i)
        i = links[i]
    return kept


def _row_keys(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Each row's match key: its id, and how many earlier rows had the same id (ids should be unique)."""
    seen: Counter[str] = Counter()
    keys = []
    for row in rows:
        rid = _text(row.get("id", ""))
        keys.append((rid, seen[rid]))
        seen[rid] += 1
    return keys


def _changed_cells(columns: list[dict[str, Any]], before: dict[str, Any],
                   after: dict[str, Any]) -> list[dict[str, Any]]:
    cells = []
    for col in columns:
        a, b = before.get(col["id"], ""), after.get(col["id"], "")
        if a == b:
            continue
        cell: dict[str, Any] = {"column": col["id"], "old": a, "new": b}
        if col["type"] == "text":
            cell["segments"] = words(_text(a), _text(b))
        elif col["type"] == "choice":
            cell["old_label"] = _option_label(col.get("options"), a)
            cell["new_label"] = _option_label(col.get("options"), b)
        cells.append(cell)
    return cells


def _table(field: dict[str, Any], old: Any, new: Any) -> dict[str, Any]:
    columns = field["columns"]
    old_rows = [r for r in (old if isinstance(old, list) else []) if isinstance(r, dict)]
    new_rows = [r for r in (new if isinstance(new, list) else []) if isinstance(r, dict)]
    old_keys, new_keys = _row_keys(old_rows), _row_keys(new_rows)
    old_at = {key: i for i, key in enumerate(old_keys)}
    still = set(new_keys)
    matched = [j for j, key in enumerate(new_keys) if key in old_at]
    in_order = _increasing_run([old_at[new_keys[j]] for j in matched])
    moved_at = {j for n, j in enumerate(matched) if n not in in_order}
    # A removed row is listed after the nearest earlier old row that is still there.
    removed_after: dict[tuple[str, int] | None, list[int]] = {}
    anchor: tuple[str, int] | None = None
    for i, key in enumerate(old_keys):
        if key in still:
            anchor = key
        else:
            removed_after.setdefault(anchor, []).append(i)

    rows: list[dict[str, Any]] = []
    lists: dict[str, list[str]] = {"added": [], "removed": [], "moved": [], "edited": []}

    def removed(after: tuple[str, int] | None) -> None:
        for i in removed_after.get(after, []):
            rows.append({"id": old_keys[i][0], "state": "removed", "moved": False, "edited": False,
                         "old_index": i, "new_index": None, "cells": old_rows[i]})
            lists["removed"].append(old_keys[i][0])

    removed(None)
    for j, key in enumerate(new_keys):
        if key not in old_at:
            rows.append({"id": key[0], "state": "added", "moved": False, "edited": False,
                         "old_index": None, "new_index": j, "cells": new_rows[j]})
            lists["added"].append(key[0])
        else:
            i = old_at[key]
            cells = _changed_cells(columns, old_rows[i], new_rows[j]) if old_rows[i] != new_rows[j] else []
            moved = j in moved_at
            state = "moved" if moved else "changed" if cells else "same"
            rows.append({"id": key[0], "state": state, "moved": moved, "edited": bool(cells),
                         "old_index": i, "new_index": j, "cells": new_rows[j], "changed_cells": cells})
            if moved:
                lists["moved"].append(key[0])
            if cells:
                lists["edited"].append(key[0])
        if key in old_at:
            removed(key)
    cols = []
    for col in columns:
        entry = {"id": col["id"], "kind": col["type"], "label": col["label"]}
        if col.get("options"):
            entry["options"] = [{"id": o["id"], "label": o["label"]} for o in col["options"]]
        cols.append(entry)
    return {"changed": any(lists.values()), "columns": cols, "rows": rows, **lists}


def _choices(field: dict[str, Any], old: Any, new: Any) -> dict[str, Any]:
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    labels = {o["id"]: o["label"] for o in field.get("options", [])}
    options = []
    for key in dict.fromkeys([*labels, *old, *new]):
        a = old.get(key) if isinstance(old.get(key), dict) else {}
        b = new.get(key) if isinstance(new.get(key), dict) else {}
        if a == b:
            continue
        old_just, new_just = _text(a.get("justification", "")), _text(b.get("justification", ""))
        options.append({"option": key, "label": labels.get(key),
                        "old_selected": bool(a.get("selected")), "new_selected": bool(b.get("selected")),
                        "justification": words(old_just, new_just), "justification_changed": old_just != new_just})
    return {"changed": bool(options), "options": options}


def field_diff(field: dict[str, Any], old: Any, new: Any) -> dict[str, Any]:
    """One document field's entry (see the module docstring)."""
    kind = field["type"]
    out: dict[str, Any] = {"id": field["id"], "kind": kind, "label": field.get("label", {}), "changed": old != new}
    if not out["changed"]:
        return out
    if kind in ("text", "rich_text"):
        a, b = (_text(old), _text(new)) if kind == "text" else (_text_value(old), _text_value(new))
        out["segments"] = words(a, b)
        out["formatting_only"] = a == b
        if kind == "rich_text":
            out["formatting_changed"] = a == b or _formatting_differs(old, new)
    elif kind == "table":
        out.update(_table(field, old, new))
    elif kind == "multi_choice":
        out.update(_choices(field, old, new))
    else:
        out["old"], out["new"] = old, new
        if kind == "choice":
            out["old_label"] = _option_label(field.get("options"), old)
            out["new_label"] = _option_label(field.get("options"), new)
    return out


def diff(template: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The per-field difference from canonical content `old` to `new`, in the template's order.

    Pure (no database, no document). A field missing on one side counts as empty there.
    """
    old_card, new_card = old.get("card") or {}, new.get("card") or {}
    by_id = {f["id"]: f for f in template["fields"]}
    card_keys = [f["id"] for f in template["fields"] if f.get("source", "document") == "card"]
    card_keys += [k for k in CARD_KEYS if k not in card_keys]
    card = []
    for key in card_keys:
        if old_card.get(key) != new_card.get(key):
            meta = by_id.get(key, {})
            card.append({"key": key, "kind": meta.get("type"), "label": meta.get("label"),
                         "old": old_card.get(key), "new": new_card.get(key)})
    old_fields, new_fields = old.get("fields") or {}, new.get("fields") or {}
    fields = []
    for field in template["fields"]:
        if field.get("source", "document") != "document":
            continue
        fid = field["id"]
        nothing = empty_value(field)
        fields.append(field_diff(field, old_fields.get(fid, nothing), new_fields.get(fid, nothing)))
    changed = sum(1 for f in fields if f["changed"])
    templates = (old.get("template"), new.get("template"))
    return {"changed": bool(card) or changed > 0 or templates[0] != templates[1],
            "template": {"changed": templates[0] != templates[1], "old": templates[0], "new": templates[1]},
            "card": card, "fields": fields,
            "counts": {"fields_changed": changed, "fields_unchanged": len(fields) - changed}}
