"""Comment threads on cards (step م3.4, review): create, reply, edit, delete, resolve, reopen;
reading them is server/services/thread_listing.py's.

Who may comment is server.policy's "card.comment" (which also closes comments once a card is
approved); reading threads is "card.view". Every change is committed, then told to the live
engine (server/services/live.py) so everyone on the card sees it, and to the people concerned
(server/services/notifications.py). Anchors are resolved against the live document on every
read (server/review/anchors.py); nothing about a thread is written into the document.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from .. import policy
from ..i18n import translate
from ..models import Card, Comment, RoleAssignment, Thread, User, utcnow
from ..review import anchors, bodies
from ..review.plain import RANGE_TYPES
from . import audit, live, notifications
from .errors import Forbidden, Invalid, NotFound, ServiceError
from .thread_listing import MAX_THREADS_PER_CARD, Resolver, list_threads, one, person, thread_json

__all__ = ["MAX_THREADS_PER_CARD", "Resolver", "list_threads", "one", "person", "thread_json"]  # re-exported

if TYPE_CHECKING:
    from pycrdt import Doc
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents

STATUS_FILTERS = ("open", "resolved", "detached", "all")


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


# -- reading (server/services/thread_listing.py) -------------------------------------

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
        place = anchors.resolve(found, {"start": positions.get("start"), "end": positions.get("end")},
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
