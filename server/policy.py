"""The one place that answers "may this user do this action on this object".

Every page, API endpoint and socket event asks `allowed()` (or `require()`). Roles are held on a
plan (coordinator, steering) or on one card (lead, co_lead, contributor, reviewer, approver,
viewer); a plan role reaches every card of the plan. What a role may do is the table below, as
data; the state rules (a card is only editable while it is a draft) come after it, then who may
hand out and take away which role.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from collections.abc import Iterable

from sqlalchemy import or_, select

from .models import Card, Plan, RoleAssignment

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .models import User

PLAN_ACTIONS = ("plan.view", "plan.manage", "plan.manage_roles", "plan.export", "plan.audit", "card.create",
                "plan.consult", "plan.moderate", "plan.answer", "plan.transition")
# There is no "approve" action: a card is approved by the workflow itself once the plan's
# approval policy is met by current sign-offs (server/services/workflow.py).
CARD_ACTIONS = (
    "card.view", "card.edit", "card.comment", "card.manage_roles", "card.edit_metadata",
    "card.submit", "card.request_changes", "card.publish", "card.signoff", "card.block",
    "card.attest", "card.export", "card.save_version", "card.restore", "card.unpublish", "card.answer",
)
ACTIONS = PLAN_ACTIONS + CARD_ACTIONS

_READ = {"card.view", "card.export"}
_WRITE = _READ | {"card.edit", "card.comment"}
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "coordinator": frozenset({
        "plan.view", "plan.manage", "plan.manage_roles", "plan.export", "plan.audit", "card.create",
        # The public side (services/publication.py, consultation.py, plan_lifecycle.py).
        "plan.consult", "plan.moderate", "plan.answer", "plan.transition",
        *_WRITE, "card.manage_roles", "card.edit_metadata", "card.request_changes",
        "card.publish", "card.unpublish", "card.answer", "card.attest", "card.save_version", "card.restore",
    }),
    "steering": frozenset({"plan.view", "plan.export", "plan.audit", "plan.moderate", *_READ, "card.comment",
                           "card.signoff", "card.request_changes", "card.block"}),
    # Leads sign off only where the plan's approval policy names them (services/signoffs.py).
    # Leads answer the public's contributions on their card (services/consultation.py).
    "lead": frozenset({"plan.view", *_WRITE, "card.manage_roles", "card.submit", "card.attest",
                       "card.signoff", "card.save_version", "card.restore", "card.answer"}),
    "co_lead": frozenset({"plan.view", *_WRITE, "card.manage_roles", "card.submit", "card.attest",
                          "card.signoff", "card.save_version", "card.restore", "card.answer"}),
    "contributor": frozenset({"plan.view", *_WRITE, "card.save_version"}),
    "reviewer": frozenset({"plan.view", *_READ, "card.comment"}),
    "approver": frozenset({"plan.view", *_READ, "card.comment", "card.signoff", "card.request_changes",
                           "card.block"}),
    "viewer": frozenset({"plan.view", *_READ}),
}

# Actions that also depend on the card's status, whoever asks.
STATUS_RULES: dict[str, frozenset[str]] = {
    "card.edit": frozenset({"draft"}),
    # Comments are open while a card is drafted and reviewed; afterwards threads are history.
    "card.comment": frozenset({"draft", "in_review"}),
    "card.edit_metadata": frozenset({"draft"}),
    "card.submit": frozenset({"draft"}),
    # A published card is reopened the same way, after the consultation (its publication stays
    # public, frozen, until it is published again).
    "card.request_changes": frozenset({"in_review", "approved", "published"}),
    "card.signoff": frozenset({"in_review"}),
    "card.block": frozenset({"draft", "in_review"}),
    "card.restore": frozenset({"draft"}),
    "card.publish": frozenset({"approved"}),
    # card.unpublish has no status rule: a reopened card's last publication can be withdrawn too.
    "card.attest": frozenset({"draft", "in_review"}),
}


# Who may grant, invite to, or remove each role, besides an administrator. Holding
# "plan.manage_roles" or "card.manage_roles" is necessary but not enough: the review gate
# (reviewer, approver), the leads and every plan role are the coordinator's to hand out, so a
# lead cannot make itself or a friend the approver of its own card, and a co-lead cannot remove
# the lead. The same table governs removal.
ROLE_GRANTERS: dict[str, frozenset[str]] = {
    "coordinator": frozenset({"coordinator"}),
    "steering": frozenset({"coordinator"}),
    "lead": frozenset({"coordinator"}),
    "co_lead": frozenset({"coordinator"}),
    "reviewer": frozenset({"coordinator"}),
    "approver": frozenset({"coordinator"}),
    "contributor": frozenset({"coordinator", "lead", "co_lead"}),
    "viewer": frozenset({"coordinator", "lead", "co_lead"}),
}
# Rules that hold whoever asks:
# - nobody grants a role to themselves (accepting an invitation addressed to them is the one
#   way to take a role, and nobody may invite themselves);
# - a plan keeps at least one coordinator (server.services.roles.revoke).
# Removing one's own role follows ROLE_GRANTERS like anyone else's: a contributor cannot step
# down alone, a coordinator can while another coordinator remains.


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # a message-catalogue key, e.g. "policy.no_role", shown to the user

    def __bool__(self) -> bool:
        return self.allowed


def roles_of(session: Session, user: User | None, obj: Plan | Card) -> set[str]:
    """The roles `user` holds on `obj` (for a card: its own roles plus its plan's)."""
    if user is None:
        return set()
    if isinstance(obj, Card):
        return card_roles_of(session, [user.id], obj)[user.id]
    roles = set(session.scalars(select(RoleAssignment.role).where(
        RoleAssignment.user_id == user.id, RoleAssignment.plan_id == obj.id,
        RoleAssignment.card_id.is_(None))))
    # Holding any card role in a plan lets one see the plan's dashboard.
    card_roles = session.scalars(select(RoleAssignment.role).where(
        RoleAssignment.user_id == user.id, RoleAssignment.plan_id == obj.id,
        RoleAssignment.card_id.is_not(None)).limit(1)).first()
    if card_roles:
        roles.add("viewer")
    return roles


def card_roles_of(session: Session, user_ids: Iterable[int], card: Card) -> dict[int, set[str]]:
    """The roles each of `user_ids` holds on `card` (its own roles plus its plan's), in one query."""
    roles: dict[int, set[str]] = {uid: set() for uid in user_ids}
    if not roles:
        return roles
    rows = session.execute(select(RoleAssignment.user_id, RoleAssignment.role).where(
        RoleAssignment.user_id.in_(roles), RoleAssignment.plan_id == card.plan_id,
        or_(RoleAssignment.card_id.is_(None), RoleAssignment.card_id == card.id)))
    for user_id, role in rows:
        roles[user_id].add(role)
    return roles


def decide(session: Session, user: User | None, action: str, obj: Plan | Card) -> Decision:
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}; known actions are listed in server.policy.ACTIONS")
    if user is None:
        return Decision(False, "policy.login_required")
    if action.startswith("plan.") and not isinstance(obj, Plan):
        raise TypeError(f"{action} applies to a plan, not {type(obj).__name__}")
    if action.startswith("card.") and action != "card.create" and not isinstance(obj, Card):
        raise TypeError(f"{action} applies to a card, not {type(obj).__name__}")
    return judge(roles_of(session, user, obj), action, obj)


def judge(roles: set[str], action: str, obj: Plan | Card) -> Decision:
    """The decision for someone holding `roles` on `obj`, without a database query.

    For callers that decide several actions for one user at once (the co-editing room's
    periodic re-check): they look the roles up once. `decide` is the usual entry point.
    """
    if not any(action in ROLE_ACTIONS[r] for r in roles):
        return Decision(False, "policy.no_role" if not roles else "policy.role_forbids")
    if isinstance(obj, Card) and action in STATUS_RULES and obj.status not in STATUS_RULES[action]:
        return Decision(False, f"policy.status_{obj.status}")
    return Decision(True, "policy.allowed")


def allowed(session: Session, user: User | None, action: str, obj: Plan | Card) -> bool:
    return decide(session, user, action, obj).allowed


def decide_assignment(session: Session, actor: User | None, role: str, plan: Plan, card: Card | None,
                      target: User | None, *, removing: bool = False) -> Decision:
    """Whether `actor` may give `target` (or an invitee, when None) `role`, or take it away.

    Args:
        role: a plan role when `card` is None, else a card role (the caller checked which).
        plan: the plan the role is on (the card's plan for a card role).
        card: the card, or None for a plan role.
        target: the user who would gain or lose the role; None for an invitation by e-mail.
        removing: decide a removal rather than a grant.

    Returns:
        The decision; its reason is a message-catalogue key.
    """
    if actor is None:
        return Decision(False, "policy.login_required")
    if not removing and target is not None and target.id == actor.id:
        return Decision(False, "policy.self_grant")
    if actor.is_admin:
        return Decision(True, "policy.allowed")
    obj: Plan | Card = card if card is not None else plan
    held = roles_of(session, actor, obj)
    manage = judge(held, "card.manage_roles" if card is not None else "plan.manage_roles", obj)
    if not manage:
        return manage
    if not held & ROLE_GRANTERS.get(role, frozenset()):
        return Decision(False, "policy.coordinator_grants")
    return Decision(True, "policy.allowed")


def may_manage_roles(session: Session, user: User | None, obj: Plan | Card) -> bool:
    """Admins and holders of plan.manage_roles / card.manage_roles: who sees members' e-mails."""
    if user is None:
        return False
    if user.is_admin:
        return True
    return allowed(session, user, "card.manage_roles" if isinstance(obj, Card) else "plan.manage_roles", obj)


def may_name_users_by_id(session: Session, user: User | None, plan: Plan) -> bool:
    """Only those who manage a plan's roles may name an account by its id (ids are guessable;
    anyone else names a person by the e-mail address they already know)."""
    return bool(user and (user.is_admin or allowed(session, user, "plan.manage_roles", plan)))


def can_create_plan(user: User | None) -> bool:
    return bool(user and user.is_admin)


def can_manage_organisations(session: Session, user: User | None) -> bool:
    """Admins and any plan coordinator may add organisations."""
    if user is None:
        return False
    if user.is_admin:
        return True
    return session.scalars(select(RoleAssignment.id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role == "coordinator").limit(1)).first() is not None
