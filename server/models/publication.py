"""The public side: published versions of cards, public consultations and their contributions,
and the documents a plan's lifecycle keeps (the Council .docx as it was submitted)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .approval import CardVersion
from .base import Base, utcnow

CONTRIBUTION_STATES = ("unconfirmed", "pending", "published", "rejected")
REJECT_REASONS = ("off_topic", "abusive", "duplicate", "personal_data")
OUTCOMES = ("taken_into_account", "partly", "not_retained", "out_of_scope")
PLAN_STAGES = ("drafting", "consultation", "finalising", "submitted", "adopted")


class Publication(Base):
    """One published version of a card: what the public sees, frozen until published again.

    The card's public page shows its latest publication that is not withdrawn; earlier ones
    stay listed ("version 1, published on …") with what changed between them.
    """

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_card", "card_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    number: Mapped[int]  # 1, 2, … per card, as the public counts them
    version_id: Mapped[int] = mapped_column(ForeignKey("card_versions.id"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[CardVersion] = relationship()


class Consultation(Base):
    """A window in which anyone may contribute on a plan's published cards (step م1.5)."""

    __tablename__ = "consultations"
    __table_args__ = (Index("ix_consultations_plan", "plan_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]  # closed before its end by the coordinator
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contribution(Base):
    """What one member of the public said on a plan, a card or one field of a card, and its answer.

    The e-mail address is never published; `address_hash` (a keyed hash of the sender's
    address) only counts contributions for the rate limit.
    """

    __tablename__ = "contributions"
    __table_args__ = (Index("ix_contributions_plan", "plan_id", "state", "id"),
                      Index("ix_contributions_card", "card_id", "state"),
                      Index("ix_contributions_address", "address_hash", "created_at"),
                      Index("ix_contributions_email", "email", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))  # None: on the plan as a whole
    field: Mapped[str | None] = mapped_column(String(60))  # None: on the whole card
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))  # the version read
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2), default="ar")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    address_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(String(20))
    moderation_note: Mapped[str] = mapped_column(Text, default="")
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(30))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class PlanDocument(Base):
    """A document a plan's lifecycle keeps byte for byte: the Council .docx as submitted."""

    __tablename__ = "plan_documents"
    __table_args__ = (Index("ix_plan_documents_plan", "plan_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    kind: Mapped[str] = mapped_column(String(20))  # "council"
    lang: Mapped[str] = mapped_column(String(2))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
