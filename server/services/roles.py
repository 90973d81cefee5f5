"""Role assignments and invitations (step م2.4). Every change goes to the audit log.

Who may hand out which role is decided by server.policy.decide_assignment; the services refuse
whatever it refuses, so no caller (API, page, script) can skip it. After committing a change,
callers call `announce` so the live co-editing engine re-decides the connections concerned.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from .. import policy
from ..models import CARD_ROLES, PLAN_ROLES, Card, Invitation, RoleAssignment, User, utcnow
from . import audit, live
from .access import is_id
from .errors import Conflict, Forbidden, Invalid, NotFound
from .errors import message_for as message_for  # the pages' name for it
from .errors import keyed as _keyed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import Plan


def _check_allowed(session: Session, actor: User, role: str, plan: Plan, card: Card | None,
                   target: User | None, removing: bool = False) -> None:
    decision = policy.decide_assignment(session, actor, role, plan, card, target, removing=removing)
    if not decision:
        raise _keyed(Forbidden, decision.reason)


def announce(plan_id: int, card_id: int | None, user_id: int) -> None:
    """Tell the live engine that `user_id`'s rights changed; call it after the commit.

    Args:
        plan_id: the plan of the role.
        card_id: the card of a card role; None for a plan role (every card of the plan).
        user_id: whose role it was.
    """
    if card_id is not None:
        live.rights_changed(card_ids=[card_id], user_id=user_id)
    else:
        live.rights_changed(plan_id=plan_id, user_id=user_id)


def members(session: Session, plan: Plan, card: Card | None = None) -> list[RoleAssignment]:
    query = select(RoleAssignment).where(RoleAssignment.plan_id == plan.id)
    if card is None:
        query = query.where(RoleAssignment.card_id.is_(None))
    else:
        query = query.where(RoleAssignment.card_id == card.id)
    return list(session.scalars(query.order_by(RoleAssignment.id)))


def find_assignment(session: Session, plan: Plan, card: Card | None, assignment_id: Any) -> RoleAssignment:
    """A role assignment on `plan` (card None) or `card`.

    Raises:
        NotFound: no such assignment here (one of another plan or card is not found either).
    """
    found = session.get(RoleAssignment, assignment_id) if is_id(assignment_id) else None
    if found is None or found.plan_id != plan.id or found.card_id != (card.id if card else None):
        raise _keyed(NotFound, "roles.no_assignment", id=assignment_id)
    return found


def _check_role(role: Any, card: Card | None) -> str:
    allowed = CARD_ROLES if card is not None else PLAN_ROLES
    if role not in allowed:
        raise _keyed(Invalid, "roles.card_roles" if card is not None else "roles.plan_roles", field="role",
                     roles=", ".join(allowed))
    return role


def grant(session: Session, actor: User, plan: Plan, card: Card | None, user: User, role: str) -> RoleAssignment:
    """Give `user` `role` on `plan` (card None) or `card`, if `actor` may.

    Raises:
        Invalid: not a role of that kind of object.
        Forbidden: the policy refuses (a self-grant, a role only the coordinator hands out...).
        Conflict: the user already holds it.
    """
    _check_role(role, card)
    _check_allowed(session, actor, role, plan, card, user)
    return _assign(session, actor, plan, card, user, role)


def _assign(session: Session, actor: User, plan: Plan, card: Card | None, user: User, role: str) -> RoleAssignment:
    card_id = card.id if card is not None else None
    exists = session.scalars(select(RoleAssignment).where(
        RoleAssignment.user_id == user.id, RoleAssignment.plan_id == plan.id,
        RoleAssignment.card_id.is_(None) if card_id is None else RoleAssignment.card_id == card_id,
        RoleAssignment.role == role)).first()
    if exists is not None:
        raise _keyed(Conflict, "roles.already_held", field="role")
    assignment = RoleAssignment(user_id=user.id, plan_id=plan.id, card_id=card_id, role=role)
    session.add(assignment)
    session.flush()
    audit.record(session, actor, "role.granted", plan=plan, card=card, user_id=user.id, role=role)
    return assignment


def revoke(session: Session, actor: User, plan: Plan, assignment: RoleAssignment) -> None:
    """Remove `assignment`, if `actor` may.

    Raises:
        Forbidden: the policy refuses (for instance a co-lead removing the lead).
        Conflict: it is the plan's last coordinator.
    """
    card = session.get(Card, assignment.card_id) if assignment.card_id else None
    _check_allowed(session, actor, assignment.role, plan, card, assignment.user, removing=True)
    if assignment.role == "coordinator" and assignment.card_id is None:
        others = session.scalars(select(RoleAssignment.id).where(
            RoleAssignment.plan_id == assignment.plan_id, RoleAssignment.card_id.is_(None),
            RoleAssignment.role == "coordinator", RoleAssignment.id != assignment.id)).first()
        if others is None:
            raise _keyed(Conflict, "roles.last_coordinator", field="role")
    audit.record(session, actor, "role.revoked", plan=plan, card=card, user_id=assignment.user_id,
                 role=assignment.role)
    session.delete(assignment)


# --- invitations -----------------------------------------------------------------------------

def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="iltizam-invitation")


def invite(session: Session, actor: User, plan: Plan, card: Card | None, email: Any, role: Any,
           secret_key: str, days: int) -> tuple[Invitation, str]:
    """Create an invitation. Returns it and the signed token to put in the link."""
    _check_role(role, card)
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise _keyed(Invalid, "roles.bad_email", field="email")
    email = email.strip().lower()
    if email == actor.email:
        raise _keyed(Forbidden, "policy.self_grant")
    _check_allowed(session, actor, role, plan, card, None)
    invitation = Invitation(email=email, plan_id=plan.id, card_id=card.id if card else None,
                            role=role, invited_by_id=actor.id, expires_at=utcnow() + timedelta(days=days))
    session.add(invitation)
    session.flush()
    audit.record(session, actor, "invitation.created", plan=plan, card=card, email=invitation.email, role=role)
    return invitation, _serializer(secret_key).dumps([invitation.id, _fingerprint(invitation)])


def _fingerprint(invitation: Invitation) -> str:
    # SQLite may give a withdrawn invitation's id to the next one: the link names its own row.
    text = f"{invitation.id}|{invitation.email}|{invitation.role}|{invitation.created_at.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def invitation_for_token(session: Session, token: str, secret_key: str, days: int) -> Invitation:
    try:
        data, issued = _serializer(secret_key).loads(token, max_age=days * 86400, return_timestamp=True)
    except SignatureExpired:
        raise _keyed(Forbidden, "invitation.expired") from None
    except BadSignature:
        raise _keyed(NotFound, "invitation.invalid") from None
    # Links made before they named their row's fingerprint carry the bare id.
    ident, fingerprint = data if isinstance(data, list) and len(data) == 2 else (data, None)
    invitation = session.get(Invitation, ident) if isinstance(ident, int) else None
    # A link we signed whose row is gone (or is another row now) was withdrawn.
    if invitation is None or (fingerprint is None and invitation.created_at.replace(microsecond=0)
                              > issued.replace(tzinfo=None)) \
            or (fingerprint is not None and fingerprint != _fingerprint(invitation)):
        raise _keyed(Forbidden, "invitation.revoked")
    if invitation.accepted_at is not None:
        raise _keyed(Conflict, "invitation.used")
    if invitation.expires_at < utcnow():
        raise _keyed(Forbidden, "invitation.expired")
    return invitation


def pending_invitations(session: Session, plan: Plan, card: Card | None = None) -> list[Invitation]:
    """Invitations to roles on `plan` (card None) or `card` not yet accepted nor expired."""
    query = select(Invitation).where(Invitation.plan_id == plan.id, Invitation.accepted_at.is_(None),
                                     Invitation.expires_at >= utcnow())
    if card is None:
        query = query.where(Invitation.card_id.is_(None))
    else:
        query = query.where(Invitation.card_id == card.id)
    return list(session.scalars(query.order_by(Invitation.id)))


def find_invitation(session: Session, plan: Plan, card: Card | None, invitation_id: Any) -> Invitation:
    """A pending invitation of `plan` (card None) or `card`.

    Raises:
        NotFound: no such invitation here (one of another plan or card is not found either).
    """
    found = session.get(Invitation, invitation_id) if isinstance(invitation_id, int) \
        and 0 < invitation_id < 2**31 else None
    if found is None or found.plan_id != plan.id or found.card_id != (card.id if card else None) \
            or found.accepted_at is not None:
        raise _keyed(NotFound, "invitation.not_here")
    return found


def revoke_invitation(session: Session, actor: User, plan: Plan, invitation: Invitation) -> None:
    """Withdraw a pending invitation, if `actor` may hand out its role (audited); its link then
    answers that it was revoked.

    Raises:
        Forbidden: the policy refuses (a lead withdrawing the coordinator's reviewer invitation).
    """
    card = session.get(Card, invitation.card_id) if invitation.card_id else None
    _check_allowed(session, actor, invitation.role, plan, card, None, removing=True)
    audit.record(session, actor, "invitation.revoked", plan=plan, card=card, email=invitation.email,
                 role=invitation.role)
    session.delete(invitation)


def accept(session: Session, invitation: Invitation, user: User) -> RoleAssignment:
    """Give `user` the invited role: the one way to take a role oneself.

    Raises:
        Forbidden: `user` is not the account the invitation was addressed to.
        Conflict: the user already holds the role.
    """
    from ..models import Plan

    if user.email != invitation.email:
        raise _keyed(Forbidden, "invitation.wrong_account")
    plan = session.get(Plan, invitation.plan_id)
    card = session.get(Card, invitation.card_id) if invitation.card_id else None
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    return _assign(session, user, plan, card, user, invitation.role)
