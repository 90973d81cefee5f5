"""Approval: sign-offs bound to a card's canonical content, and the card's versions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organisation, User
from .base import Base, utcnow

DECISIONS = ("approve", "reject")
VERSION_KINDS = ("submitted", "signed", "approved", "changes_requested", "before_restore", "restored",
                 "named", "published")


class CardVersion(Base):
    """A card as it was at one moment: its whole document state, canonical content and hash.

    `metadata_` keeps the database half of the card (number, axis, lead and co-lead ids) so a
    restore can put it back; `content` already holds the same half by name, for reading.
    """

    __tablename__ = "card_versions"
    __table_args__ = (Index("ix_card_versions_card", "card_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    number: Mapped[int]  # 1, 2, … per card
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[bytes] = mapped_column(LargeBinary)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()


class Signoff(Base):
    """One party's decision on one exact content of a card.

    It is *current* while the card's canonical hash equals `content_hash` and it is neither
    withdrawn nor replaced by the same person's later sign-off; otherwise it stays as history.
    """

    __tablename__ = "signoffs"
    __table_args__ = (Index("ix_signoffs_card", "card_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    organisation_kind: Mapped[str | None] = mapped_column(String(20))  # as it was when signed
    decision: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("card_versions.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    replaced_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    version: Mapped[CardVersion | None] = relationship()

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None and self.replaced_at is None
