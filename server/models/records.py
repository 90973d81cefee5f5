"""Append-only records: the audit log and each card's Yjs update log and compacted state."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY.
SEQ = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    """Never updated or deleted: every role change, status change, export, publication."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(50))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CardUpdate(Base):
    """One Yjs update of a card's document, in the order it was made durable."""

    __tablename__ = "card_updates"
    __table_args__ = (Index("ix_card_updates_card_seq", "card_id", "id"),)

    id: Mapped[int] = mapped_column(SEQ, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CompactedState(Base):
    """The compacted state of a card's document, covering every update up to `upto`."""

    __tablename__ = "compacted_states"

    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    upto: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
