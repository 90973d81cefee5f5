"""Server-side writes into a card's document (API edits, Word import, demo data).

Values are in canonical shape and must have passed validation.validate_fields first. Writes
are ordinary Yjs edits made in one transaction with SERVER_ORIGIN, so they merge with whatever
people are typing at the same moment.
"""
from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map, Text, XmlElement, XmlFragment, XmlText

import schemas

from .layout import SCALAR_TYPES, SERVER_ORIGIN, new_row_id, root


def set_text(target: Text, value: str) -> None:
    """Replace a Text's content, touching only the part that changed."""
    old = str(target)
    if old == value:
        return
    start = 0
    limit = min(len(old), len(value))
    while start < limit and old[start] == value[start]:
        start += 1
    end_old, end_new = len(old), len(value)
    while end_old > start and end_new > start and old[end_old - 1] == value[end_new - 1]:
        end_old -= 1
        end_new -= 1
    # pycrdt indexes Text by UTF-8 bytes, not characters: "é" or any Arabic letter is two.
    at = len(old[:start].encode("utf-8"))
    if end_old > start:
        del target[at:at + len(old[start:end_old].encode("utf-8"))]
    if end_new > start:
        target.insert(at, value[start:end_new])


def _mark_attrs(marks: list[dict[str, Any]]) -> dict[str, Any] | None:
    attrs = {m["type"]: dict(m.get("attrs") or {}) for m in marks}
    return attrs or None


def _build(node: dict[str, Any]) -> XmlElement:
    element = XmlElement(node["type"], dict(node.get("attrs") or {}))
    return element


def _fill(parent: XmlFragment | XmlElement, nodes: list[dict[str, Any]]) -> None:
    text: XmlText | None = None
    for node in nodes:
        if node["type"] == "text":
            if text is None:
                text = XmlText()
                parent.children.append(text)
            attrs = _mark_attrs(node.get("marks", []))
            text.insert(len(text), node["text"], attrs)
            continue
        text = None
        element = parent.children.append(_build(node))
        _fill(element, node.get("content", []))


def set_rich_text(fragment: XmlFragment, tree: list[dict[str, Any]]) -> None:
    with fragment.doc.transaction():
        if len(fragment.children):
            del fragment.children[0:len(fragment.children)]
        _fill(fragment, tree or [{"type": "paragraph"}])


def _cell(col: dict[str, Any], value: Any) -> Any:
    return Text(value) if col["type"] == "text" else value


def _write_table(target, field: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Make the table hold `rows`, in that order. A row keeps its identity (and what people
    are typing in it) where it already is; a row that has to move is taken out and put back
    at its place with its id, as the editor's "move row" does."""
    columns = field["columns"]
    wanted = [str(row.get("id") or new_row_id()) for row in rows]
    for index in range(len(target) - 1, -1, -1):
        row = target[index]
        if not isinstance(row, Map) or str(row.get("id")) not in wanted:
            del target[index]
    for i, (rid, row) in enumerate(zip(wanted, rows)):
        current = target[i] if i < len(target) else None
        if current is not None and str(current.get("id")) == rid:
            for col in columns:
                if col["id"] not in row:
                    continue
                if col["type"] == "text" and isinstance(current.get(col["id"]), Text):
                    set_text(current[col["id"]], row[col["id"]])
                else:
                    current[col["id"]] = row[col["id"]]
            continue
        kept: dict[str, Any] = {}
        for j in range(i + 1, len(target)):
            if str(target[j].get("id")) == rid:
                kept = {key: str(value) if isinstance(value, Text) else value
                        for key, value in target[j].items()}
                del target[j]
                break
        cells: dict[str, Any] = {"id": rid}
        for col in columns:
            cells[col["id"]] = _cell(col, row.get(col["id"], kept.get(col["id"], "")))
        target.insert(i, Map(cells))


def write_field(doc: Doc, field: dict[str, Any], value: Any) -> None:
    kind = field["type"]
    target = root(doc, field)
    if kind == "text":
        set_text(target, value)
    elif kind == "rich_text":
        set_rich_text(target, value)
    elif kind == "table":
        _write_table(target, field, value)
    elif kind == "multi_choice":
        for option_id, entry in value.items():
            current = target.get(option_id)
            if not isinstance(current, Map):
                target[option_id] = Map({"selected": bool(entry.get("selected")),
                                         "justification": Text(entry.get("justification", ""))})
                continue
            if "selected" in entry:
                current["selected"] = bool(entry["selected"])
            if "justification" in entry:
                set_text(current["justification"], entry["justification"])
    elif kind in SCALAR_TYPES:
        target[field["id"]] = value
    else:
        raise ValueError(f"Unknown field type {kind!r}")


def write_fields(doc: Doc, template: dict[str, Any], values: dict[str, Any], origin: str = SERVER_ORIGIN) -> None:
    """Write several validated field values in one transaction."""
    fields = schemas.field_map(template)
    with doc.transaction(origin=origin):
        for fid, value in values.items():
            write_field(doc, fields[fid], value)
