"""The Word comments of an imported file: the field each is about and the text it quotes.

The reader notes where each comment's range starts and ends in the body's paragraphs
(docx_read.Para.comment_marks); the import notes which field, table row and column each
paragraph went to (`Place`) and, for text and rich-text fields and text cells, the paragraphs
that make their anchor text (`Unit`). A comment is placed by where its range starts; a range
running on past its field (or cell) is cut at its end. Replies (commentsExtended: paraIdParent)
go with the comment they answer; a thread is resolved when its first comment is marked done.

Each comment becomes, JSON-ready (it crosses the import worker's pipe):

    {"field": "problem" | None, "row": row id | None, "column": column id | None,
     "quote": the text it covered | None, "occurrence": 1-based | None,
     "author": "…", "date": "2026-11-30T10:00:00Z" | None, "body": "…",
     "replies": [{"author", "date", "body"}], "resolved": bool}

`field` None: the comment is about the whole card (it sat outside every field). `quote` None:
about the whole field (or cell, or row): it sat on the field's label, in a field that is not
text, or covered no text. `occurrence` is which occurrence of `quote` in the anchor text
(server/review/plain.py) of the imported value it is: the n-th position where the quote starts,
counting every position, the one nearest to where the comment was.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemas.vocabulary import clean_text

from .docx_xml import w

if TYPE_CHECKING:
    from lxml import etree

    from .docx_package import Package
    from .docx_read import Para, Reader

# A card has a few dozen comments; these bound what a hostile file can make the worker hold.
MAX_COMMENTS = 1000
MAX_QUOTE = 2000
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
_PARA_ID = f"{{{W14_NS}}}paraId"
_DONE = frozenset({"1", "true", "on"})


@dataclass
class Place:
    """Where a paragraph of the body went: a field and, in a table, a row and a column.

    `unit` names the anchor text the paragraph is part of; None when a comment there is about
    the whole field (a label, a field that is not text, text the import left out).
    """

    field: str
    row: str | None = None
    column: str | None = None
    unit: tuple[str, str | None, str | None] | None = None


@dataclass
class Unit:
    """The paragraphs of one anchor text and the value they became.

    Attributes:
        paras: the paragraphs, joined by "\\n" in the value.
        value: the imported value: a string (text field, text cell) or a rich-text tree.
        lead: characters the import stripped from the start of the joined paragraphs.
        multiline: whether the value keeps line breaks (a single-line field makes them spaces).
    """

    paras: list[Para]
    value: Any
    lead: int = 0
    multiline: bool = True
    _starts: dict[int, int] = field(default_factory=dict, repr=False)

    def span(self, start: tuple[int, int], end: tuple[int, int]) -> tuple[str, int]:
        """The text from `start` to `end` ((paragraph seq, offset)) and where it starts in the
        joined paragraphs; an end past these paragraphs (a range running on into the next
        field) is cut at their end."""
        if not self._starts:
            at = 0
            for para in self.paras:
                self._starts[para.seq] = at
                at += len(para.text) + 1
        text = "\n".join(p.text for p in self.paras)
        first = self._starts[start[0]] + start[1]
        last = self._starts[end[0]] + end[1] if end[0] in self._starts and end >= start else len(text)
        return text[first:max(first, last)], first


@dataclass
class _Comment:
    cid: str
    author: str
    date: str | None
    body: str
    para_ids: list[str]


def _read_comments(package: Package, reader: Reader) -> list[_Comment]:
    out = []
    for element in package.comments.iter(w("comment")):
        paragraphs = list(element.iter(w("p")))
        lines = ["".join(n.get("text", "\n") for n in reader.inline(p)) for p in paragraphs]
        out.append(_Comment(cid=element.get(w("id"), ""), author=clean_text(element.get(w("author"), ""), False),
                            date=element.get(w("date")), body=clean_text("\n".join(lines).strip()),
                            para_ids=[p.get(_PARA_ID) for p in paragraphs if p.get(_PARA_ID)]))
    return out


def _threads(comments: list[_Comment], extended: etree._Element | None) -> tuple[dict[str, str], set[str]]:
    """Each reply's thread (reply id → first comment id) and the comments marked done."""
    owner = {pid: c.cid for c in comments for pid in c.para_ids}
    parent_of: dict[str, str] = {}
    done: set[str] = set()
    for entry in extended.iter(f"{{{W15_NS}}}commentEx") if extended is not None else ():
        cid = owner.get(entry.get(f"{{{W15_NS}}}paraId", ""))
        if cid is None:
            continue
        parent = owner.get(entry.get(f"{{{W15_NS}}}paraIdParent", ""))
        if parent is not None and parent != cid:
            parent_of[cid] = parent
        if (entry.get(f"{{{W15_NS}}}done") or "").strip().lower() in _DONE:
            done.add(cid)
    roots = {}
    for cid in parent_of:
        root, seen = cid, {cid}
        while root in parent_of and parent_of[root] not in seen:
            root = parent_of[root]
            seen.add(root)
        roots[cid] = root
    return roots, done


def _edges(paras: list[Para]) -> dict[str, dict[str, tuple[int, int]]]:
    """Comment id → its "start", "end" and "ref" positions as (paragraph seq, offset)."""
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for para in paras:
        for cid, edge, offset in para.comment_marks:
            marks = found.setdefault(cid, {})
            if edge == "end" or edge not in marks:
                marks[edge] = (para.seq, offset)
    return found


def _occurrence(text: str, quote: str, near: int) -> int | None:
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    if not starts:
        return None
    best = min(starts, key=lambda p: (abs(p - near), p))
    return starts.index(best) + 1


def _anchor_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    # Imported on first use, as in review_anchors: only files with comments need it.
    from .review_anchors import anchor_text_module

    return anchor_text_module().canonical_text(value)


def _where(comment: _Comment, edges: dict[str, tuple[int, int]], reader: Reader, places: dict[int, Place],
           units: dict[tuple[str, str | None, str | None], Unit]) -> dict[str, Any]:
    start = edges.get("start") or edges.get("ref")
    end = edges.get("end") or start
    if start is None:
        return {"field": None, "row": None, "column": None, "quote": None, "occurrence": None}
    place = places.get(start[0])
    if place is None:
        # Outside every field: about the whole card. What it covered in its first paragraph is
        # kept as its quote, for the reader.
        text = reader.paras[start[0]].text
        stop = end[1] if end[0] == start[0] and end[1] >= start[1] else len(text)
        quote = clean_text(text[start[1]:stop])[:MAX_QUOTE]
        return {"field": None, "row": None, "column": None, "quote": quote.strip() or None, "occurrence": None}
    where = {"field": place.field, "row": place.row, "column": place.column, "quote": None, "occurrence": None}
    last = places.get(end[0])
    if place.row is not None and last is not None and last.field == place.field \
            and (last.row, last.column) != (place.row, place.column):
        # From one cell into another of the same table: about that row, or the whole table.
        if last.row != place.row:
            where["row"] = None
        where["column"] = None
        return where
    unit = units.get(place.unit) if place.unit is not None else None
    if unit is None:
        return where
    quote, first = unit.span(start, end)
    quote = clean_text(quote, unit.multiline)[:MAX_QUOTE]
    if not quote.strip():
        return where  # it covered no text: about the whole field (or cell)
    where["quote"] = quote
    where["occurrence"] = _occurrence(_anchor_text(unit.value), quote, first - unit.lead)
    return where


def kept_comments(package: Package, reader: Reader, places: dict[int, Place],
                  units: dict[tuple[str, str | None, str | None], Unit]) -> tuple[list[dict[str, Any]], int]:
    """The file's comments, each with its replies, placed in the imported card.

    Returns:
        The comments (the first MAX_COMMENTS threads) and how many threads were left out.
    """
    if package.comments is None:
        return [], 0
    comments = _read_comments(package, reader)
    roots, done = _threads(comments, package.comments_extended)
    edges = _edges(reader.paras)
    out: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    left_out = 0
    for comment in comments:
        if comment.cid in roots:
            continue
        if len(out) >= MAX_COMMENTS:
            left_out += 1
            continue
        entry = {**_where(comment, edges.get(comment.cid, {}), reader, places, units),
                 "author": comment.author, "date": comment.date, "body": comment.body, "replies": [],
                 "resolved": comment.cid in done}
        out.append(entry)
        by_id.setdefault(comment.cid, entry)
    for comment in comments:
        thread = by_id.get(roots.get(comment.cid, ""))
        if thread is not None:
            thread["replies"].append({"author": comment.author, "date": comment.date, "body": comment.body})
    return out, left_out
