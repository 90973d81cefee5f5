"""People and organisations: users, organisations, API tokens."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

ORGANISATION_KINDS = ("government", "civil_society", "private_sector", "international")


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_ar: Mapped[str] = mapped_column(String(300))
    name_fr: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation")

    def name(self, lang: str) -> str:
        return self.name_ar if lang == "ar" else self.name_fr

    def names(self) -> dict[str, str]:
        return {"ar": self.name_ar, "fr": self.name_fr, "en": self.name_fr}


def new_session_version() -> str:
    """A fresh random session version: 32 hex characters, unrelated to any credential."""
    return secrets.token_hex(16)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(2), default="ar")
    is_admin: Mapped[bool] = mapped_column(default=False)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Carried by each session cookie as `sv`; replacing it (sign-out, new password) ends every
    # session of the account. The empty server default only lets migration 0002 add the column
    # on SQLite; rows are always written with a random value, and an empty one matches no session.
    # Whether review notifications are also mailed (when SMTP is configured).
    mail_notifications: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    session_version: Mapped[str] = mapped_column(String(32), default=new_session_version, server_default="")

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    """A script's credential. Only the SHA-256 of the secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
