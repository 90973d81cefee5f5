"""API tokens for scripts: shown once, stored as SHA-256, sent as `Authorization: Bearer`."""
from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..models import ApiToken, User, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PREFIX = "ilt_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str = "script") -> tuple[ApiToken, str]:
    """Create a token for `user`. Returns the record and the secret, which is never stored."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100] or "script", prefix=secret[:10], token_hash=_digest(secret))
    session.add(token)
    session.flush()
    return token, secret


def user_for_token(session: Session, secret: str) -> User | None:
    if not secret or not secret.startswith(PREFIX):
        return None
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # Bookkeeping, committed at once: holding this write open for the whole request would
        # block the document store's own transaction on SQLite.
        token.last_used_at = now
        session.commit()
    return token.user
