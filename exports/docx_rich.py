"""Rich text (the ProseMirror-style tree of a rich_text field) → Word paragraphs.

One handler per node type in a registry, as each editor node knows how to write itself. A node
type that has no handler raises UnknownNodeError: content is never dropped without a word.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from schemas.vocabulary import MARKS, is_safe_link, list_start

from .errors import UnknownMarkError, UnknownNodeError

if TYPE_CHECKING:
    from lxml import etree

    from .docx_xml import Writer
    from .review_anchors import Marks

EXPORTER = "docx"
LIST_INDENT = 360


@dataclass(frozen=True)
class Context:
    """Where blocks are written: the parent element, inside lists the list level, and in a
    review copy the comment ranges to cut runs at."""

    writer: Writer
    parent: etree._Element
    level: int = -1
    num_id: int | None = None
    marks: Marks | None = None


def inline_text(nodes: list[dict[str, Any]]) -> str:
    """The text of inline nodes, to decide a paragraph's direction before writing it."""
    return "".join(n.get("text", "") if n.get("type") == "text" else "\n" for n in nodes)


# -- blocks -----------------------------------------------------------------------------------

def _paragraph(node: dict[str, Any], ctx: Context, numbered: bool = False) -> None:
    children = node.get("content") or []
    rtl = ctx.writer.is_rtl(inline_text(children))
    if ctx.level >= 0:
        if numbered:
            p = ctx.writer.paragraph(ctx.parent, rtl, style_id="ListParagraph", num=(ctx.num_id, ctx.level))
        else:
            # A list item's later paragraphs line up with its text, without a marker.
            p = ctx.writer.paragraph(ctx.parent, rtl, style_id="ListParagraph",
                                     indent=LIST_INDENT * (ctx.level + 1))
    else:
        p = ctx.writer.paragraph(ctx.parent, rtl)
    for child in children:
        handler = INLINE_HANDLERS.get(child.get("type"))
        if handler is None:
            raise UnknownNodeError(child.get("type"), EXPORTER)
        handler(child, ctx, p, rtl)


def _list(node: dict[str, Any], ctx: Context) -> None:
    level = ctx.level + 1
    numbering = ctx.writer.numbering
    if numbering is None:
        raise RuntimeError("This writer has no numbering part; lists cannot be written")
    if node["type"] == "orderedList":
        start = list_start((node.get("attrs") or {}).get("start", 1)) or 1
        num_id = numbering.ordered(level, start)
    else:
        num_id = numbering.bullet()
    inner = replace(ctx, level=level, num_id=num_id)
    for item in node.get("content") or []:
        if item.get("type") != "listItem":
            raise UnknownNodeError(f"{item.get('type')} (directly inside {node['type']})", EXPORTER)
        _list_item(item, inner)


def _list_item(node: dict[str, Any], ctx: Context) -> None:
    if ctx.level < 0:
        # A list item outside a list: write it as a one-item bullet list rather than lose it.
        _list({"type": "bulletList", "content": [node]}, ctx)
        return
    children = node.get("content") or []
    marked = False
    for child in children:
        kind = child.get("type")
        if kind == "paragraph":
            _paragraph(child, ctx, numbered=not marked)
            marked = True
            continue
        if not marked:
            _paragraph({"type": "paragraph"}, ctx, numbered=True)
            marked = True
        if kind in ("bulletList", "orderedList"):
            _list(child, ctx)
        else:
            write_block(child, ctx)
    if not marked:
        _paragraph({"type": "paragraph"}, ctx, numbered=True)


BLOCK_HANDLERS: dict[str, Callable[[dict[str, Any], Context], None]] = {
    "paragraph": _paragraph,
    "bulletList": _list,
    "orderedList": _list,
    "listItem": _list_item,
}


# -- inline -----------------------------------------------------------------------------------

def _text(node: dict[str, Any], ctx: Context, p: etree._Element, rtl: bool) -> None:
    writer = ctx.writer
    flags = {"bold": False, "italic": False, "underline": False}
    href = None
    for mark in node.get("marks") or []:
        kind = mark.get("type")
        if kind not in MARKS:
            raise UnknownMarkError(kind, EXPORTER)
        if kind == "link":
            href = (mark.get("attrs") or {}).get("href")
        else:
            flags[kind] = True
    text = node.get("text") or ""
    # Links to anything but the web or mail keep their text and lose the target.
    link = is_safe_link(href)
    target = writer.hyperlink(p, href) if link else p

    def write(parent: etree._Element, chunk: str) -> None:
        writer.runs(parent, chunk, rtl, link=link, **flags)

    if ctx.marks is None:
        write(target, text)
    else:
        ctx.marks.write_node(target, node, text, write)


def _hard_break(node: dict[str, Any], ctx: Context, p: etree._Element, rtl: bool) -> None:
    if ctx.marks is None:
        ctx.writer.line_break(p)
    else:
        # A hard break is one character ("\n") of the anchor text: a range may hold it.
        ctx.marks.write_node(p, node, "\n", lambda parent, _: ctx.writer.line_break(parent))


INLINE_HANDLERS: dict[str, Callable[[dict[str, Any], Context, etree._Element, bool], None]] = {
    "text": _text,
    "hardBreak": _hard_break,
}


def write_block(node: dict[str, Any], ctx: Context) -> None:
    """Write one block node.

    Raises:
        UnknownNodeError: for a node type without a handler.
    """
    kind = node.get("type") if isinstance(node, dict) else None
    handler = BLOCK_HANDLERS.get(kind)
    if handler is not None:
        handler(node, ctx)
    elif kind in INLINE_HANDLERS:
        _paragraph({"type": "paragraph", "content": [node]}, ctx)
    else:
        raise UnknownNodeError(kind, EXPORTER)


def write_rich_text(writer: Writer, parent: etree._Element, nodes: Any, marks: Marks | None = None) -> None:
    """Write a rich-text value (a list of block nodes) into `parent` (a cell or the body).

    Args:
        marks: in a review copy, the comment ranges of this value.

    Raises:
        UnknownNodeError: for a node or mark type without a handler.
    """
    if not isinstance(nodes, list):
        raise UnknownNodeError(type(nodes).__name__, EXPORTER)
    ctx = Context(writer, parent, marks=marks)
    for node in nodes:
        write_block(node, ctx)
    if not nodes:
        writer.paragraph(parent, writer.style.rtl)
