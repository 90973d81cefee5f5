"""Who is asking: the session's user for browsers, the bearer token's user for scripts."""
from __future__ import annotations

import hmac
import secrets

from flask import abort, g, request, session

from .. import db
from ..models import User
from .tokens import user_for_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def load_user() -> User | None:
    """Resolve and cache the current user for this request (None when anonymous)."""
    if "user" in g:
        return g.user
    user = None
    g.via_token = False
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = user_for_token(db.session(), header[len("Bearer "):].strip())
        g.via_token = user is not None
    elif session.get("user_id"):
        user = db.session().get(User, session["user_id"])
        if user is None or session.get("epoch") != _epoch(user):
            session.clear()
            user = None
    g.user = user
    return user


def _epoch(user: User) -> str:
    # Changing the password hash ends every session made before the change.
    return (user.password_hash or "")[-16:]


def log_in(user: User) -> None:
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["epoch"] = _epoch(user)
    session["csrf"] = secrets.token_urlsafe(32)
    g.user = user


def log_out() -> None:
    session.clear()
    g.user = None


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a state-changing browser request without the session's CSRF token.

    Requests authenticated by bearer token carry no cookie a third-party page could ride on,
    so they need none.
    """
    if request.method in SAFE_METHODS or g.get("via_token"):
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="csrf")


def session_valid(user: User, data: dict) -> bool:
    """Whether a session's contents still stand for `user` (the engine re-checks open sockets)."""
    return data.get("user_id") == user.id and data.get("epoch") == _epoch(user)
