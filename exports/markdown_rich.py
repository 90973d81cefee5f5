"""Rich text → CommonMark, through a registry of node handlers, with every user text escaped.

Text people typed must come out as text: "*", "[", "<script>" or a leading "#" never turn into
Markdown syntax or HTML. Underline has no Markdown form and is written as plain text; links
keep only web and mail targets.
"""
from __future__ import annotations

import re
from typing import Any
from collections.abc import Callable
from urllib.parse import quote

from schemas.vocabulary import MARKS, is_safe_link, list_start

from .errors import UnknownMarkError, UnknownNodeError

EXPORTER = "markdown"
# Inline characters that could start Markdown syntax, entities or HTML anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# Line starts that would make a heading, list, quote, setext underline or thematic break.
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
HARD_BREAK = "\\\n"


def escape_inline(text: str) -> str:
    """Backslash-escape Markdown punctuation inside a line (all of it valid CommonMark)."""
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def escape_line_start(line: str) -> str:
    """Escape what would make a block marker at the start of a line; drop leading spaces.

    Leading spaces would turn four-space-indented lines into code blocks.
    """
    line = line.lstrip(" \t")
    match = _LINE_START.match(line)
    if not match:
        return line
    marker = match.group(2)
    if marker[0].isdigit():
        return marker[:-1] + "\\" + marker[-1] + line[match.end():]
    return "\\" + line


def escape_text(text: str) -> str:
    """A plain string as Markdown text: escaped, its line breaks as hard breaks."""
    return HARD_BREAK.join(escape_line_start(escape_inline(line)) for line in text.split("\n"))


def cell_text(text: str) -> str:
    """A string for a pipe-table cell: escaped, pipes escaped, newlines folded into spaces."""
    return escape_inline(" ".join(part.strip() for part in text.split("\n"))).strip()


def safe_url(href: Any) -> str | None:
    if not is_safe_link(href):
        return None
    return quote(href.strip(), safe="/:?#[]@!$&'*+,;=%~-._")


# -- inline -----------------------------------------------------------------------------------

def _text(node: dict[str, Any]) -> str:
    bold = italic = False
    href = None
    for mark in node.get("marks") or []:
        kind = mark.get("type")
        if kind not in MARKS:
            raise UnknownMarkError(kind, EXPORTER)
        if kind == "bold":
            bold = True
        elif kind == "italic":
            italic = True
        elif kind == "link":
            href = safe_url((mark.get("attrs") or {}).get("href"))
    raw = node.get("text") or ""
    lines = raw.split("\n")
    out = []
    for line in lines:
        core = line.strip()
        if not core:
            out.append(line)
            continue
        lead, trail = line[:len(line) - len(line.lstrip())], line[len(line.rstrip()):]
        # Delimiters hug the text: "** a**" is not bold in CommonMark.
        inner = escape_inline(core)
        if italic:
            inner = f"*{inner}*"
        if bold:
            inner = f"**{inner}**"
        if href:
            inner = f"[{inner}]({href})"
        out.append(lead + inner + trail)
    return HARD_BREAK.join(out)


def _hard_break(node: dict[str, Any]) -> str:
    return HARD_BREAK


INLINE_HANDLERS: dict[str, Callable[[dict[str, Any]], str]] = {"text": _text, "hardBreak": _hard_break}


def inline(nodes: list[dict[str, Any]]) -> str:
    parts = []
    for node in nodes:
        handler = INLINE_HANDLERS.get(node.get("type"))
        if handler is None:
            raise UnknownNodeError(node.get("type"), EXPORTER)
        parts.append(handler(node))
    text = "".join(parts)
    return "\n".join(escape_line_start(line) for line in text.split("\n"))


# -- blocks -----------------------------------------------------------------------------------

def _paragraph(node: dict[str, Any], alternate: bool) -> list[str]:
    text = inline(node.get("content") or [])
    return text.split("\n") if text.strip() else []


def _list(node: dict[str, Any], alternate: bool) -> list[str]:
    ordered = node["type"] == "orderedList"
    start = (list_start((node.get("attrs") or {}).get("start", 1)) or 1) if ordered else 1
    lines: list[str] = []
    for index, item in enumerate(node.get("content") or []):
        if item.get("type") != "listItem":
            raise UnknownNodeError(f"{item.get('type')} (directly inside {node['type']})", EXPORTER)
        if ordered:
            marker = f"{start + index}{')' if alternate else '.'} "
        else:
            marker = "* " if alternate else "- "
        body = blocks(item.get("content") or [], tight=True) or [""]
        pad = " " * len(marker)
        lines.append(marker + body[0])
        lines.extend(pad + line if line else "" for line in body[1:])
    return lines


def _list_item(node: dict[str, Any], alternate: bool) -> list[str]:
    return _list({"type": "bulletList", "content": [node]}, alternate)


BLOCK_HANDLERS: dict[str, Callable[[dict[str, Any], bool], list[str]]] = {
    "paragraph": _paragraph,
    "bulletList": _list,
    "orderedList": _list,
    "listItem": _list_item,
}


def blocks(nodes: list[dict[str, Any]], tight: bool = False) -> list[str]:
    """Markdown lines for a list of block nodes.

    Two lists in a row alternate their marker ("-"/"*", "."/")") so that CommonMark keeps them
    apart, as the editor does.

    Raises:
        UnknownNodeError: for a node or mark type without a handler.
    """
    out: list[str] = []
    previous_kind = None
    alternate = False
    for node in nodes:
        kind = node.get("type") if isinstance(node, dict) else None
        handler = BLOCK_HANDLERS.get(kind)
        if handler is None:
            if kind in INLINE_HANDLERS:
                handler, node = _paragraph, {"type": "paragraph", "content": [node]}
            else:
                raise UnknownNodeError(kind, EXPORTER)
        alternate = (not alternate) if kind == previous_kind and kind != "paragraph" else False
        lines = handler(node, alternate)
        previous_kind = kind
        if not lines:
            continue
        if out and not (tight and kind in ("bulletList", "orderedList")):
            out.append("")
        out.extend(lines)
    return out


def rich_markdown(nodes: Any) -> str:
    """A rich-text value as Markdown ("" when it holds no text)."""
    if not isinstance(nodes, list):
        raise UnknownNodeError(type(nodes).__name__, EXPORTER)
    return "\n".join(blocks(nodes))
