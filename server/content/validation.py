"""Checks that field values given from outside (API, Word import) fit the template.

These are hard shape rules: a value that breaks them is refused with a message naming the
field. Soft drafting rules (lengths, dates inside the plan period…) are criteria instead, since a
card is allowed to be unfinished while people write it.
"""
from __future__ import annotations

from typing import Any

import schemas
from schemas.vocabulary import (
    BLOCK_NODES,
    DATE_FORMAT,
    INLINE_NODES,
    LIST_NODES,
    MARKS,
    MAX_DEPTH,
    MAX_TEXT,
    MONTH_FORMAT,
    TOP_NODES,
    is_date,
    is_month,
    is_safe_link,
    list_start,
    text_problem,
)


class FieldError(ValueError):
    """A value that does not fit its field. `field` names it, e.g. "milestones[2].start"."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_text(path: str, value: Any, multiline: bool = True, limit: int = MAX_TEXT) -> str:
    """Refuse what no text may hold: lone surrogates, control characters, too many characters.

    Args:
        path: the field's name, for the error.
        value: the text.
        multiline: whether \n and \t are allowed (multi-line text fields, cells, justifications,
            rich text); C0 controls, DEL and C1 controls never are.
        limit: the most characters allowed.

    Returns:
        `value`, unchanged.

    Raises:
        FieldError: naming `path`.
    """
    if not isinstance(value, str):
        raise FieldError(path, "must be a string")
    if len(value) > limit:
        raise FieldError(path, f"is longer than {limit} characters")
    problem = text_problem(value, multiline)
    if problem is not None:
        raise FieldError(path, f"{problem}; remove it")
    return value


def _text(path: str, value: Any, multiline: bool = True) -> None:
    check_text(path, value, multiline)


def _scalar(path: str, kind: str, value: Any, spec: dict[str, Any]) -> None:
    _text(path, value, multiline=False)
    if value == "":
        return
    if kind == "month" and not is_month(value):
        raise FieldError(path, f"must be a month written {MONTH_FORMAT}")
    if kind == "date" and not is_date(value):
        raise FieldError(path, f"must be a date written {DATE_FORMAT}")
    if kind == "choice":
        allowed = {o["id"] for o in spec["options"]}
        if value not in allowed:
            raise FieldError(path, f"must be one of {', '.join(sorted(allowed))}")


# What each node may hold, as the editor's schema says (canonical content reshapes the rest).
_CHILDREN = {"paragraph": INLINE_NODES, "listItem": BLOCK_NODES - {"listItem"}, "hardBreak": frozenset(),
             "bulletList": frozenset({"listItem"}), "orderedList": frozenset({"listItem"})}


def _attrs(path: str, kind: str, attrs: Any) -> None:
    if attrs is None:
        return
    if not isinstance(attrs, dict):
        raise FieldError(path, "attrs must be an object")
    for name, value in attrs.items():
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise FieldError(path, f"attribute {name!r} must be a string, a number or a boolean")
        if isinstance(value, str):
            check_text(f"{path}.attrs.{name}", value, multiline=False)
    if kind in LIST_NODES and attrs.get("start") is not None and list_start(attrs["start"]) is None:
        raise FieldError(path, "an ordered list's start must be a positive integer")


def _rich_node(path: str, node: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise FieldError(path, "is nested too deeply")
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        raise FieldError(path, "every rich-text node must be an object with a type")
    kind = node["type"]
    if kind == "text":
        _text(path, node.get("text"))
        marks = node.get("marks", [])
        if not isinstance(marks, list):
            raise FieldError(path, "marks must be a list")
        for mark in marks:
            if not isinstance(mark, dict) or mark.get("type") not in MARKS:
                raise FieldError(path, f"marks must be among {', '.join(sorted(MARKS))}")
            _attrs(path, mark["type"], mark.get("attrs"))
            if mark["type"] == "link":
                href = (mark.get("attrs") or {}).get("href", "")
                if not is_safe_link(href):
                    raise FieldError(path, "links must start with http://, https:// or mailto:")
        return
    if kind not in BLOCK_NODES | INLINE_NODES:
        raise FieldError(path, f"node type {kind!r} is not allowed in rich text")
    _attrs(path, kind, node.get("attrs"))
    content = node.get("content", [])
    if not isinstance(content, list):
        raise FieldError(path, "content must be a list")
    for i, child in enumerate(content):
        where = f"{path}.content[{i}]"
        _rich_node(where, child, depth + 1)
        if child["type"] not in _CHILDREN[kind]:
            raise FieldError(where, f"a {child['type']} cannot stand inside a {kind}")


def validate_field(field: dict[str, Any], value: Any) -> None:
    """Raise FieldError unless `value` is a valid value of `field` (canonical shape)."""
    fid, kind = field["id"], field["type"]
    if field.get("source") == "card":
        raise FieldError(fid, "is card metadata; change it through the card's settings")
    if kind == "text":
        _text(fid, value, multiline=bool(field.get("multiline")))
    elif kind == "rich_text":
        if not isinstance(value, list):
            raise FieldError(fid, "must be a list of paragraphs or lists")
        for i, node in enumerate(value):
            _rich_node(f"{fid}[{i}]", node, 0)
            if node["type"] not in TOP_NODES:
                raise FieldError(f"{fid}[{i}]", "top-level nodes must be paragraphs or lists")
    elif kind == "table":
        if not isinstance(value, list):
            raise FieldError(fid, "must be a list of rows")
        if len(value) > field.get("max_rows", 1000):
            raise FieldError(fid, f"has more than {field.get('max_rows')} rows")
        columns = {c["id"]: c for c in field["columns"]}
        for i, row in enumerate(value):
            if not isinstance(row, dict):
                raise FieldError(f"{fid}[{i}]", "each row must be an object")
            for key, cell in row.items():
                if key == "id":
                    _text(f"{fid}[{i}].id", cell, multiline=False)
                    continue
                if key not in columns:
                    raise FieldError(f"{fid}[{i}].{key}", "is not a column of this table")
                col = columns[key]
                if col["type"] == "text":
                    _text(f"{fid}[{i}].{key}", cell)  # cells are multi-line, as Word cells are
                else:
                    _scalar(f"{fid}[{i}].{key}", col["type"], cell, col)
    elif kind == "multi_choice":
        if not isinstance(value, dict):
            raise FieldError(fid, "must be an object keyed by option")
        allowed = {o["id"] for o in field["options"]}
        for key, entry in value.items():
            if key not in allowed:
                raise FieldError(f"{fid}.{key}", f"is not an option (options: {', '.join(sorted(allowed))})")
            if not isinstance(entry, dict) or not isinstance(entry.get("selected", False), bool):
                raise FieldError(f"{fid}.{key}", "must be {\"selected\": bool, \"justification\": string}")
            _text(f"{fid}.{key}.justification", entry.get("justification", ""))
    else:
        _scalar(fid, kind, value, field)


def validate_fields(template: dict[str, Any], values: Any) -> None:
    """Validate a {field_id: value} mapping; unknown field ids are errors too."""
    if not isinstance(values, dict):
        raise FieldError("fields", "must be an object keyed by field id")
    known = schemas.field_map(template)
    for fid, value in values.items():
        if fid not in known:
            raise FieldError(fid, "is not a field of this card's template")
        validate_field(known[fid], value)
