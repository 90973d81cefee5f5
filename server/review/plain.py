"""A field's *anchor text*: the plain text that comment ranges are offsets into.

Offsets are Unicode code points. A text field or a table text cell is its string. A rich-text
field is its text blocks (paragraphs, wherever they sit: in list items too) in document order,
joined by "\n"; inside a block, a hard break is "\n". The same text is computed from the live
document (to anchor and resolve ranges) and from canonical content (to place ranges in an
export), so both agree on every offset of text the editor wrote.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Kinds of field a range can be anchored in; other fields take whole-field threads only.
RANGE_TYPES = frozenset({"text", "rich_text"})


@dataclass
class Piece:
    """An inline text node of canonical content and where its text sits in the anchor text."""

    node: dict[str, Any]
    start: int
    end: int


@dataclass
class Block:
    """A paragraph of canonical rich text (or a plain string) and its pieces."""

    node: dict[str, Any] | None
    start: int
    pieces: list[Piece] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.pieces[-1].end if self.pieces else self.start


def canonical_blocks(value: Any) -> list[Block]:
    """The blocks of a canonical field value (rich-text node list or string), with offsets."""
    if isinstance(value, str):
        return [Block(None, 0, [Piece({"type": "text", "text": value}, 0, len(value))])]
    blocks: list[Block] = []
    offset = 0
    stack = [iter(value or [])]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        if node.get("type") == "paragraph":
            if blocks:
                offset += 1  # the "\n" between two blocks
            block = Block(node, offset)
            for inline in node.get("content", []):
                text = inline.get("text", "") if inline.get("type") == "text" else "\n"
                block.pieces.append(Piece(inline, offset, offset + len(text)))
                offset += len(text)
            blocks.append(block)
        else:
            stack.append(iter(node.get("content", [])))
    return blocks


def canonical_text(value: Any) -> str:
    """The anchor text of a canonical field value."""
    parts = []
    for block in canonical_blocks(value):
        parts.append("".join(p.node.get("text", "") if p.node.get("type") == "text" else "\n"
                             for p in block.pieces))
    return "\n".join(parts)
