"""Which shared type holds a given Yjs item, read off the document's own encoding.

A comment's anchor is a pair of Yjs relative positions, each naming an item (a character) by
its id. pycrdt 0.14 resolves such a position to an offset, but only *within the text that
holds the item*, without saying which text that is, and it offers no way to make a position
inside an `XmlText` (docs/document-model.md, "Comment anchors"). This module answers the
missing half: it walks the document's state update once, notes for every item who its parent
is (written out, or inherited from its origin as Yjs integrates it), and so names the holder
of any item as a *path* from a root: `("title",)`, `("problem", 2, 0)` (the first child of
the third block), `("milestones", 4, "activity")` (a cell of the fifth row).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, StickyIndex

from ..collab.errors import MalformedMessage
from ..collab.protocol import GC, SKIP, STRING, TYPE, Contents, Reader, _content, _length

Id = tuple[int, int]
Path = tuple[Any, ...]


@dataclass
class _Item:
    clock: int
    length: int
    origin: Id | None
    right: Id | None
    parent: str | Id | None  # a root name, the id of the type item, or None (inherited)
    sub: str | None  # the map key, for map entries
    kind: int  # content ref (protocol.STRING, TYPE, …)


class Items:
    """The items of one document state, indexed by client and clock."""

    def __init__(self, doc: Doc, update: bytes | None = None) -> None:
        self.doc = doc
        self._starts: dict[int, list[int]] = {}
        self._items: dict[int, list[_Item]] = {}
        self._deleted: dict[int, list[tuple[int, int]]] = {}
        self._parents: dict[Id, tuple[str | Id, str | None] | None] = {}
        self._paths: dict[Id, Path | None] = {}
        self._layouts: dict[Path, list[tuple[int, int, int, int, int]]] = {}
        self._by_client: dict[Path, dict[int, tuple[list[int], list[tuple[int, int]]]]] = {}
        self._merged: dict[int, list[tuple[int, int]]] = {}
        self._texts: dict[Path, list[tuple[int, int, int]]] | None = None
        self._read(doc.get_update() if update is None else update)

    def _read(self, update: bytes) -> None:
        r = Reader(update)
        scratch = Contents()
        for _ in range(r.var_uint()):
            structs = r.var_uint()
            client = r.var_uint()
            clock = r.var_uint()
            items = self._items.setdefault(client, [])
            for _ in range(structs):
                info = r.data[r.pos]
                r.pos += 1
                ref = info & 0x1F
                if ref in (GC, SKIP):
                    length = _length(r)
                    if ref == GC:
                        items.append(_Item(clock, length, None, None, None, None, GC))
                    clock += length
                    continue
                origin = (r.var_uint(), r.var_uint()) if info & 0x80 else None
                right = (r.var_uint(), r.var_uint()) if info & 0x40 else None
                parent: str | Id | None = None
                sub = None
                if not info & 0xC0:
                    parent = r.var_string() if r.var_uint() == 1 else (r.var_uint(), r.var_uint())
                    if info & 0x20:
                        sub = r.var_string()
                length = _content(r, ref, scratch)
                items.append(_Item(clock, length, origin, right, parent, sub, ref))
                clock += length
        for _ in range(r.var_uint()):
            client = r.var_uint()
            ranges = self._deleted.setdefault(client, [])
            for _ in range(r.var_uint()):
                start = r.var_uint()
                ranges.append((start, start + r.var_uint()))
        self._starts = {client: [item.clock for item in items] for client, items in self._items.items()}

    def find(self, item_id: Id) -> _Item | None:
        """The item run holding `item_id`, if the document has it."""
        client, clock = item_id
        starts = self._starts.get(client)
        if not starts:
            return None
        index = bisect.bisect_right(starts, clock) - 1
        if index < 0:
            return None
        item = self._items[client][index]
        return item if clock < item.clock + item.length else None

    def deleted(self, item_id: Id) -> bool:
        client, clock = item_id
        ranges = self._sorted_deleted(client)
        index = bisect.bisect_right(ranges, (clock, 2**64)) - 1
        return index >= 0 and clock < ranges[index][1]

    def parent(self, item_id: Id) -> tuple[str | Id, str | None] | None:
        """(parent, map key) of an item: written on it, or that of its origin (as Yjs does)."""
        item = self.find(item_id)
        if item is None or item.kind == GC:
            return None
        key = (item_id[0], item.clock)
        if key in self._parents:
            return self._parents[key]
        # Follow origins iteratively: a run of typing is a chain of items each naming the last.
        chain = []
        found: tuple[str | Id, str | None] | None = None
        current: _Item | None = item
        current_key = key
        while current is not None:
            if current_key in self._parents:
                found = self._parents[current_key]
                break
            chain.append(current_key)
            if current.kind == GC:
                break
            if current.parent is not None:
                found = (current.parent, current.sub)
                break
            nxt = current.origin or current.right
            if nxt is None:
                break
            current = self.find(nxt)
            current_key = (nxt[0], current.clock) if current is not None else nxt
        for k in chain:
            self._parents[k] = found
        return found

    def index_in_parent(self, item_id: Id) -> int:
        """Where an item sits among its parent's children (a row in a table, a block in a field)."""
        position = StickyIndex.from_json({"item": {"client": item_id[0], "clock": item_id[1]}, "assoc": 0}, None)
        with self.doc.transaction() as txn:
            return position.get_index(txn)

    def path(self, type_id: Id | str) -> Path | None:
        """The path of a shared type (a root name, or the id of the item that holds the type).

        None when the type or one of its ancestors was deleted or is unknown.
        """
        if isinstance(type_id, str):
            return (type_id,)
        if type_id in self._paths:
            return self._paths[type_id]
        item = self.find(type_id)
        result: Path | None = None
        if item is not None and item.kind == TYPE and not self.deleted(type_id):
            owner = self.parent(type_id)
            if owner is not None:
                above = self.path(owner[0])
                if above is not None:
                    result = above + ((owner[1],) if owner[1] is not None else (self.index_in_parent(type_id),))
        self._paths[type_id] = result
        return result

    def holder(self, item_id: Id) -> Path | None:
        """The path of the text that holds the character `item_id`, or None if it is gone."""
        item = self.find(item_id)
        if item is None or item.kind not in (STRING, 1):  # 1: a deleted character (ContentDeleted)
            return None
        owner = self.parent(item_id)
        return None if owner is None else self.path(owner[0])

    def _order(self, item_id: Id) -> int:
        """A number that grows with an item's place in its text (pycrdt's index of it).

        pycrdt 0.14 gives the UTF-8 length of the blocks before the item's block plus the
        item's UTF-16 offset inside its block: not an offset in any one unit, but it orders
        the characters of one text, which is all it is used for. A deleted item counts as
        the start of its block.
        """
        with self.doc.transaction() as txn:
            return self._order_in(txn, item_id)

    @staticmethod
    def _order_in(txn: Any, item_id: Id) -> int:
        position = StickyIndex.from_json({"item": {"client": item_id[0], "clock": item_id[1]}, "assoc": 0}, None)
        return position.get_index(txn)

    def layout(self, holder: Path) -> list[tuple[int, int, int, int, int]]:
        """The live character runs of one text in order: (order, client, clock, length, offset),
        lengths and offsets in UTF-16 code units, as Yjs counts."""
        if holder not in self._layouts:
            # One transaction for all the runs of the text (pycrdt opens one per call otherwise).
            with self.doc.transaction() as txn:
                runs = sorted((self._order_in(txn, (client, clock)), client, clock, length)
                              for client, clock, length in self.characters(holder))
            laid, offset = [], 0
            for order, client, clock, length in runs:
                laid.append((order, client, clock, length, offset))
                offset += length
            self._layouts[holder] = laid
        return self._layouts[holder]

    def _runs_by_client(self, holder: Path) -> dict[int, tuple[list[int], list[tuple[int, int]]]]:
        """client -> (sorted run clocks, [(length, offset)]) of one text, to find a character fast."""
        if holder not in self._by_client:
            grouped: dict[int, list[tuple[int, int, int]]] = {}
            for _order, client, clock, length, offset in self.layout(holder):
                grouped.setdefault(client, []).append((clock, length, offset))
            self._by_client[holder] = {}
            for client, runs in grouped.items():
                runs.sort()
                self._by_client[holder][client] = ([c for c, _, _ in runs], [(n, o) for _, n, o in runs])
        return self._by_client[holder]

    def offset_of(self, holder: Path, item_id: Id, assoc: int) -> int:
        """Where a relative position on `item_id` falls in its text, in UTF-16 code units."""
        client, clock = item_id
        clocks, runs = self._runs_by_client(holder).get(client, ([], []))
        index = bisect.bisect_right(clocks, clock) - 1
        if index >= 0 and clock < clocks[index] + runs[index][0]:
            return runs[index][1] + clock - clocks[index] + (1 if assoc < 0 else 0)
        # A deleted character: the position is where it was, before the next live character.
        laid = self.layout(holder)
        order = self._order(item_id)
        for run_order, _client, _clock, _size, offset in laid:
            if run_order >= order:
                return offset
        return laid[-1][4] + laid[-1][3] if laid else 0

    def item_at(self, holder: Path, units: int) -> Id | None:
        """The id of the character at UTF-16 offset `units` of a text."""
        for _order, client, clock, length, offset in self.layout(holder):
            if offset <= units < offset + length:
                return client, clock + units - offset
        return None

    def characters(self, holder: Path) -> list[tuple[int, int, int]]:
        """The live character runs of one text: (client, clock, utf-16 length), any order."""
        return list(self._characters_by_text().get(holder, ()))

    def _characters_by_text(self) -> dict[Path, list[tuple[int, int, int]]]:
        """Every text's live character runs, sorted out in one pass over the items (anchors
        in many texts of a card would otherwise each walk the whole document)."""
        if self._texts is None:
            texts: dict[Path, list[tuple[int, int, int]]] = {}
            for client, items in self._items.items():
                for item in items:
                    if item.kind != STRING:
                        continue
                    owner = self.parent((client, item.clock))
                    if owner is None:
                        continue
                    path = self.path(owner[0])
                    runs = self._live_parts(client, item.clock, item.length) if path is not None else None
                    if runs:
                        texts.setdefault(path, []).extend(runs)
            self._texts = texts
        return self._texts

    def _live_parts(self, client: int, clock: int, length: int) -> list[tuple[int, int, int]]:
        parts = []
        start, end = clock, clock + length
        ranges = self._sorted_deleted(client)
        # The first deleted range that ends after `start` (ranges sorted by start and end alike
        # once merged; a delete set is written merged, but it is merged here again to be sure).
        index = max(0, bisect.bisect_right(ranges, (start, start)) - 1)
        while index < len(ranges):
            d_start, d_end = ranges[index]
            index += 1
            if d_start >= end:
                break
            if d_end <= start:
                continue
            if d_start > start:
                parts.append((client, start, d_start - start))
            start = max(start, d_end)
        if start < end:
            parts.append((client, start, end - start))
        return parts

    def _sorted_deleted(self, client: int) -> list[tuple[int, int]]:
        """The client's deleted ranges, sorted and merged (overlapping or touching ones joined)."""
        if client not in self._merged:
            merged: list[tuple[int, int]] = []
            for start, end in sorted(self._deleted.get(client, ())):
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], end))
                else:
                    merged.append((start, end))
            self._merged[client] = merged
        return self._merged[client]


def read(doc: Doc, update: bytes | None = None) -> Items | None:
    """The index of `doc` (`update`: its state update, if at hand), or None when its encoding
    cannot be read (never for a live room)."""
    try:
        return Items(doc, update)
    except (MalformedMessage, IndexError):
        return None
