"""Action plans, their axes and their commitment cards."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organisation
from .base import Base, utcnow


def titled(named: Plan | Axis, lang: str) -> str:
    """A plan's or an axis's name in `lang`: Arabic, French, or English where one was given,
    else French (the plans are written in Arabic and French; English is a courtesy)."""
    if lang == "ar":
        return named.title_ar
    if lang == "en" and named.title_en:
        return named.title_en
    return named.title_fr


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_ar: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")  # "": none given, French stands in
    period_start: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    period_end: Mapped[str] = mapped_column(String(7))
    coordinator_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    template_id: Mapped[str] = mapped_column(String(50))
    template_version: Mapped[int]
    # {"id": "default", "version": 1, "disabled": [rule ids]}: which criteria set, and the
    # coordinator's changes to it.
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    # {"parties": [{"role", "kind", "count"}]}: whose sign-offs approve a card
    # (services/approval_policy.py).
    approval_policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    final: Mapped[bool] = mapped_column(default=False)
    # Where the plan stands in its own lifecycle (models.publication.PLAN_STAGES), and each move
    # as {"stage", "at"} for the public timeline.
    stage: Mapped[str] = mapped_column(String(20), default="drafting")
    stage_history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The Government Council's decision, once adopted: its date (YYYY-MM-DD) and reference.
    council_decision_date: Mapped[str | None] = mapped_column(String(10))
    council_reference: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    coordinator_org: Mapped[Organisation | None] = relationship()
    axes: Mapped[list[Axis]] = relationship(back_populates="plan", order_by="Axis.number")
    cards: Mapped[list[Card]] = relationship(back_populates="plan", order_by="Card.id")

    def title(self, lang: str) -> str:
        return titled(self, lang)

    def titles(self) -> dict[str, str]:
        return {lang: titled(self, lang) for lang in ("ar", "fr", "en")}


class Axis(Base):
    __tablename__ = "axes"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    number: Mapped[int]
    title_ar: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")  # "": none given, French stands in

    plan: Mapped[Plan] = relationship(back_populates="axes")

    def title(self, lang: str) -> str:
        return titled(self, lang)

    def titles(self) -> dict[str, str]:
        return {lang: titled(self, lang) for lang in ("ar", "fr", "en")}


class Card(Base):
    """A commitment card's metadata. Its content lives only in its Yjs document."""

    __tablename__ = "cards"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    axis_id: Mapped[int | None] = mapped_column(ForeignKey("axes.id"))
    number: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    lead_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    co_lead_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A new random value whenever the card's threads or comments change (models/review.py sets
    # it in the flush that writes them): what a process kept of the card's threads is good for
    # exactly one value (services/threads.py).
    review_version: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16), server_default="")

    plan: Mapped[Plan] = relationship(back_populates="cards")
    axis: Mapped[Axis | None] = relationship()
    lead_org: Mapped[Organisation | None] = relationship(foreign_keys=[lead_org_id])
    co_lead_org: Mapped[Organisation | None] = relationship(foreign_keys=[co_lead_org_id])
