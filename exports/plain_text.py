"""Rich text → plain text, for open data and search: the words, with lists and line breaks.

Like the other exporters it walks the tree through a registry of node handlers and refuses a
node type it does not know.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

from schemas.vocabulary import MARKS, list_start

from .errors import UnknownMarkError, UnknownNodeError

EXPORTER = "text"


def _inline(nodes: list[dict[str, Any]]) -> str:
    out = []
    for node in nodes:
        kind = node.get("type")
        if kind == "text":
            for mark in node.get("marks") or []:
                if mark.get("type") not in MARKS:
                    raise UnknownMarkError(mark.get("type"), EXPORTER)
            out.append(node.get("text") or "")
        elif kind == "hardBreak":
            out.append("\n")
        else:
            raise UnknownNodeError(kind, EXPORTER)
    return "".join(out)


def _paragraph(node: dict[str, Any], depth: int) -> list[str]:
    return _inline(node.get("content") or []).split("\n")


def _list(node: dict[str, Any], depth: int) -> list[str]:
    ordered = node["type"] == "orderedList"
    start = list_start((node.get("attrs") or {}).get("start", 1)) or 1
    lines = []
    for index, item in enumerate(node.get("content") or []):
        if item.get("type") != "listItem":
            raise UnknownNodeError(item.get("type"), EXPORTER)
        marker = f"{start + index}. " if ordered else "- "
        body = _blocks(item.get("content") or [], depth + 1) or [""]
        indent = "  " * depth
        lines.append(indent + marker + body[0].lstrip())
        lines.extend(body[1:])
    return lines


def _list_item(node: dict[str, Any], depth: int) -> list[str]:
    return _list({"type": "bulletList", "content": [node]}, depth)


HANDLERS: dict[str, Callable[[dict[str, Any], int], list[str]]] = {
    "paragraph": _paragraph,
    "bulletList": _list,
    "orderedList": _list,
    "listItem": _list_item,
}


def _blocks(nodes: list[dict[str, Any]], depth: int) -> list[str]:
    lines: list[str] = []
    for node in nodes:
        kind = node.get("type") if isinstance(node, dict) else None
        handler = HANDLERS.get(kind)
        if handler is None:
            raise UnknownNodeError(kind, EXPORTER)
        lines.extend(handler(node, depth))
    return lines


def rich_plain_text(nodes: Any) -> str:
    """The text of a rich-text value: one line per paragraph, "- " and "1. " before list items.

    Raises:
        UnknownNodeError: for a node or mark type without a handler.
    """
    if not isinstance(nodes, list):
        raise UnknownNodeError(type(nodes).__name__, EXPORTER)
    return "\n".join(_blocks(nodes, 0)).strip("\n")
