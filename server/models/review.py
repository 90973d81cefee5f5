"""Review: comment threads on a card, their comments, and the notifications they cause.

Threads live here, not in the card's Yjs document: commenting needs no write right on the
document, and comments never enter versions or the content hash.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import secrets
from itertools import chain

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .accounts import User
from .base import Base, utcnow
from .plans import Card

THREAD_STATUSES = ("open", "resolved")
NOTIFICATION_KINDS = ("mention", "reply", "new_thread", "resolved", "submitted", "approved", "changes_requested")


class Thread(Base):
    """A discussion about a range of a field's text, a whole field, or the whole card.

    `field` is None for the whole card; `anchor` is None for a whole field. For a table cell,
    `row` is the row's stable id and `column` the column id. `anchor` holds the two Yjs
    relative positions and the quote with its context (server/review/anchors.py); `quote` is
    the text as first quoted, kept for ever.
    """

    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_card", "card_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    field: Mapped[str | None] = mapped_column(String(50))
    row: Mapped[str | None] = mapped_column(String(50))
    column: Mapped[str | None] = mapped_column(String(50))
    anchor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    quote: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    # Set by an approver or steering member: while open, the card cannot be approved.
    blocking: Mapped[bool] = mapped_column(default=False)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    comments: Mapped[list[Comment]] = relationship(back_populates="thread", order_by="Comment.id")


class Comment(Base):
    """One comment of a thread; a deleted comment keeps its place and loses its body."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    thread: Mapped[Thread] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class Notification(Base):
    """An entry of a user's inbox: a mention, a reply, a new thread, a thread resolved; a card
    submitted to those who sign it, approved, or sent back to its leads."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))  # None: about the card
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]  # set when mailed, or when mail was not wanted

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    thread: Mapped[Thread | None] = relationship()


@event.listens_for(Session, "after_flush")
def _new_review_version(session: Session, _context: object) -> None:
    """Give every card whose threads or comments this flush wrote a new `review_version`, in
    the same transaction: whatever writes them (the services, the workflow, the demo, a script
    through the ORM), a listing kept for the old value is not used again."""
    cards: set[int] = set()
    thread_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Thread):
            cards.add(obj.card_id)
        elif isinstance(obj, Comment):
            thread_ids.add(obj.thread_id)
    if not cards and not thread_ids:
        return
    connection = session.connection()
    if thread_ids - {None}:
        cards.update(connection.scalars(select(Thread.card_id).where(Thread.id.in_(sorted(thread_ids - {None})))))
    cards.discard(None)
    if cards:
        table = Card.__table__
        # updated_at set to itself: a comment is no change to the card (no onupdate).
        connection.execute(update(table).where(table.c.id.in_(sorted(cards)))
                           .values(review_version=secrets.token_hex(16), updated_at=table.c.updated_at))
