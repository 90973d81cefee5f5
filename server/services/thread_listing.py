"""Reading comment threads: a card's listing, one thread, and the anchors resolved against
the live document (server/review/anchors.py). The writes are server/services/threads.py's.

A listing is built from two things that change apart, and each is kept while it is the same:

- the card's threads, comments and the people they name, read from the database: kept for the
  card's `review_version` (a new random value in every transaction that writes its threads or
  comments, set by server/models/review.py), the people read again on every listing (a
  renamed person shows at once);
- where each anchored range is now, found in the live document: kept for the document's state
  (a digest of its update), so a card nobody is typing into is not resolved again, and one
  being typed into is resolved again without reading its threads again.

Nothing is kept across a change of either: every answer is what the database and the live
document hold at the moment of the request.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pycrdt import Doc
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..models import Card, Comment, Thread, User
from ..review import anchors, bodies
from .plans import template_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents

MAX_THREADS_PER_CARD = 2000  # far above any review; stops one account from flooding a card


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    org = user.organisation
    return {"id": user.id, "name": user.name, "organisation": org.names() if org else None}


def _iso(dt: Any) -> str | None:
    return dt.isoformat(timespec="seconds") + "Z" if dt else None


@dataclass
class _Loaded:
    """What the JSON of some threads needs besides the threads themselves."""

    comments: dict[int, list[Any]]  # thread id -> its comments (rows), oldest first
    people: dict[int, dict[str, Any] | None]  # user id -> person(): authors, creators, resolvers
    names: dict[int, str]  # user id -> name: the above and everyone mentioned


_COMMENT_COLUMNS = (Comment.id, Comment.thread_id, Comment.author_id, Comment.body, Comment.created_at,
                    Comment.edited_at, Comment.deleted_at)
_IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's limit on bound parameters


def _people(session: Session, ids: list[int]) -> tuple[dict[int, dict[str, Any] | None], dict[int, str]]:
    """person() and the name of each account in `ids` (sorted), a query per 500 of them."""
    people: dict[int, dict[str, Any] | None] = {}
    names: dict[int, str] = {}
    for i in range(0, len(ids), _IN_CHUNK):
        for user in session.scalars(select(User).where(User.id.in_(ids[i:i + _IN_CHUNK]))
                                    .options(joinedload(User.organisation))):
            people[user.id] = person(user)
            names[user.id] = user.name
    return people, names


def _named(threads: list[Any], comments: dict[int, list[Any]]) -> list[int]:
    """Everyone the threads and comments name: creators, resolvers, authors, the mentioned."""
    wanted = {t.created_by_id for t in threads} | {t.resolved_by_id for t in threads}
    wanted |= {c.author_id for rows in comments.values() for c in rows}
    wanted |= {uid for rows in comments.values() for c in rows for uid in bodies.mentioned_ids(c.body)}
    wanted.discard(None)
    return sorted(wanted)


def _load(session: Session, threads: list[Thread], card_id: int | None = None) -> _Loaded:
    """The comments of `threads` in one query and the people they name in one more (a chunk
    of 500 people a query); `card_id`: `threads` are all of that card's threads.

    Comments are read as plain rows, not ORM objects: a card's listing reads hundreds of them.
    """
    if any(t.id is None for t in threads):
        session.flush()
    comments: dict[int, list[Any]] = {t.id: [] for t in threads}
    if card_id is not None:
        which = [select(*_COMMENT_COLUMNS).where(
            Comment.thread_id.in_(select(Thread.id).where(Thread.card_id == card_id)))]
    else:
        ids = sorted(comments)
        which = [select(*_COMMENT_COLUMNS).where(Comment.thread_id.in_(ids[i:i + _IN_CHUNK]))
                 for i in range(0, len(ids), _IN_CHUNK)]
    for query in which:
        for row in session.execute(query.order_by(Comment.id)):
            if row.thread_id in comments:
                comments[row.thread_id].append(row)
    people, names = _people(session, _named(threads, comments))
    return _Loaded(comments, people, names)


def _rendered(body: str, names: dict[int, str]) -> tuple[str, str]:
    """(html, text) of a comment body."""
    return _render_cached(body, tuple((uid, names.get(uid, "")) for uid in bodies.mentioned_ids(body)))


@lru_cache(maxsize=4096)
def _render_cached(body: str, mentioned: tuple[tuple[int, str], ...]) -> tuple[str, str]:
    # Rendering is pure in (body, the mentioned people's names): listing a busy card renders
    # the same comments again and again.
    names = dict(mentioned)
    return bodies.render(body, names), bodies.plain(body, names)


def _kind(thread: Any) -> str:
    return "card" if thread.field is None else "field" if thread.anchor is None else "range"


def _unplaced_json(thread: Thread, loaded: _Loaded) -> dict[str, Any]:
    """A thread's JSON but for where its range is now (detached, current_text, start, end)."""
    people, names = loaded.people, loaded.names
    comments = []
    for c in loaded.comments.get(thread.id, ()):
        deleted = c.deleted_at is not None
        html, text = ("", "") if deleted else _rendered(c.body, names)
        comments.append({
            "id": c.id, "author": people.get(c.author_id), "body": "" if deleted else c.body,
            "html": html, "text": text,
            "created_at": _iso(c.created_at), "edited_at": _iso(c.edited_at), "deleted": deleted,
        })
    resolved_by = thread.resolved_by_id
    return {
        "id": thread.id, "card_id": thread.card_id, "field": thread.field, "row": thread.row,
        "column": thread.column, "kind": _kind(thread), "status": thread.status,
        "detached": None, "blocking": thread.blocking, "quote": thread.quote,
        "anchor": _positions(thread.anchor), "current_text": None, "start": None, "end": None,
        "created_at": _iso(thread.created_at), "created_by": people.get(thread.created_by_id),
        "resolved_at": _iso(thread.resolved_at),
        "resolved_by": people.get(resolved_by) if resolved_by is not None else None,
        "comments": comments,
    }


def _placed_json(unplaced: dict[str, Any], place: anchors.Resolved | None,
                 anchor: dict[str, Any] | None = None) -> dict[str, Any]:
    """`unplaced` (not changed) with where its range is now; `anchor`: positions found again."""
    kind = unplaced["kind"]
    placed = place is not None and not (kind == "range" and place.detached)
    out = {**unplaced, "detached": kind == "range" and not placed}
    if anchor is not None:
        out["anchor"] = _positions(anchor)
    if placed:
        out["current_text"], out["start"], out["end"] = place.text, place.start, place.end
    return out


def thread_json(session: Session, thread: Thread, place: anchors.Resolved | None,
                loaded: _Loaded | None = None) -> dict[str, Any]:
    """A thread as the API and the room events give it (docs: openapi.json `Thread`).

    Args:
        loaded: its comments and people (`_load`), read here when not given.
    """
    loaded = _load(session, [thread]) if loaded is None else loaded
    return _placed_json(_unplaced_json(thread, loaded), place)


def _positions(anchor: dict[str, Any] | None) -> dict[str, Any] | None:
    """The relative positions of an anchor, or None when it has none (a quote only)."""
    if not anchor or not isinstance(anchor.get("start"), dict) or not isinstance(anchor.get("end"), dict):
        return None
    return {"start": anchor["start"], "end": anchor["end"]}


# -- where the ranges are now ----------------------------------------------------------------

class _DocumentState:
    """What one state of a card's document gives its anchors: the fields' anchor texts and
    each thread's place, kept while the document stays exactly the same (its state update).

    Resolving is a pure function of the document, the field and the stored anchor; a card that
    nobody is typing into is listed (and each of its room events resolved) without reading its
    items again. Anchors are never changed in place (a change is a new dict, as the JSON
    column needs to notice it), so a kept anchor compares equal exactly when it is the same.
    """

    def __init__(self, digest: bytes) -> None:
        self.digest = digest
        self.texts: dict[tuple[str, str | None, str | None, str | None], anchors.FieldText | None] = {}
        self.places: dict[int, tuple[tuple[str, str | None, str | None], dict[str, Any], anchors.Resolved]] = {}


_STATES: OrderedDict[int, _DocumentState] = OrderedDict()  # card id -> its last state read
_STATES_LOCK = threading.Lock()
STATES_KEPT = 16  # cards
PLACES_KEPT = 2 * MAX_THREADS_PER_CARD  # per card state


def _document_state(card_id: int | None, update: bytes) -> _DocumentState:
    digest = hashlib.blake2b(update, digest_size=16).digest()
    if card_id is None:
        return _DocumentState(digest)
    with _STATES_LOCK:
        state = _STATES.get(card_id)
        if state is None or state.digest != digest:
            state = _STATES[card_id] = _DocumentState(digest)
        _STATES.move_to_end(card_id)
        while len(_STATES) > STATES_KEPT:
            _STATES.popitem(last=False)
    return state


class Resolver:
    """Resolves the anchors of many threads of one card against one read of its document.

    The document is read as its state update; the `Doc` and its item index are only built when
    something is not kept for that state already.
    """

    def __init__(self, documents: Documents, card: Card, doc: Doc | None = None) -> None:
        self.fields = {f["id"]: f for f in template_of(card.plan)["fields"]}
        self._doc = doc
        self._update = doc.get_update() if doc is not None else None
        self._read = self._update if doc is not None else documents.state(card.id)
        self._state = _document_state(card.id, self._read)
        self._items: Any = None

    @property
    def digest(self) -> bytes:
        """The document state's digest: what the places found are good for."""
        return self._state.digest

    @property
    def doc(self) -> Doc:
        if self._doc is None:
            doc = Doc()
            doc.apply_update(self._read)
            self._doc = doc
        return self._doc

    def text(self, field: str, row: str | None, column: str | None) -> anchors.FieldText | None:
        spec = self.fields.get(field)
        key = (field, row, column, spec["type"] if spec else None)
        texts = self._state.texts
        if key not in texts:
            texts[key] = anchors.field_text(self.doc, spec, row, column) if spec else None
        return texts[key]

    @property
    def items(self) -> Any:
        if self._items is None:
            if self._update is None:
                self._update = self.doc.get_update()  # the document's own encoding, as items read it
            self._items = anchors.items_of(self.doc, self._update)
        return self._items

    def locate(self, thread: Any) -> tuple[anchors.Resolved | None, dict[str, Any] | None]:
        """Where `thread`'s range is now, and, for a range found again from its quote, the anchor
        with new positions (for the caller to store: editors, which follow positions, find it
        too); None when the anchor stays as it is."""
        if thread.field is None or thread.anchor is None:
            return None, None
        where, anchor = (thread.field, thread.row, thread.column), thread.anchor
        kept = self._state.places.get(thread.id) if thread.id is not None else None
        if kept is not None and kept[0] == where and kept[1] == anchor:
            place = kept[2]
        else:
            place = anchors.resolve(self.text(*where), anchor, self.items)
            if thread.id is not None and len(self._state.places) < PLACES_KEPT:
                self._state.places[thread.id] = (where, anchor, place)
        found = self.text(*where)
        if place.how == "quote" and found is not None and self.items is not None:
            try:
                made = anchors.make(self.doc, found, place.start, place.end, self.items)
            except anchors.AnchorError:
                return place, None
            return place, {**anchor, "start": made.start, "end": made.end, "offset": place.start}
        return place, None

    def place(self, thread: Thread) -> anchors.Resolved | None:
        """Where the thread's range is now; a range found again from its quote gets its new
        positions (the caller commits them)."""
        place, moved = self.locate(thread)
        if moved is not None:
            thread.anchor = moved
        return place


# -- the listing -----------------------------------------------------------------------------

@dataclass
class _Threads:
    """A card's threads read at one review version: what placing them needs, each one's JSON."""

    version: str
    threads: list[_Anchored]
    unplaced: dict[int, dict[str, Any]]
    people_ids: list[int]
    people: dict[int, dict[str, Any] | None]
    names: dict[int, str]
    # The whole answer, in document order, for one document state: (its digest, the answer).
    answer: tuple[bytes, list[dict[str, Any]]] | None = None


@dataclass(frozen=True)
class _Anchored:
    """The columns of a thread that say where it is anchored."""

    id: int
    field: str | None
    row: str | None
    column: str | None
    anchor: dict[str, Any] | None


_THREADS: OrderedDict[int, _Threads] = OrderedDict()  # card id -> its threads as last read
_THREADS_LOCK = threading.Lock()
THREADS_KEPT = 16  # cards


def _threads(session: Session, card: Card) -> _Threads:
    """The card's threads: as kept for its current review version, else read now."""
    version = session.scalar(select(Card.review_version).where(Card.id == card.id))
    with _THREADS_LOCK:
        kept = _THREADS.get(card.id)
    if kept is not None and kept.version == version:
        people, names = _people(session, kept.people_ids)
        if people == kept.people and names == kept.names:
            return kept
    threads = list(session.scalars(select(Thread).where(Thread.card_id == card.id)))
    loaded = _load(session, threads, card.id)
    read = _Threads(version, [_Anchored(t.id, t.field, t.row, t.column, t.anchor) for t in threads],
                    {t.id: _unplaced_json(t, loaded) for t in threads},
                    _named(threads, loaded.comments), loaded.people, loaded.names)
    with _THREADS_LOCK:
        _THREADS[card.id] = read
        _THREADS.move_to_end(card.id)
        while len(_THREADS) > THREADS_KEPT:
            _THREADS.popitem(last=False)
    return read


def _order_key(ranks: dict[str, int], thread: Any, place: anchors.Resolved | None) -> tuple[int, int, int]:
    field_rank = ranks.get(thread.field, 0) if thread.field is not None else 0
    return field_rank, place.start if place is not None and place.start is not None else -1, thread.id


def list_threads(session: Session, documents: Documents, card: Card, status: str = "all") -> list[dict[str, Any]]:
    """The card's threads in document order (field order, then position), filtered by status.

    The answer's dicts may be shared with later answers for the same card: read them, do not
    change them.
    """
    kept = _threads(session, card)
    resolver = Resolver(documents, card)
    known = kept.answer
    if known is not None and known[0] == resolver.digest:
        answer = known[1]
    else:
        placed, moved = [], []
        for thread in kept.threads:
            place, anchor = resolver.locate(thread)
            placed.append((thread, place, anchor))
            if anchor is not None:
                moved.append((thread.id, anchor))
        ranks = {name: rank for rank, name in enumerate(resolver.fields, 1)}
        placed.sort(key=lambda entry: _order_key(ranks, entry[0], entry[1]))
        answer = [_placed_json(kept.unplaced[t.id], place, anchor) for t, place, anchor in placed]
        if moved:
            # Found again from their quotes: the new positions are stored (the caller commits),
            # which gives the card a new review version; what was kept is not used again.
            for thread_id, anchor in moved:
                session.get(Thread, thread_id).anchor = anchor
            with _THREADS_LOCK:
                if _THREADS.get(card.id) is kept:
                    del _THREADS[card.id]
        else:
            kept.answer = (resolver.digest, answer)
    if status == "open":
        return [t for t in answer if t["status"] == "open" and not t["detached"]]
    if status == "resolved":
        return [t for t in answer if t["status"] == "resolved"]
    if status == "detached":
        return [t for t in answer if t["detached"]]
    return list(answer)


def one(session: Session, documents: Documents, thread: Thread) -> dict[str, Any]:
    card = session.get(Card, thread.card_id)
    return thread_json(session, thread, Resolver(documents, card).place(thread))
