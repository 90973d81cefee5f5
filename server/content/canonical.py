"""A card's canonical content: one plain JSON value computed from its Yjs document.

The API returns it, the sign-off hash is taken over it, the exporters lay it out. Rich text
becomes a ProseMirror-style tree: {"type": "paragraph", "content": [{"type": "text",
"text": "…", "marks": [{"type": "bold"}]}]}. docs/document-model.md gives the whole shape.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any

from pycrdt import Doc, Map, Text, XmlElement, XmlFragment, XmlText

import schemas

from .layout import SCALAR_TYPES, root


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _marks(attrs: dict[str, Any] | None) -> list[dict[str, Any]]:
    marks = []
    for name, value in sorted((attrs or {}).items()):
        if value is None or value is False:
            continue
        mark: dict[str, Any] = {"type": name}
        if isinstance(value, dict):
            clean = {k: v for k, v in value.items() if v is not None}
            if clean:
                mark["attrs"] = clean
        marks.append(mark)
    return marks


def _text_nodes(xml_text: XmlText) -> list[dict[str, Any]]:
    nodes = []
    for chunk, attrs in xml_text.diff():
        if not isinstance(chunk, str) or not chunk:
            continue  # embeds are not part of the card template
        node: dict[str, Any] = {"type": "text", "text": _nfc(chunk)}
        marks = _marks(attrs)
        if marks:
            node["marks"] = marks
        # Merge neighbours with the same marks so the tree does not depend on edit history.
        if nodes and nodes[-1].get("marks") == node.get("marks"):
            nodes[-1]["text"] += node["text"]
        else:
            nodes.append(node)
    return nodes


def _element(element: XmlElement) -> dict[str, Any]:
    node: dict[str, Any] = {"type": element.tag}
    attrs = {k: v for k, v in dict(element.attributes).items() if v is not None}
    if attrs:
        node["attrs"] = dict(sorted(attrs.items()))
    content = _children(element)
    if content:
        node["content"] = content
    return node


def _children(parent: XmlFragment | XmlElement) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for child in parent.children:
        if isinstance(child, XmlText):
            out.extend(_text_nodes(child))
        elif isinstance(child, XmlElement):
            out.append(_element(child))
    return out


def rich_text_tree(fragment: XmlFragment) -> list[dict[str, Any]]:
    return _children(fragment)


def plain_text(value: Any) -> str:
    """The visible text of a field value (rich-text tree, table, string), for length rules."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [plain_text(v) for v in value]
        return "\n".join(p for p in parts if p)
    if isinstance(value, dict):
        if value.get("type") == "text":
            return value.get("text", "")
        if "content" in value:
            return "".join(plain_text(c) if c.get("type") == "text" else plain_text(c) + "\n"
                           for c in value["content"]).rstrip("\n")
        if value.get("type"):
            return ""
        return "\n".join(plain_text(v) for k, v in sorted(value.items()) if k != "id")
    return str(value)


def field_value(doc: Doc, field: dict[str, Any]) -> Any:
    kind = field["type"]
    target = root(doc, field)
    if kind == "text":
        return _nfc(str(target))
    if kind == "rich_text":
        return rich_text_tree(target)
    if kind == "table":
        rows = []
        for row in target:
            if not isinstance(row, Map):
                continue
            cells: dict[str, Any] = {"id": str(row.get("id", ""))}
            for col in field["columns"]:
                cell = row.get(col["id"])
                if isinstance(cell, Text):
                    cells[col["id"]] = _nfc(str(cell))
                else:
                    cells[col["id"]] = "" if cell is None else _nfc(str(cell))
            rows.append(cells)
        return rows
    if kind == "multi_choice":
        out = {}
        for option in field["options"]:
            entry = target.get(option["id"])
            selected = bool(entry.get("selected", False)) if isinstance(entry, Map) else False
            just = entry.get("justification") if isinstance(entry, Map) else None
            out[option["id"]] = {"selected": selected, "justification": _nfc(str(just)) if just is not None else ""}
        return out
    if kind in SCALAR_TYPES:
        value = target.get(field["id"])
        return "" if value is None else _nfc(str(value))
    raise ValueError(f"Unknown field type {kind!r}")


def document_content(doc: Doc, template: dict[str, Any]) -> dict[str, Any]:
    """The value of every document field of `template`, read in one transaction."""
    with doc.transaction():
        return {f["id"]: field_value(doc, f) for f in schemas.document_fields(template)}


def canonical_content(doc: Doc, template: dict[str, Any], card: dict[str, Any]) -> dict[str, Any]:
    """The card's canonical content.

    Args:
        doc: the card's Yjs document.
        template: the template the card's plan pins.
        card: the card metadata the template draws from the database (number, axis, lead,
            co_lead), as plain strings.
    """
    return {
        "template": {"id": template["id"], "version": template["version"]},
        "card": dict(sorted(card.items())),
        "fields": document_content(doc, template),
    }


def canonical_bytes(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical serialisation; what a sign-off is bound to."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()
