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

from pycrdt import Doc, Map, XmlElement, XmlFragment, XmlText

import schemas
from schemas import vocabulary

from .layout import SCALAR_TYPES, root


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _clean(text: str, problems: Problems, path: str, multiline: bool = True) -> str:
    """Text as stored: control characters and lone surrogates removed (reported), then NFC."""
    if vocabulary.text_problem(text, multiline) is not None:
        problems.add(path, "control_characters", "control characters or lone surrogates were removed")
        text = vocabulary.clean_text(text, multiline)
    return _nfc(text)


class Problems:
    """What the canonical view had to drop or reshape, for the API and the card page to show.

    Each entry is {"field": field id, "path": where, "code": one of CODES, "detail": text}. The
    list is capped so that a poisoned document cannot make it huge.
    """

    CODES = ("unknown_node", "unknown_mark", "unsafe_link", "bad_attribute", "too_deep", "misplaced_node",
             "control_characters", "unreadable_field")
    LIMIT = 50

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []
        self.field = ""

    def add(self, path: str, code: str, detail: str) -> None:
        if len(self.items) < self.LIMIT:
            self.items.append({"field": self.field, "path": path, "code": code, "detail": detail})


def _scalar_attr(value: Any, problems: Problems, path: str, name: str) -> Any:
    """An attribute value kept as it is when it is a JSON scalar; None (dropped) otherwise."""
    if isinstance(value, str):
        return _clean(value, problems, path, multiline=False)
    if isinstance(value, (bool, int, float)):
        return value
    problems.add(path, "bad_attribute", f"attribute {name!r} is not a plain value and was dropped")
    return None


def _marks(attrs: dict[str, Any] | None, problems: Problems, path: str) -> list[dict[str, Any]]:
    marks = []
    for name, value in sorted((attrs or {}).items()):
        if value is None or value is False:
            continue
        if name not in vocabulary.MARKS:
            problems.add(path, "unknown_mark", f"text mark {name!r} is not part of the template; its text is kept")
            continue
        mark: dict[str, Any] = {"type": name}
        if isinstance(value, dict):
            clean = {}
            for key, item in value.items():
                kept = None if item is None else _scalar_attr(item, problems, path, key)
                if kept is not None:
                    clean[key] = kept
            if clean:
                mark["attrs"] = clean
        if name == "link" and not vocabulary.is_safe_link((mark.get("attrs") or {}).get("href")):
            problems.add(path, "unsafe_link", "a link that is not http, https or mailto was removed; its text is kept")
            continue
        marks.append(mark)
    return marks


def _text_nodes(xml_text: XmlText, problems: Problems, path: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for chunk, attrs in xml_text.diff():
        if not isinstance(chunk, str) or not chunk:
            continue  # embeds are not part of the card template
        text = _clean(chunk, problems, path)
        if not text:
            continue
        node: dict[str, Any] = {"type": "text", "text": text}
        marks = _marks(attrs, problems, path)
        if marks:
            node["marks"] = marks
        # Merge neighbours with the same marks so the tree does not depend on edit history.
        if nodes and nodes[-1].get("marks") == node.get("marks"):
            nodes[-1]["text"] += node["text"]
        else:
            nodes.append(node)
    return nodes


def _attrs(element: XmlElement, problems: Problems, path: str) -> dict[str, Any]:
    attrs = {}
    for name, value in sorted(dict(element.attributes).items()):
        if value is None:
            continue
        kept = _scalar_attr(value, problems, path, name)
        if kept is None:
            continue
        if name == "start" and element.tag == "orderedList" and vocabulary.list_start(kept) is None:
            problems.add(path, "bad_attribute", f"list start {kept!r} is not a positive integer and was dropped")
            continue
        attrs[name] = kept
    return attrs


def _flat_inline(parent: XmlFragment | XmlElement, problems: Problems, path: str) -> list[dict[str, Any]]:
    """Every text below `parent`, as inline nodes, walked without recursion (any depth is safe).

    Runs that came from different elements are kept apart by a hard break.
    """
    out: list[dict[str, Any]] = []
    stack = [iter(parent.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, XmlText):
            nodes = _text_nodes(child, problems, path)
            if nodes and out and out[-1]["type"] == "text":
                out.append({"type": "hardBreak"})
            out.extend(nodes)
        elif isinstance(child, XmlElement):
            if child.tag == "hardBreak" and out and out[-1]["type"] != "hardBreak":
                out.append({"type": "hardBreak"})
            stack.append(iter(child.children))
    return out


# Where a node sits decides what it may hold: blocks (the field, a list item), list items (a
# list), or inline content (a paragraph). Anything else is reshaped so every exporter can lay it
# out; content that already fits (everything the editor writes) passes unchanged.
BLOCKS, ITEMS, INLINE = "blocks", "items", "inline"


def _place(nodes: list[dict[str, Any]], context: str) -> list[dict[str, Any]]:
    """Wrap nodes that do not fit `context`: loose inline runs in a paragraph, blocks in items."""
    out: list[dict[str, Any]] = []
    for node in nodes:
        kind = node["type"]
        if context == BLOCKS:
            if kind in vocabulary.INLINE_NODES:
                if out and out[-1].get("_wrap"):
                    out[-1]["content"].append(node)
                else:
                    out.append({"type": "paragraph", "content": [node], "_wrap": True})
                continue
            if kind == "listItem":
                node = {"type": "bulletList", "content": [node]}
        elif context == ITEMS and kind != "listItem":
            node = {"type": "listItem", "content": _place([node], BLOCKS)}
        out.append(node)
    for node in out:
        node.pop("_wrap", None)
    return out


def _convert(parent: XmlFragment | XmlElement, context: str, depth: int, problems: Problems,
             path: str) -> list[dict[str, Any]]:
    """The children of `parent` as canonical nodes fitting `context`.

    Recursion is bounded by vocabulary.MAX_DEPTH: deeper content is flattened to its text.
    """
    out: list[dict[str, Any]] = []
    misplaced = False
    for index, child in enumerate(parent.children):
        where = f"{path}[{index}]"
        if isinstance(child, XmlText):
            nodes = _text_nodes(child, problems, where)
            misplaced |= context != INLINE and bool(nodes)
            out.extend(nodes)
            continue
        if not isinstance(child, XmlElement):
            continue
        tag = child.tag
        if depth >= vocabulary.MAX_DEPTH:
            problems.add(where, "too_deep", f"content nested deeper than {vocabulary.MAX_DEPTH} levels was flattened")
            out.extend(_flat_inline(child, problems, where))
            misplaced |= context != INLINE
            continue
        if tag not in vocabulary.NODE_TYPES or tag == "text":
            problems.add(where, "unknown_node", f"node {tag!r} is not part of the template; its text is kept")
            out.extend(_convert(child, context, depth + 1, problems, where))
            continue
        if context == INLINE and tag not in vocabulary.INLINE_NODES:
            problems.add(where, "misplaced_node", f"a {tag} inside a paragraph was flattened to its text")
            if out:
                out.append({"type": "hardBreak"})
            out.extend(_flat_inline(child, problems, where))
            continue
        node: dict[str, Any] = {"type": tag}
        attrs = _attrs(child, problems, where)
        if attrs:
            node["attrs"] = attrs
        inner = {"paragraph": INLINE, "listItem": BLOCKS, "hardBreak": None}.get(tag, ITEMS)
        if inner is None:
            if len(child.children):
                problems.add(where, "misplaced_node", "a line break cannot hold content; it was dropped")
        else:
            content = _convert(child, inner, depth + 1, problems, where)
            if content:
                node["content"] = content
        misplaced |= (context == BLOCKS and tag in vocabulary.INLINE_NODES | {"listItem"}) or \
                     (context == ITEMS and tag != "listItem")
        out.append(node)
    if misplaced:
        problems.add(path, "misplaced_node", "content outside a paragraph or list item was wrapped")
        out = _place(out, context)
    return out


def rich_text_tree(fragment: XmlFragment, problems: Problems | None = None) -> list[dict[str, Any]]:
    """A rich-text field as canonical nodes; what had to change is added to `problems`."""
    return _convert(fragment, BLOCKS, 0, problems if problems is not None else Problems(), "")


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


def _cell(value: Any, problems: Problems, path: str, multiline: bool) -> str:
    return "" if value is None else _clean(str(value), problems, path, multiline)


def field_value(doc: Doc, field: dict[str, Any], problems: Problems | None = None) -> Any:
    """One document field's canonical value (docs/document-model.md)."""
    problems = problems if problems is not None else Problems()
    kind, fid = field["type"], field["id"]
    target = root(doc, field)
    if kind == "text":
        return _clean(str(target), problems, fid)
    if kind == "rich_text":
        return rich_text_tree(target, problems)
    if kind == "table":
        rows = []
        for index, row in enumerate(target):
            if not isinstance(row, Map):
                continue
            where = f"{fid}[{index}]"
            cells: dict[str, Any] = {"id": _cell(row.get("id", ""), problems, f"{where}.id", False)}
            for col in field["columns"]:
                cells[col["id"]] = _cell(row.get(col["id"]), problems, f"{where}.{col['id']}", col["type"] == "text")
            rows.append(cells)
        return rows
    if kind == "multi_choice":
        out = {}
        for option in field["options"]:
            entry = target.get(option["id"])
            selected = bool(entry.get("selected", False)) if isinstance(entry, Map) else False
            just = entry.get("justification") if isinstance(entry, Map) else None
            out[option["id"]] = {"selected": selected,
                                 "justification": _cell(just, problems, f"{fid}.{option['id']}", True)}
        return out
    if kind in SCALAR_TYPES:
        return _cell(target.get(fid), problems, fid, False)
    raise ValueError(f"Unknown field type {kind!r}")


def document_content(doc: Doc, template: dict[str, Any], problems: Problems | None = None) -> dict[str, Any]:
    """The value of every document field of `template`, read in one transaction.

    Never raises for what a document holds: a field that cannot be read at all (a root of the
    wrong type, say) gets its empty value and an "unreadable_field" problem.
    """
    problems = problems if problems is not None else Problems()
    out = {}
    with doc.transaction():
        for field in schemas.document_fields(template):
            problems.field = field["id"]
            try:
                out[field["id"]] = field_value(doc, field, problems)
            except Exception as exc:
                problems.add(field["id"], "unreadable_field", f"the field could not be read ({type(exc).__name__})")
                out[field["id"]] = empty_value(field)
    return out


def empty_value(field: dict[str, Any]) -> Any:
    """A field's value when it holds nothing (also the diff's for a field a version lacks)."""
    kind = field["type"]
    if kind in ("rich_text", "table"):
        return []
    if kind == "multi_choice":
        return {o["id"]: {"selected": False, "justification": ""} for o in field["options"]}
    return ""


def empty_content(template: dict[str, Any], card: dict[str, Any]) -> dict[str, Any]:
    """Canonical content with every field empty: what stands in for a card that cannot be read."""
    return {"template": {"id": template["id"], "version": template["version"]},
            "card": dict(sorted(card.items())),
            "fields": {f["id"]: empty_value(f) for f in schemas.document_fields(template)}}


def read_content(doc: Doc, template: dict[str, Any],
                 card: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The card's canonical content and the problems met computing it.

    Args:
        doc: the card's Yjs document.
        template: the template the card's plan pins.
        card: the card metadata the template draws from the database (number, axis, lead,
            co_lead), as plain strings.

    Returns:
        (content, problems): problems is [] for a document holding only what the template
        allows; otherwise each entry says what was dropped or reshaped (Problems).
    """
    problems = Problems()
    content = {
        "template": {"id": template["id"], "version": template["version"]},
        "card": dict(sorted(card.items())),
        "fields": document_content(doc, template, problems),
    }
    return content, problems.items


def canonical_content(doc: Doc, template: dict[str, Any], card: dict[str, Any]) -> dict[str, Any]:
    """The card's canonical content (read_content without the problems)."""
    return read_content(doc, template, card)[0]


def canonical_bytes(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical serialisation; what a sign-off is bound to."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()
