"""Comment threads on cards (step م3.4, review): create, reply, edit, delete, resolve, reopen.

Who may comment is server.policy's "card.comment" (which also closes comments once a card is
approved); reading threads is "card.view". Every change is committed, then told to the live
engine (server/services/live.py) so everyone on the card sees it, and to the people concerned
(server/services/notifications.py). Anchors are resolved against the live document on every
read (server/review/anchors.py); nothing about a thread is written into the document.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import policy
from ..i18n import translate
from ..models import Card, Comment, RoleAssignment, Thread, User, utcnow
from ..review import anchors, bodies
from ..review.plain import RANGE_TYPES
from . import audit, live, notifications
from .errors import Forbidden, Invalid, NotFound, ServiceError
from .plans import template_of

if TYPE_CHECKING:
    from pycrdt import Doc
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents

STATUS_FILTERS = ("open", "resolved", "detached", "all")
MAX_THREADS_PER_CARD = 2000  # far above any review; stops one account from flooding a card


def _error(kind: type[ServiceError], reason: str, lang: str, field: str | None = None, **params: Any) -> ServiceError:
    return kind(translate(reason, lang, **params), field=field)


# -- lookups ------------------------------------------------------------------------------

def card_for(session: Session, user: User, card_id: int, action: str = "card.view") -> Card:
    """The card, when `user` may do `action` on it; 404 for anyone who may not even see it."""
    card = session.get(Card, card_id)
    if card is None or not policy.allowed(session, user, "card.view", card):
        raise _error(NotFound, "review.no_card", user.language, id=card_id)
    _check(session, user, action, card)
    return card


def thread_for(session: Session, user: User, thread_id: int, action: str = "card.view") -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise _error(NotFound, "review.no_thread", user.language, id=thread_id)
    card = session.get(Card, thread.card_id)
    if card is None or not policy.allowed(session, user, "card.view", card):
        raise _error(NotFound, "review.no_thread", user.language, id=thread_id)
    _check(session, user, action, card)
    return thread


def comment_for(session: Session, user: User, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise _error(NotFound, "review.no_comment", user.language, id=comment_id)
    thread_for(session, user, comment.thread_id, "card.comment")
    return comment


def _check(session: Session, user: User, action: str, card: Card) -> None:
    if action == "card.view":
        return
    decision = policy.decide(session, user, action, card)
    if not decision:
        raise _error(Forbidden, decision.reason, user.language)


def members(session: Session, card: Card) -> list[User]:
    """Everyone holding a role on the card or its plan: who may be mentioned."""
    ids = select(RoleAssignment.user_id).where(
        RoleAssignment.plan_id == card.plan_id,
        (RoleAssignment.card_id.is_(None)) | (RoleAssignment.card_id == card.id))
    return list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


# -- reading ------------------------------------------------------------------------------

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
    wanted = {t.created_by_id for t in threads} | {t.resolved_by_id for t in threads}
    wanted |= {c.author_id for rows in comments.values() for c in rows}
    wanted |= {uid for rows in comments.values() for c in rows for uid in bodies.mentioned_ids(c.body)}
    wanted.discard(None)
    people: dict[int, dict[str, Any] | None] = {}
    names: dict[int, str] = {}
    ordered = sorted(wanted)
    for i in range(0, len(ordered), _IN_CHUNK):
        for user in session.scalars(select(User).where(User.id.in_(ordered[i:i + _IN_CHUNK]))
                                    .options(joinedload(User.organisation))):
            people[user.id] = person(user)
            names[user.id] = user.name
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


def thread_json(session: Session, thread: Thread, place: anchors.Resolved | None,
                loaded: _Loaded | None = None) -> dict[str, Any]:
    """A thread as the API and the room events give it (docs: openapi.json `Thread`).

    Args:
        loaded: its comments and people (`_load`), read here when not given.
    """
    loaded = _load(session, [thread]) if loaded is None else loaded
    people, names = loaded.people, loaded.names
    field, anchor = thread.field, thread.anchor
    kind = "card" if field is None else "field" if anchor is None else "range"
    placed = place is not None and not (kind == "range" and place.detached)
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
        "id": thread.id, "card_id": thread.card_id, "field": field, "row": thread.row,
        "column": thread.column, "kind": kind, "status": thread.status,
        "detached": kind == "range" and not placed, "blocking": thread.blocking, "quote": thread.quote,
        "anchor": _positions(anchor),
        "current_text": place.text if place is not None and placed else None,
        "start": place.start if place is not None and placed else None,
        "end": place.end if place is not None and placed else None,
        "created_at": _iso(thread.created_at), "created_by": people.get(thread.created_by_id),
        "resolved_at": _iso(thread.resolved_at),
        "resolved_by": people.get(resolved_by) if resolved_by is not None else None,
        "comments": comments,
    }


def _positions(anchor: dict[str, Any] | None) -> dict[str, Any] | None:
    """The relative positions of an anchor, or None when it has none (a quote only)."""
    if not anchor or not isinstance(anchor.get("start"), dict) or not isinstance(anchor.get("end"), dict):
        return None
    return {"start": anchor["start"], "end": anchor["end"]}


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
    """Resolves the anchors of many threads of one card against one read of its document."""

    def __init__(self, documents: Documents, card: Card, doc: Doc | None = None) -> None:
        self.doc: Doc = doc if doc is not None else documents.read(card.id)
        self.fields = {f["id"]: f for f in template_of(card.plan)["fields"]}
        self._update = self.doc.get_update()
        self._state = _document_state(card.id, self._update)
        self._items: Any = None

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
            self._items = anchors.items_of(self.doc, self._update)
        return self._items

    def place(self, thread: Thread) -> anchors.Resolved | None:
        """Where the thread's range is now. A range found again from its quote gets new
        positions (the caller commits them), so editors, which follow positions, find it too."""
        if thread.field is None or thread.anchor is None:
            return None
        where, anchor = (thread.field, thread.row, thread.column), thread.anchor
        kept = self._state.places.get(thread.id) if thread.id is not None else None
        if kept is not None and kept[0] == where and kept[1] == anchor:
            place = kept[2]
        else:
            place = anchors.resolve(self.doc, self.text(*where), anchor, self.items)
            if thread.id is not None and len(self._state.places) < PLACES_KEPT:
                self._state.places[thread.id] = (where, anchor, place)
        found = self.text(*where)
        if place.how == "quote" and found is not None and self.items is not None:
            try:
                made = anchors.make(self.doc, found, place.start, place.end, self.items)
            except anchors.AnchorError:
                return place
            thread.anchor = {**anchor, "start": made.start, "end": made.end, "offset": place.start}
        return place


def _order_key(ranks: dict[str, int], thread: Thread, place: anchors.Resolved | None) -> tuple[int, int, int]:
    field_rank = ranks.get(thread.field, 0) if thread.field is not None else 0
    return field_rank, place.start if place is not None and place.start is not None else -1, thread.id


def list_threads(session: Session, documents: Documents, card: Card, status: str = "all") -> list[dict[str, Any]]:
    """The card's threads in document order (field order, then position), filtered by status."""
    threads = list(session.scalars(select(Thread).where(Thread.card_id == card.id)))
    resolver = Resolver(documents, card)
    placed = [(t, resolver.place(t)) for t in threads]
    ranks = {field: rank for rank, field in enumerate(resolver.fields, 1)}
    placed.sort(key=lambda pair: _order_key(ranks, *pair))
    loaded = _load(session, threads, card.id)
    out = [thread_json(session, t, p, loaded) for t, p in placed]
    if status == "open":
        return [t for t in out if t["status"] == "open" and not t["detached"]]
    if status == "resolved":
        return [t for t in out if t["status"] == "resolved"]
    if status == "detached":
        return [t for t in out if t["detached"]]
    return out


def one(session: Session, documents: Documents, thread: Thread) -> dict[str, Any]:
    card = session.get(Card, thread.card_id)
    return thread_json(session, thread, Resolver(documents, card).place(thread))


def open_counts(session: Session, card_ids: list[int]) -> dict[int, int]:
    """Open threads per card (detached ones included: someone still has to read them)."""
    if not card_ids:
        return {}
    rows = session.execute(select(Thread.card_id, func.count()).where(
        Thread.card_id.in_(card_ids), Thread.status == "open").group_by(Thread.card_id))
    return {card_id: count for card_id, count in rows}


# -- writing ------------------------------------------------------------------------------

def _check_body(body: Any, session: Session, card: Card, actor: User) -> tuple[str, list[User]]:
    problem = bodies.body_problem(body)
    if problem is not None:
        raise _error(Invalid, problem, actor.language, field="body", n=bodies.MAX_BODY)
    member_ids = {u.id: u for u in members(session, card)}
    mentioned = []
    for user_id in bodies.mentioned_ids(body):
        if user_id not in member_ids:
            raise _error(Invalid, "review.mention_not_member", actor.language, field="body", id=user_id)
        mentioned.append(member_ids[user_id])
    return body, mentioned


def _text_id(value: Any, name: str, lang: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= 50:
        raise _error(Invalid, "review.bad_value", lang, field=name, name=name)
    return value


def _anchor(resolver: Resolver, data: dict[str, Any], spec: dict[str, Any], row: str | None,
            column: str | None, lang: str) -> tuple[dict[str, Any] | None, str]:
    """The anchor the request asks for (None: the whole field), and its quote."""
    wants_range = any(data.get(k) is not None for k in ("quote", "start", "end", "anchor"))
    if not wants_range:
        return None, ""
    # Number, axis and lead are card metadata, outside the document: whole-field threads only.
    in_document = spec.get("source", "document") == "document"
    if not in_document or (spec["type"] not in RANGE_TYPES and not (spec["type"] == "table" and row and column)):
        raise _error(Invalid, "review.no_ranges", lang, field="field")
    found = resolver.text(spec["id"], row, column)
    if found is None:
        raise _error(Invalid, "review.no_cell", lang, field="row")
    start = end = None
    positions = data.get("anchor")
    if positions is not None:
        if not isinstance(positions, dict):
            raise _error(Invalid, "review.bad_value", lang, field="anchor", name="anchor")
        items = resolver.items
        place = anchors.resolve(resolver.doc, found, {"start": positions.get("start"), "end": positions.get("end")},
                                items) if items is not None else anchors.DETACHED
        if place.how == "positions":
            start, end = place.start, place.end
    if start is None and data.get("start") is not None:
        start, end = data.get("start"), data.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise _error(Invalid, "review.bad_offsets", lang, field="start")
    if start is None:
        quote = data.get("quote")
        occurrence = data.get("occurrence")
        if not isinstance(quote, str):
            raise _error(Invalid, "review.bad_value", lang, field="quote", name="quote")
        if occurrence is not None and (not isinstance(occurrence, int) or isinstance(occurrence, bool)):
            raise _error(Invalid, "review.bad_value", lang, field="occurrence", name="occurrence")
        try:
            start, end = anchors.by_quote(found, quote, occurrence)
        except anchors.AnchorError as exc:
            raise _error(Invalid, f"review.{exc.code}", lang, field="quote") from None
    try:
        made = anchors.make(resolver.doc, found, start, end, resolver.items)
    except anchors.AnchorError as exc:
        raise _error(Invalid, f"review.{exc.code}", lang, field="start", n=len(found.text)) from None
    return made.as_json(), made.quote


def create(session: Session, documents: Documents, actor: User, card: Card, data: dict[str, Any]) -> Thread:
    """A new thread with its first comment (all checks first; nothing is stored on refusal)."""
    lang = actor.language
    _check(session, actor, "card.comment", card)
    body, mentioned = _check_body(data.get("body"), session, card, actor)
    count = session.scalar(select(func.count()).select_from(Thread).where(Thread.card_id == card.id))
    if count >= MAX_THREADS_PER_CARD:
        raise _error(Invalid, "review.too_many_threads", lang, n=MAX_THREADS_PER_CARD)
    field_id = _text_id(data.get("field"), "field", lang)
    row = _text_id(data.get("row"), "row", lang)
    column = _text_id(data.get("column"), "column", lang)
    anchor, quote = None, ""
    if field_id is not None:
        resolver = Resolver(documents, card)
        spec = resolver.fields.get(field_id)
        if spec is None:
            raise _error(Invalid, "review.no_field", lang, field="field", id=field_id)
        if (row is None) != (column is None) or (row is not None and spec["type"] != "table"):
            raise _error(Invalid, "review.row_and_column", lang, field="row")
        if column is not None and column not in {c["id"] for c in spec.get("columns", [])}:
            raise _error(Invalid, "review.no_column", lang, field="column", id=column)
        anchor, quote = _anchor(resolver, data, spec, row, column, lang)
    elif row is not None or column is not None:
        raise _error(Invalid, "review.row_and_column", lang, field="row")
    thread = Thread(card_id=card.id, field=field_id, row=row, column=column, anchor=anchor, quote=quote,
                    status="open", created_by=actor)
    comment = Comment(thread=thread, author=actor, body=body)
    session.add_all([thread, comment])
    session.flush()
    audit.record(session, actor, "thread.created", card=card, thread=thread.id, field=field_id)
    notifications.thread_created(session, card, thread, comment, actor, mentioned)
    return thread


def reply(session: Session, actor: User, thread: Thread, data: dict[str, Any]) -> Comment:
    card = session.get(Card, thread.card_id)
    _check(session, actor, "card.comment", card)
    body, mentioned = _check_body(data.get("body"), session, card, actor)
    if len(thread.comments) >= 500:
        raise _error(Invalid, "review.too_many_comments", actor.language, n=500)
    comment = Comment(thread=thread, author=actor, body=body)
    session.add(comment)
    session.flush()
    notifications.replied(session, card, thread, comment, actor, mentioned)
    return comment


def edit(session: Session, actor: User, comment: Comment, data: dict[str, Any]) -> Comment:
    card = session.get(Card, comment.thread.card_id)
    _own(comment, actor)
    before = set(bodies.mentioned_ids(comment.body))
    body, mentioned = _check_body(data.get("body"), session, card, actor)
    comment.body = body
    comment.edited_at = utcnow()
    session.flush()
    notifications.mentioned(session, card, comment.thread, comment, actor,
                            [u for u in mentioned if u.id not in before])
    return comment


def delete(session: Session, actor: User, comment: Comment) -> Comment:
    _own(comment, actor)
    comment.body = ""
    comment.deleted_at = utcnow()
    session.flush()
    return comment


def _own(comment: Comment, actor: User) -> None:
    if comment.author_id != actor.id:
        raise _error(Forbidden, "review.not_your_comment", actor.language)
    if comment.deleted_at is not None:
        raise _error(Invalid, "review.comment_deleted", actor.language)


def set_status(session: Session, actor: User, thread: Thread, status: str) -> Thread:
    """Resolve (status "resolved") or reopen ("open") a thread; recorded with who and when."""
    card = session.get(Card, thread.card_id)
    _check(session, actor, "card.comment", card)
    if thread.status == status:
        return thread
    thread.status = status
    thread.resolved_by = actor if status == "resolved" else None
    thread.resolved_at = utcnow() if status == "resolved" else None
    audit.record(session, actor, f"thread.{'resolved' if status == 'resolved' else 'reopened'}",
                 card=card, thread=thread.id)
    if status == "resolved":
        notifications.resolved(session, card, thread, actor)
    session.flush()
    return thread


def announce(session: Session, documents: Documents, kind: str, thread: Thread) -> None:
    """Tell everyone on the card (after the commit)."""
    live.thread_event(thread.card_id, kind, one(session, documents, thread))


# -- exports and imports --------------------------------------------------------------------

def threads_for_export(session: Session, documents: Documents,
                       cards: list[Card]) -> dict[int, list[dict[str, Any]]]:
    """Card id → its threads as the API gives them, for the review copy of a .docx."""
    return {card.id: list_threads(session, documents, card) for card in cards}


def import_threads(session: Session, documents: Documents, card: Card, actor: User,
                   comments: list[dict[str, Any]], doc: Doc | None = None) -> int:
    """Threads made from the comments of an imported Word file; returns how many were kept.

    Each becomes a thread anchored on the text it covered (a whole-field thread when that text
    is no longer found), its Word author's name kept at the head of the comment.

    Args:
        doc: the card's document when it is not committed yet (a card being imported).
    """
    resolver = Resolver(documents, card, doc)
    kept = 0
    for entry in comments[:MAX_THREADS_PER_CARD]:
        spec = resolver.fields.get(entry.get("field") or "")
        anchor, quote = None, ""
        row, column = entry.get("row"), entry.get("column")
        if spec is not None:
            found = resolver.text(spec["id"], row, column)
            if found is not None and entry.get("quote"):
                try:
                    start, end = anchors.by_quote(found, entry["quote"], entry.get("occurrence") or 1)
                    made = anchors.make(resolver.doc, found, start, end, resolver.items)
                    anchor, quote = made.as_json(), made.quote
                except anchors.AnchorError:
                    pass
        thread = Thread(card_id=card.id, field=spec["id"] if spec else None,
                        row=row if spec and anchor else None, column=column if spec and anchor else None,
                        anchor=anchor, quote=quote or entry.get("quote") or "",
                        status="resolved" if entry.get("resolved") else "open", created_by=actor)
        if entry.get("resolved"):
            thread.resolved_by, thread.resolved_at = actor, utcnow()
        session.add(thread)
        for item in [entry, *entry.get("replies", [])]:
            text = bodies.clean(str(item.get("body") or ""))
            author = bodies.clean(str(item.get("author") or ""))[:200]
            text = bodies.escape(text)  # what was typed in Word is text, not Markdown
            body = (f"**{bodies.escape(author)}** — {text}" if author else text) or "—"
            session.add(Comment(thread=thread, author=actor, body=body[:bodies.MAX_BODY]))
        kept += 1
    session.flush()
    return kept
