"""Where each comment thread of a review copy goes in the card, and which runs it covers.

A thread (the API's shape, docs/exports.md) is placed before the card is written: on a range of
a text or rich-text field or of a table text cell (offsets into the anchor text of
server/review/plain.py), on a whole cell, a row, a field (its label), the card (its title), or
in the list of detached threads when its text is gone. While the card is written, the runs of
each placed thread are noted (`Marks.write` cuts runs at range boundaries); `CardReview.finish`
then gives each thread its first and last run, falling back from a range that got no run (its
text is only line breaks, a cell left empty) to its row, its field's label, the card's title.

This module builds no XML: it only remembers elements the writer made.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from schemas.vocabulary import clean_text

from . import values
from .docx_xml import w

if TYPE_CHECKING:
    from lxml import etree

_RUN = w("r")
# Fallbacks, in order, for a thread whose own place got no run.
ROW, LABEL, TITLE = "row", "label", "title"


@dataclass
class Anchor:
    """A thread and the first and last runs its comment covers (None until it has runs)."""

    thread: dict[str, Any]
    fallbacks: tuple[tuple[str, Any], ...] = ()
    first: etree._Element | None = None
    last: etree._Element | None = None

    def cover(self, runs: list[etree._Element]) -> None:
        if not runs:
            return
        if self.first is None:
            self.first = runs[0]
        self.last = runs[-1]


@dataclass
class Span:
    """A range of code points [start, end) in one anchor text."""

    start: int
    end: int
    anchor: Anchor


@dataclass
class Marks:
    """The ranges to mark in one anchor text (a field's value or a table cell) as it is written.

    Attributes:
        spans: the ranges.
        offsets: for rich text, where each inline node (by identity) starts in the anchor text.
    """

    spans: list[Span] = field(default_factory=list)
    offsets: dict[int, int] = field(default_factory=dict)

    def write(self, parent: etree._Element, start: int, text: str,
              write: Callable[[etree._Element, str], None]) -> None:
        """Write `text`, which starts at `start` in the anchor text, cut at every range boundary.

        `write(parent, chunk)` appends the runs of one chunk to `parent`; each range that holds
        the chunk notes the runs it made.
        """
        end = start + len(text)
        cuts = sorted({p for s in self.spans for p in (s.start, s.end) if start < p < end} | {end})
        pos = start
        for cut in cuts:
            before = len(parent)
            write(parent, text[pos - start:cut - start])
            runs = [e for e in parent[before:] if e.tag == _RUN]
            for span in self.spans:
                if span.start <= pos and cut <= span.end:
                    span.anchor.cover(runs)
            pos = cut

    def write_node(self, parent: etree._Element, node: dict[str, Any], text: str,
                   write: Callable[[etree._Element, str], None]) -> None:
        """Write a rich-text inline node (its text, or "\\n" for a hard break) the same way."""
        start = self.offsets.get(id(node))
        if start is None:
            write(parent, text)
        else:
            self.write(parent, start, text, write)


def canonical_quote(text: str) -> str:
    """Text as canonical content stores it (control characters dropped, NFC), to compare."""
    return unicodedata.normalize("NFC", clean_text(text))


def locate(text: str, thread: dict[str, Any]) -> tuple[int, int] | None:
    """The range [start, end) of `thread` in the anchor text `text`, or None when it is gone.

    The offsets were computed on the live document; they are trusted when the text there is
    the thread's `current_text`. Otherwise (canonical content differs only by NFC and dropped
    control characters, or the card changed since) `current_text` is looked for in the whole
    text and its occurrence nearest to `start` is taken.
    """
    start, end = thread.get("start"), thread.get("end")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        return None
    current = thread.get("current_text")
    in_bounds = 0 <= start <= end <= len(text)
    if not isinstance(current, str):
        return (start, end) if in_bounds else None
    wanted = canonical_quote(current)
    if in_bounds and text[start:end] in (current, wanted):
        return start, end
    if not wanted:
        return None
    found, at = [], text.find(wanted)
    while at != -1:
        found.append(at)
        at = text.find(wanted, at + 1)
    if not found:
        return None
    best = min(found, key=lambda p: (abs(p - start), p))
    return best, best + len(wanted)


def anchor_text_module() -> ModuleType:
    """server.review.plain, where the anchor text is defined once for the server and the exports.

    Imported on first use: the server package brings Flask with it (0.1 s more for every worker
    process), which the Council copy, the other formats and the Word import do without.
    """
    from server.review import plain

    return plain


def _rich_offsets(plain: ModuleType, value: Any) -> dict[int, int]:
    return {id(piece.node): piece.start for block in plain.canonical_blocks(value) for piece in block.pieces}


class CardReview:
    """The comment threads of one card: placed before it is written, anchored while it is.

    Args:
        template: the card template.
        content: the card's canonical content.
        threads: the card's threads, in the API's shape.
    """

    def __init__(self, template: dict[str, Any], content: dict[str, Any], threads: list[dict[str, Any]]) -> None:
        self._fields = {f["id"]: f for f in template["fields"]}
        self._plain = anchor_text_module()
        self._content = content
        self.anchors: list[Anchor] = []
        self.detached: list[dict[str, Any]] = []
        self._values: dict[str, Marks] = {}
        self._cells: dict[tuple[str, str, str], Marks] = {}
        self._labels: dict[str, list[etree._Element]] = {}
        self._title: list[etree._Element] = []
        self._row_runs: dict[tuple[str, str], list[etree._Element]] = {}
        self._order = {id(thread): index for index, thread in enumerate(threads)}
        for thread in threads:
            self._place(thread)

    # -- placing, before the card is written ----------------------------------------------

    def _place(self, thread: dict[str, Any]) -> None:
        field_id = thread.get("field")
        if thread.get("detached"):
            self.detached.append(thread)
            return
        if field_id is None:
            self.anchors.append(Anchor(thread, ((TITLE, None),)))
            return
        spec = self._fields.get(field_id)
        if spec is None:
            self.detached.append(thread)  # a field the template no longer has
            return
        value = values.raw_value(spec, self._content)
        if thread.get("row") is not None and spec["type"] == "table":
            self._place_in_row(thread, spec, value)
        elif thread.get("start") is None or spec["type"] not in self._plain.RANGE_TYPES or values.is_card_field(spec):
            self.anchors.append(Anchor(thread, ((LABEL, field_id), (TITLE, None))))
        elif isinstance(value, (str, list)):
            found = locate(self._plain.canonical_text(value), thread)
            if found is None:
                self.detached.append(thread)
                return
            anchor = Anchor(thread, ((LABEL, field_id), (TITLE, None)))
            marks = self._values.get(field_id)
            if marks is None:
                offsets = _rich_offsets(self._plain, value) if isinstance(value, list) else {}
                marks = self._values[field_id] = Marks(offsets=offsets)
            marks.spans.append(Span(*found, anchor))
            self.anchors.append(anchor)
        else:
            self.detached.append(thread)

    def _place_in_row(self, thread: dict[str, Any], spec: dict[str, Any], rows: Any) -> None:
        field_id, row_id = spec["id"], thread["row"]
        row = next((r for r in rows if isinstance(r, dict) and r.get("id") == row_id), None) \
            if isinstance(rows, list) else None
        if row is None:
            self.detached.append(thread)  # the row was removed
            return
        fallbacks = ((ROW, (field_id, row_id)), (LABEL, field_id), (TITLE, None))
        column = next((c for c in spec["columns"] if c["id"] == thread.get("column")), None)
        anchor = Anchor(thread, fallbacks)
        if column is None:
            self.anchors.append(anchor)  # the whole row: its runs come as its first fallback
            return
        text = str(row.get(column["id"]) or "")
        if thread.get("start") is None or column["type"] != "text":
            found: tuple[int, int] | None = (0, len(text))  # the whole cell
        else:
            found = locate(text, thread)
            if found is None:
                self.detached.append(thread)
                return
        key = (field_id, row_id, column["id"])
        self._cells.setdefault(key, Marks()).spans.append(Span(*found, anchor))
        self.anchors.append(anchor)

    # -- what the writer asks and tells, while the card is written --------------------------

    def value_marks(self, field_id: str) -> Marks | None:
        return self._values.get(field_id)

    def cell_marks(self, field_id: str, row_id: Any, column_id: str) -> Marks | None:
        return self._cells.get((field_id, row_id, column_id))

    def wrote_title(self, p: etree._Element) -> None:
        self._title = list(p.iter(_RUN))

    def wrote_label(self, field_id: str, p: etree._Element) -> None:
        self._labels[field_id] = list(p.iter(_RUN))

    def wrote_row(self, field_id: str, row_id: Any, tr: etree._Element) -> None:
        self._row_runs[(field_id, row_id)] = list(tr.iter(_RUN))

    # -- after the card is written ---------------------------------------------------------

    def _fallback_runs(self, kind: str, key: Any) -> list[etree._Element]:
        if kind == ROW:
            return self._row_runs.get(key, [])
        if kind == LABEL:
            return self._labels.get(key, [])
        return self._title

    def finish(self) -> list[Anchor]:
        """The anchored threads, in the order given; a thread left without any run is detached."""
        anchored = []
        for anchor in self.anchors:
            for kind, key in anchor.fallbacks:
                if anchor.first is not None:
                    break
                anchor.cover(self._fallback_runs(kind, key))
            if anchor.first is None:
                self.detached.append(anchor.thread)
            else:
                anchored.append(anchor)
        self.anchors = anchored
        self.detached.sort(key=lambda thread: self._order.get(id(thread), 0))
        return anchored
