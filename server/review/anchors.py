"""Anchoring a comment on a range of a field's text, and finding that range again later.

An anchor is kept two ways (docs/document-model.md, "Comment anchors"):
- two Yjs relative positions in their JSON form (`{"item": {"client", "clock"}, "assoc"}`,
  what `Y.relativePositionToJSON` writes): the start sticks to the first character of the
  range (assoc 0), the end to the last one (assoc -1), so text typed inside the range widens it
  and text typed around it leaves it alone, whoever types;
- the quoted text with some context before and after, and the offset it had.

`resolve` tries the positions first. When they cannot be resolved (the text holding them was
deleted, or they come from elsewhere) or the range they give is empty (its text was deleted),
the quote is searched for (quotes.find); when it is not found the thread is *detached*.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

from . import quotes
from .items import Items, Path
from .items import read as read_items

CONTEXT = 32  # characters of context kept on each side of a quote


class AnchorError(ValueError):
    """The range asked for cannot be anchored; the message says why (shown to the user)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Segment:
    """One Yjs text of a field and where its characters sit in the field's anchor text."""

    path: Path
    base: int
    text: str

    def __post_init__(self) -> None:
        # Without characters outside the BMP, UTF-16 offsets are code-point offsets.
        self.bmp = not self.text or max(self.text) <= "\uffff"

    def from_utf16(self, units: int) -> int:
        return min(units, len(self.text)) if self.bmp else _utf16_to_index(self.text, units)

    def to_utf16(self, index: int) -> int:
        return index if self.bmp else _index_to_utf16(self.text, index)


@dataclass
class FieldText:
    """A field's anchor text (server/review/plain.py) read from the live document."""

    text: str
    segments: list[Segment] = field(default_factory=list)
    _paths: dict[Path, Segment] = field(default_factory=dict, init=False, repr=False, compare=False)

    def segment_at(self, offset: int, *, ending: bool = False) -> Segment | None:
        """The segment holding the character at `offset` (or, `ending`, the one before it)."""
        for segment in self.segments:
            lo, hi = segment.base, segment.base + len(segment.text)
            if (lo < offset <= hi) if ending else (lo <= offset < hi):
                return segment
        return None

    def by_path(self, path: Path) -> Segment | None:
        # Indexed on first use (a field's texts are all known by then): one look-up per anchor end.
        if len(self._paths) != len(self.segments):
            self._paths = {}
            for segment in self.segments:
                self._paths.setdefault(segment.path, segment)
        return self._paths.get(path)


def _xml_text(node: XmlText) -> str:
    return "".join(chunk for chunk, _attrs in node.diff() if isinstance(chunk, str))


def _rich(fragment: XmlFragment, name: str) -> FieldText:
    out = FieldText("")
    parts: list[str] = []
    offset = 0

    def block(element: XmlElement | XmlText, path: Path) -> None:
        nonlocal offset
        if parts:
            parts.append("\n")
            offset += 1
        children = [(element, path)] if isinstance(element, XmlText) else \
            [(child, path + (i,)) for i, child in enumerate(element.children)]
        for child, child_path in children:
            if isinstance(child, XmlText):
                text = _xml_text(child)
                out.segments.append(Segment(child_path, offset, text))
                parts.append(text)
                offset += len(text)
            elif isinstance(child, XmlElement) and child.tag == "hardBreak":
                parts.append("\n")
                offset += 1
        parts.append("")

    # Blocks are paragraphs wherever they sit (list items too); stray text outside any
    # paragraph is a block of its own, as the canonical view wraps it.
    stack: list[tuple[Any, Path]] = [(fragment, (name,))]
    while stack:
        node, path = stack.pop()
        if isinstance(node, XmlElement) and node.tag == "paragraph":
            block(node, path)
        elif isinstance(node, XmlText):
            block(node, path)
        elif isinstance(node, (XmlFragment, XmlElement)):
            stack.extend(reversed([(child, path + (i,)) for i, child in enumerate(node.children)]))
    out.text = "".join(parts)
    return out


def field_text(doc: Doc, spec: dict[str, Any], row: str | None = None, column: str | None = None) -> FieldText | None:
    """The anchor text of a field (or of one table text cell); None if there is no such text."""
    name = spec["id"]
    if spec["type"] == "text":
        text = str(doc.get(name, type=Text))
        return FieldText(text, [Segment((name,), 0, text)])
    if spec["type"] == "rich_text":
        return _rich(doc.get(name, type=XmlFragment), name)
    if spec["type"] == "table" and row is not None and column is not None:
        rows = doc.get(name, type=Array)
        for index, entry in enumerate(rows):
            if isinstance(entry, Map) and entry.get("id") == row:
                cell = entry.get(column)
                if isinstance(cell, Text):
                    text = str(cell)
                    return FieldText(text, [Segment((name, index, column), 0, text)])
                return None
    return None


def _utf16_to_index(text: str, units: int) -> int:
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _index_to_utf16(text: str, index: int) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text[:index])


def _position(items: Items, found: FieldText, relpos: Any) -> int | None:
    """Where a relative position (JSON) falls in the field's anchor text, or None."""
    if not isinstance(relpos, dict):
        return None
    assoc = relpos.get("assoc", 0)
    if not isinstance(assoc, int) or isinstance(assoc, bool):
        return None
    item = _id(relpos.get("item"))
    if item is not None:
        path = items.holder(item)
        segment = found.by_path(path) if path is not None else None
        if segment is None:
            return None
        units = items.offset_of(path, item, assoc)
        return segment.base + segment.from_utf16(units)
    # A position at the very start or end of a text names the text itself.
    type_id = _id(relpos.get("type"))
    name = relpos.get("tname")
    path = items.path(type_id) if type_id is not None else (name,) if isinstance(name, str) else None
    segment = found.by_path(path) if path is not None else None
    if segment is None:
        return None
    return segment.base if assoc < 0 else segment.base + len(segment.text)


def _id(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, dict):
        return None
    client, clock = value.get("client"), value.get("clock")
    # type() rather than isinstance: an int, not a bool (called twice for every anchor read).
    if type(client) is not int or type(clock) is not int or not (0 <= client < 2**53 and 0 <= clock < 2**53):
        return None
    return client, clock


def _relpos(items: Items, segment: Segment, offset: int, assoc: int) -> dict[str, Any]:
    """A relative position at the character `offset` of the anchor text (inside `segment`)."""
    item = items.item_at(segment.path, segment.to_utf16(offset - segment.base))
    if item is None:
        raise AnchorError("range_not_found", "The text of the range could not be found in the card.")
    return {"item": {"client": item[0], "clock": item[1]}, "assoc": assoc}


@dataclass
class Anchor:
    """What is stored for a range: positions, quote, context, and the offsets it had."""

    start: dict[str, Any]
    end: dict[str, Any]
    quote: str
    prefix: str
    suffix: str
    offset: int

    def as_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "quote": self.quote, "prefix": self.prefix,
                "suffix": self.suffix, "offset": self.offset}


def make(doc: Doc, found: FieldText, start: int, end: int, items: Items | None = None) -> Anchor:
    """An anchor on the code-point range [start, end) of a field's anchor text.

    Raises:
        AnchorError: the range is empty, outside the field, or covers no character.
    """
    if not (0 <= start < end <= len(found.text)):
        raise AnchorError("range_outside", f"The range {start}–{end} is empty or outside the field "
                                           f"(its text has {len(found.text)} characters).")
    if not found.text[start:end].strip():
        raise AnchorError("range_empty", "The range holds no text to comment on.")
    items = items or read_items(doc)
    first = found.segment_at(start)
    last = found.segment_at(end, ending=True)
    # A range may start or end on a line break between two texts: move it onto text.
    while first is None and start < end:
        start += 1
        first = found.segment_at(start)
    while last is None and end > start:
        end -= 1
        last = found.segment_at(end, ending=True)
    if items is None or first is None or last is None:
        raise AnchorError("range_empty", "The range holds no text to comment on.")
    return Anchor(_relpos(items, first, start, 0), _relpos(items, last, end - 1, -1), found.text[start:end],
                  found.text[max(0, start - CONTEXT):start], found.text[end:end + CONTEXT], start)


@dataclass
class Resolved:
    """Where an anchor is now: a range (start, end) in the anchor text, or detached."""

    start: int | None
    end: int | None
    text: str | None
    how: str  # "positions", "quote" (re-anchored from the quote) or "detached"

    @property
    def detached(self) -> bool:
        return self.start is None


DETACHED = Resolved(None, None, None, "detached")


def resolve(found: FieldText | None, stored: dict[str, Any], items: Items | None) -> Resolved:
    """Find an anchor's range in the live document (see the module's docstring)."""
    if found is None:
        return DETACHED
    if items is not None:
        start = _position(items, found, stored.get("start"))
        end = _position(items, found, stored.get("end"))
        if start is not None and end is not None and start < end:
            return Resolved(start, end, found.text[start:end], "positions")
    match = quotes.find(found.text, stored.get("quote", ""), stored.get("prefix", ""),
                        stored.get("suffix", ""), stored.get("offset", 0))
    if match is None:
        return DETACHED
    return Resolved(match[0], match[1], found.text[match[0]:match[1]], "quote")


def by_quote(found: FieldText, quote: str, occurrence: int | None) -> tuple[int, int]:
    """The range of the `occurrence`-th (1-based; the only one if None) exact `quote`.

    Raises:
        AnchorError: not found, found several times without an occurrence, or no such occurrence.
    """
    if not quote.strip():
        raise AnchorError("quote_empty", "The quote is empty.")
    positions = []
    at = found.text.find(quote)
    while at != -1:
        positions.append(at)
        at = found.text.find(quote, at + 1)
    if not positions:
        raise AnchorError("quote_not_found", "The quoted text is not in this field.")
    if occurrence is None:
        if len(positions) > 1:
            raise AnchorError("quote_ambiguous", f"The quoted text occurs {len(positions)} times in this field; "
                                                 "say which one with \"occurrence\".")
        occurrence = 1
    if not 1 <= occurrence <= len(positions):
        raise AnchorError("quote_not_found", f"The quoted text occurs {len(positions)} time(s) in this field, "
                                             f"not {occurrence}.")
    start = positions[occurrence - 1]
    return start, start + len(quote)


def items_of(doc: Doc, update: bytes | None = None) -> Items | None:
    """The document's item index, read once for several anchors (`update`: the document's
    state update, when the caller has it already)."""
    return read_items(doc, update)
