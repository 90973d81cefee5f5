"""Who is asking: the session's user for browsers, the bearer token's user for scripts.

A browser session (Flask's signed cookie) holds `user_id`, `sv` (the account's session version
when it signed in) and `login_at` (when, in seconds since the epoch). It is valid while `sv` is
still the account's version, which sign-out and a new password replace, and for at most
SESSION_ABSOLUTE_SECONDS after `login_at`, however active it is. The cookie is signed, not
encrypted: it holds nothing derived from a credential.
"""
from __future__ import annotations

import hmac
import secrets
import time
from typing import Any
from collections.abc import Mapping

from flask import abort, current_app, g, request, session

from .. import db
from ..models import User
from ..models.accounts import new_session_version
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
        user_id = session["user_id"]
        user = db.session().get(User, user_id) if isinstance(user_id, int) else None
        if user is None or not session_valid(user, session):
            session.clear()
            user = None
    g.user = user
    return user


def session_valid(user: User, data: Mapping[str, Any]) -> bool:
    """Whether the session `data` still signs `user` in.

    Every request checks it; the co-editing engine calls it again for an open socket (with the
    session the socket was opened with) when told the user's credentials changed. Needs an app
    context (for SESSION_ABSOLUTE_SECONDS).

    Args:
        user: the account the session names, freshly read from the database.
        data: the session dict (`user_id`, `sv`, `login_at`).

    Returns:
        False when the session is for another account, its version is no longer the account's
        (signed out everywhere, password changed) or it is older than SESSION_ABSOLUTE_SECONDS.
    """
    if data.get("user_id") != user.id:
        return False
    version = data.get("sv")
    if not isinstance(version, str) or not user.session_version \
            or not hmac.compare_digest(version, user.session_version):
        return False
    login_at = data.get("login_at")
    if not isinstance(login_at, (int, float)) or isinstance(login_at, bool):
        return False
    age = time.time() - login_at
    # A little slack for clocks of several servers; a session from the future is forged.
    return -60 <= age < current_app.config["SESSION_ABSOLUTE_SECONDS"]


def log_in(user: User) -> None:
    if not user.session_version:
        # An account written outside the ORM (the column's empty server default): give it one.
        user.session_version = new_session_version()
        db.session().commit()
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["sv"] = user.session_version
    session["login_at"] = int(time.time())
    session["csrf"] = secrets.token_urlsafe(32)
    g.user = user


def log_out() -> None:
    """Forget this browser's session (ending the account's other sessions is accounts.end_sessions)."""
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
