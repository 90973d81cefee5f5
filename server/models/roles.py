"""Who holds which role where (step م2.4), invitations, manual criteria attestations."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, utcnow

PLAN_ROLES = ("coordinator", "steering")
CARD_ROLES = ("lead", "co_lead", "contributor", "reviewer", "approver", "viewer")


class RoleAssignment(Base):
    """One role of one user, on a plan (card_id NULL) or on one card of it."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "plan_id", "card_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Invitation(Base):
    """An invitation to take a role. The link carries a signed, expiring token with the id."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    role: Mapped[str] = mapped_column(String(20))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Attestation(Base):
    """A person's statement that a manual criterion holds for a card."""

    __tablename__ = "attestations"
    __table_args__ = (UniqueConstraint("card_id", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    criterion: Mapped[str] = mapped_column(String(50))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
