"""Accounts: finding one by e-mail (and the one a role grant names), ending every session of a
user, setting a password, checking a person's name; organisations and API tokens.

Callers commit, then call `server.services.live.credentials_revoked(user.id)` so the co-editing
engine closes the sockets those sessions opened.
"""
from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .. import policy
from ..auth.passwords import MIN_LENGTH, hash_password
from ..i18n import translate
from ..models import LANGUAGES, ORGANISATION_KINDS, ApiToken, Organisation, Plan, User, utcnow
from ..models.accounts import new_session_version
from . import audit
from .access import is_id
from .errors import Conflict, Forbidden, Invalid, NotFound, keyed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The embedding, override and isolate controls change the order in which the text after them
# is shown: in a name they could make the rest of a line, or a whole table row, read backwards.
# The plain direction marks (LRM U+200E, RLM U+200F, ALM U+061C) reorder nothing beyond
# themselves and have real uses in mixed Arabic and Latin names, so they stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NOT_GIVEN: Any = object()


def find_by_email(session: Session, email: Any) -> User | None:
    """The account with address `email` (spaces around it and case ignored), or None; also None
    when `email` is not a text."""
    if not isinstance(email, str):
        return None
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def user_for_role(session: Session, actor: User, plan: Plan, email: Any = _NOT_GIVEN,
                  user_id: Any = _NOT_GIVEN) -> User:
    """The account a role grant names: by `user_id` when one is given, else by `email`.

    Only those who manage the plan's roles may name an account by id: ids are guessable, and
    anyone else could learn the e-mail of every account from the answer to a grant.

    Raises:
        Forbidden: an id named by someone who may not name accounts by id ("roles.name_by_email").
        Invalid: nothing usable named ("roles.name_the_user"), an id that cannot be one, or no
            such account ("roles.no_such_user", "roles.no_such_user_id": invite them instead).
    """
    if user_id is not _NOT_GIVEN:
        if not policy.may_name_users_by_id(session, actor, plan):
            raise keyed(Forbidden, "roles.name_by_email", field="user_id")
        if not is_id(user_id):
            raise keyed(Invalid, "roles.bad_user_id", field="user_id")
        found = session.get(User, user_id)
        if found is None:
            raise keyed(Invalid, "roles.no_such_user_id", field="user_id")
        return found
    if not isinstance(email, str):
        raise keyed(Invalid, "roles.name_the_user", field="user_id")
    found = find_by_email(session, email)
    if found is None:
        raise keyed(Invalid, "roles.no_such_user", field="user_id")
    return found


def end_sessions(session: Session, user: User, why: str, actor: User | None = None) -> None:
    """Give `user` a new session version: every session signed in before stops working.

    Args:
        why: recorded in the audit log ("logout", "password_changed", "password_reset").
        actor: who did it, when not `user` themselves (None with `why="password_reset"`: the
            command line).
    """
    user.session_version = new_session_version()
    audit.record(session, actor if actor is not None or why == "password_reset" else user,
                 "sessions.ended", user_id=user.id, why=why)


def set_password(session: Session, user: User, password: str, why: str = "password_changed",
                 actor: User | None = None) -> None:
    """Store a new password and end every session of `user`.

    Raises:
        ValueError: the password is too short (the message says how long it must be).
    """
    user.password_hash = hash_password(password)
    end_sessions(session, user, why, actor)


def name_problem(name: str) -> str | None:
    """What is wrong with a person's or an organisation's name, as a message-catalogue key.

    Returns:
        "names.bidi_controls" or "names.control_characters", or None when the name is fine
        (emptiness and length are the caller's to check).
    """
    if any(c in BIDI_CONTROLS for c in name):
        return "names.bidi_controls"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "names.control_characters"
    return None


def create_organisation(session: Session, actor: User, data: dict[str, Any]) -> Organisation:
    """Add a ministry, association, company or international body (audited).

    Raises:
        Forbidden: the actor is neither an administrator nor a plan coordinator.
        Invalid: a kind outside ORGANISATION_KINDS, or a missing or unfit name.
    """
    if not policy.can_manage_organisations(session, actor):
        raise keyed(Forbidden, "organisations.error.forbidden")
    if data.get("kind") not in ORGANISATION_KINDS:
        raise keyed(Invalid, "organisations.error.kind", field="kind")
    for key in ("name_ar", "name_fr"):
        if not isinstance(data.get(key), str) or not data[key].strip() or len(data[key]) > 300:
            raise keyed(Invalid, f"organisations.error.{key}", field=key)
        problem = name_problem(data[key])
        if problem:
            raise keyed(Invalid, problem, field=key)
    org = Organisation(kind=data["kind"], name_ar=data["name_ar"].strip(), name_fr=data["name_fr"].strip())
    session.add(org)
    session.flush()
    audit.record(session, actor, "organisation.created", organisation=org.id, kind=org.kind)
    return org


def revoke_token(session: Session, actor: User, token_id: Any) -> ApiToken:
    """Revoke one of `actor`'s API tokens (the caller commits, then tells the live engine).

    Raises:
        NotFound: no such token of the actor's (someone else's token is not found either).
    """
    token = session.get(ApiToken, token_id) if isinstance(token_id, int) and 0 < token_id < 2**31 else None
    if token is None or token.user_id != actor.id:
        raise NotFound(f"No token {token_id} of yours.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "token.revoked", token=token.id)
    return token


def create_account(session: Session, email: str, name: str, password: str, language: str = "ar", *,
                   admin: bool = False, actor: User | None = None, why: str = "cli") -> User:
    """A new account (the invitation page and `iltizam create-user` both use this; audited).

    Raises:
        Conflict: an account with that address exists.
        Invalid: (field name, password, language) an unfit name, a short password, an unknown language.
    """
    email = email.strip().lower()
    name = name.strip()
    if find_by_email(session, email) is not None:
        raise Conflict(f"an account with {email} already exists", field="email")
    problem = name_problem(name) if name else "invitation.need_name_password"
    if problem:
        raise Invalid(translate(problem, "en", n=MIN_LENGTH), field="name")
    if language not in LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(LANGUAGES)}", field="language")
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise Invalid(str(exc), field="password") from None
    user = User(email=email, name=name[:200], password_hash=password_hash, language=language, is_admin=admin)
    session.add(user)
    session.flush()
    audit.record(session, actor or user, "account.created", user=user.id, how=why, admin=admin)
    return user
