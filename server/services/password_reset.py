"""Password reset links: mailed on request when SMTP is configured, or issued by a coordinator.

A link carries a token signed with SECRET_KEY holding the account id and a fingerprint of the
account's current password hash. It expires after PASSWORD_RESET_SECONDS, and once a new
password is set (through this link, another one or `iltizam reset-password`) the fingerprint no
longer matches, so every link issued before stops working: a link is good for one use without
a table of used tokens. The fingerprint is a digest of the hash, never the hash itself (a token
is signed, not encrypted).

Callers commit, then call `server.services.live.credentials_revoked(user.id)` after a reset.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from .. import policy
from ..auth.passwords import MIN_LENGTH
from ..i18n import translate
from ..models import RoleAssignment, User
from . import accounts, audit, mail
from .errors import Forbidden, Invalid, NotFound, keyed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import Plan

SALT = "iltizam-password-reset"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.id}|{user.password_hash or ''}".encode()).hexdigest()[:32]


def make_token(user: User, secret_key: str) -> str:
    return _serializer(secret_key).dumps([user.id, _fingerprint(user)])


def user_for_token(session: Session, token: str, secret_key: str, max_age: int) -> User:
    """The account a reset link is for.

    Raises:
        NotFound: not a link we signed ("reset.invalid").
        Forbidden: it expired ("reset.expired") or the password changed since it was issued,
            by this link or otherwise ("reset.used").
    """
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise keyed(Forbidden, "reset.expired") from None
    except BadSignature:
        raise keyed(NotFound, "reset.invalid") from None
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], int)):
        raise keyed(NotFound, "reset.invalid")
    user = session.get(User, data[0])
    if user is None:
        raise keyed(NotFound, "reset.invalid")
    if data[1] != _fingerprint(user):
        raise keyed(Forbidden, "reset.used")
    return user


def complete(session: Session, token: str, password: str, secret_key: str, max_age: int) -> User:
    """Set the new password a reset link was for and end every session of the account (audited).

    Raises:
        NotFound, Forbidden: as `user_for_token`.
        Invalid: a password the account rules refuse (field "password").
    """
    user = user_for_token(session, token, secret_key, max_age)
    try:
        accounts.set_password(session, user, password, why="password_reset", actor=user)
    except ValueError:
        raise keyed(Invalid, "reset.too_short", field="password", n=MIN_LENGTH) from None
    return user


def mail_link(session: Session, config: dict[str, Any], email: Any, link_for: Callable[[str], str]) -> None:
    """Mail a reset link to `email` if an account has that address and SMTP is configured.

    Returns nothing either way, so the page that calls it cannot tell whether the address has
    an account.

    Raises:
        Invalid: not an e-mail address (field "email").
    """
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise keyed(Invalid, "roles.bad_email", field="email")
    user = accounts.find_by_email(session, email)
    if user is None or not config.get("SMTP_HOST"):
        return
    link = link_for(make_token(user, config["SECRET_KEY"]))
    minutes = config["PASSWORD_RESET_SECONDS"] // 60
    if mail.send(config, user.email, translate("reset.mail_subject", user.language),
                 translate("reset.mail_body", user.language, link=link, n=minutes)):
        audit.record(session, None, "password_reset.mailed", user_id=user.id)


def issue_for_member(session: Session, actor: User, plan: Plan, email: Any, secret_key: str) -> tuple[User, str]:
    """A reset link for a member of `plan`, issued by its coordinator or an administrator (audited).

    A coordinator may reset only people whose every role is on plans they coordinate, and no
    administrator: the link lets whoever holds it take the account over, so it must not reach
    further than what the coordinator already governs.

    Raises:
        Forbidden: the actor is not this plan's coordinator nor an administrator, or the account
            is outside what they govern ("reset.not_member", "reset.other_plans", "reset.admin").
        Invalid: no e-mail address given.
    """
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise keyed(Invalid, "roles.bad_email", field="email")
    if not actor.is_admin and "coordinator" not in policy.roles_of(session, actor, plan):
        raise keyed(Forbidden, "reset.coordinator_only")
    target = accounts.find_by_email(session, email)
    plans = set(session.scalars(select(RoleAssignment.plan_id).where(RoleAssignment.user_id == target.id))) \
        if target is not None else set()
    if target is None or (plan.id not in plans and not actor.is_admin):
        # Same answer for "no account" and "not in this plan": a coordinator learns nothing of
        # accounts outside their plan.
        raise keyed(Forbidden, "reset.not_member", field="email")
    if not actor.is_admin:
        if target.is_admin:
            raise keyed(Forbidden, "reset.admin", field="email")
        coordinated = set(session.scalars(select(RoleAssignment.plan_id).where(
            RoleAssignment.user_id == actor.id, RoleAssignment.card_id.is_(None),
            RoleAssignment.role == "coordinator")))
        if plans - coordinated:
            raise keyed(Forbidden, "reset.other_plans", field="email")
    audit.record(session, actor, "password_reset.issued", plan=plan, user_id=target.id)
    return target, make_token(target, secret_key)
