"""A card's statuses and the moves between them, in one place (DESIGN: "one workflow module").

The state machine is the table below: each move is named, goes from some statuses to one, and
names the policy action that allows it (server/policy.py says who holds it and in which
statuses). `move` checks both, so no caller can move a card past the policy by forgetting to
ask, and writes the audit record in the same transaction. Approval has no action at all: only
`approve_if_complete` makes it, once the plan's approval policy is met by current sign-offs,
so nobody — a coordinator included — can approve past the policy.

The public functions (submit, request_changes, reject, approve_if_complete) also do what the
move brings with it: the criteria check, the version, the notifications. They leave
the commit and the live announcement (`announce`) to the caller.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .. import policy
from ..content import canonical
from ..models import Comment, RoleAssignment, Signoff, Thread, User, utcnow
from . import approval_policy, audit, cards as card_service, live, notifications, versions
from .errors import Conflict, Forbidden, Invalid

if TYPE_CHECKING:
    from pycrdt import Doc
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import Card

STATUSES = ("draft", "in_review", "approved", "published")


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    target: str
    action: str | None  # the policy action that allows it; None: the workflow's own decision
    needs_reason: bool = False  # sending a card back must say what has to change


MOVES: dict[str, Move] = {
    "submit": Move(("draft",), "in_review", "card.submit"),
    "request_changes": Move(("in_review", "approved", "published"), "draft", "card.request_changes",
                            needs_reason=True),
    "reject": Move(("in_review",), "draft", "card.signoff", needs_reason=True),
    "approve": Move(("in_review",), "approved", None),
    # Publishing and its undoing are services/publication.py's, which records the publication.
    "publish": Move(("approved",), "published", "card.publish"),
    "unpublish": Move(("published",), "approved", "card.unpublish", needs_reason=True),
}
MAX_REASON = 2000


class CriteriaFailing(Invalid):
    """Submit refused: the failing criteria are in `criteria`."""

    code = "criteria_failing"

    def __init__(self, message: str, criteria: list[dict[str, Any]]) -> None:
        super().__init__(message, field="criteria")
        self.criteria = criteria
        self.extra = {"criteria": [{"id": c["id"], "label": c.get("label"), "kind": c.get("kind"),
                                    "failing": c.get("failing", [])} for c in criteria]}


def moves_from(status: str) -> list[str]:
    """The statuses a card in `status` can go to (whoever may make the move)."""
    return list(dict.fromkeys(m.target for m in MOVES.values() if status in m.sources))


def _reason(text: Any, needed: bool) -> str:
    if not isinstance(text, str):
        raise Invalid("reason must be a text", field="reason")
    text = text.strip()
    if needed and not text:
        raise Invalid("say what must change when sending a card back to draft", field="reason")
    if len(text) > MAX_REASON:
        raise Invalid(f"the reason is limited to {MAX_REASON} characters", field="reason")
    return text


def check_reason(text: Any) -> str:
    """A reason that must be given (sending back, unpublishing), stripped and bounded."""
    return _reason(text, True)


def _check_source(card: Card, name: str) -> None:
    # Before the policy, whose status rules would answer "forbidden" for what is a conflict.
    found = MOVES[name]
    if card.status not in found.sources:
        raise Conflict(f"a card cannot go from {card.status} to {found.target} ({name})", field="status")


def move(session: Session, actor: User | None, card: Card, name: str, reason: Any = "") -> str:
    """Make the move `name` (checked against its sources and the policy, audited); the reason kept."""
    found = MOVES[name]
    _check_source(card, name)
    if found.action is not None:
        decision = policy.decide(session, actor, found.action, card)
        if not decision:
            raise Forbidden(f"{found.action} refused ({decision.reason})")
    reason = _reason(reason, found.needs_reason)
    previous, card.status = card.status, found.target
    card.updated_at = utcnow()
    audit.record(session, actor, "card.status_changed", card=card, previous=previous, status=found.target,
                 move=name, reason=reason)
    return reason


def submit(session: Session, documents: Documents, actor: User, card: Card) -> None:
    """Draft → in review, once every criterion passes; a "submitted" version is recorded.

    If the sign-offs still current (the card came back unchanged) meet the policy, it is
    approved at once: they signed exactly this content.
    """
    _check_source(card, "submit")
    decision = policy.decide(session, actor, "card.submit", card)
    if not decision:
        raise Forbidden(f"card.submit refused ({decision.reason})")
    # One read of the document serves the criteria, the version and the approval check.
    doc = documents.read(card.id)
    content = card_service.content_from(doc, card)
    failing = [c for c in card_service.evaluate_criteria(session, card, content) if not c["passed"]]
    if failing:
        raise CriteriaFailing(f"{len(failing)} criteria still fail; the card cannot be submitted yet.", failing)
    move(session, actor, card, "submit")
    versions.record(session, documents, actor, card, "submitted", doc=doc, content=content)
    notifications.workflow_event(session, card, "submitted", actor, _signers(session, card))
    approve_if_complete(session, documents, actor, card, doc=doc, content=content)


def request_changes(session: Session, documents: Documents, actor: User, card: Card, reason: Any) -> None:
    """In review or approved → draft, with the reason kept as a thread on the card."""
    reason = move(session, actor, card, "request_changes", reason)
    versions.record(session, documents, actor, card, "changes_requested")
    _reason_thread(session, actor, card, reason)


def reject(session: Session, documents: Documents, actor: User, card: Card, reason: str) -> None:
    """A required party rejects: in review → draft (the sign-off itself is the caller's)."""
    reason = move(session, actor, card, "reject", reason)
    _reason_thread(session, actor, card, reason)


def approve_if_complete(session: Session, documents: Documents, actor: User | None, card: Card,
                        doc: Doc | None = None, content: dict[str, Any] | None = None) -> bool:
    """Approve `card` if it is in review, every party of the policy is met by current approvals
    and no blocking thread is open. Returns whether it was approved now.

    `doc` and `content`: the card's document and canonical content when the caller has just
    read them (they are read otherwise).
    """
    if card.status != "in_review":
        return False
    if doc is None:
        doc = documents.read(card.id)
    if content is None:
        content = card_service.content_from(doc, card)
    state = standing(session, documents, card, canonical.content_hash(content))
    if not approval_policy.all_met(state["requirements"]) or state["blocking"]:
        return False
    move(session, actor, card, "approve")
    versions.record(session, documents, actor, card, "approved", doc=doc, content=content)
    notifications.workflow_event(session, card, "approved", actor, notifications.leads(session, card))
    return True


def set_policy(session: Session, documents: Documents, actor: User, plan: Any, data: Any) -> list[Card]:
    """Change the plan's approval policy (audited); cards in review it now approves are returned."""
    decision = policy.decide(session, actor, "plan.manage", plan)
    if not decision:
        raise Forbidden(f"plan.manage refused ({decision.reason})")
    new = approval_policy.check(data)
    old, plan.approval_policy = plan.approval_policy, new
    audit.record(session, actor, "plan.approval_policy", plan=plan, previous=old, policy=new)
    return [card for card in plan.cards if approve_if_complete(session, documents, actor, card)]


def standing(session: Session, documents: Documents, card: Card, content_hash: str | None = None) -> dict[str, Any]:
    """Where the card stands towards approval: its current hash, sign-offs, requirements, blockers."""
    if content_hash is None:
        content_hash = card_service.current_hash(documents, card)
    active = active_signoffs(session, card)
    approvals = [s for s in active if s.decision == "approve" and s.content_hash == content_hash]
    blocking = list(session.scalars(select(Thread).where(Thread.card_id == card.id, Thread.blocking.is_(True),
                                                         Thread.status == "open").order_by(Thread.id)))
    return {"hash": content_hash, "active": active,
            "requirements": approval_policy.evaluate(card.plan, approvals), "blocking": blocking}


def active_signoffs(session: Session, card: Card) -> list[Signoff]:
    """The card's sign-offs neither withdrawn nor replaced, oldest first (current or stale)."""
    return list(session.scalars(select(Signoff).where(Signoff.card_id == card.id, Signoff.withdrawn_at.is_(None),
                                                      Signoff.replaced_at.is_(None)).order_by(Signoff.id)))


def announce(card: Card, change: str | None = None) -> None:
    """After the commit: every open page of the card hears of its new status at once, and of
    `change` to its sign-offs or versions (room_events.APPROVAL_CHANGES) when there was one."""
    live.rights_changed(card_ids=[card.id])
    if change is not None:
        live.approval_changed(card.id, change)


def _reason_thread(session: Session, actor: User, card: Card, reason: str) -> Thread:
    """The reason, as a thread on the whole card: where the people who write it will look."""
    thread = Thread(card_id=card.id, field=None, anchor=None, quote="", created_by_id=actor.id)
    thread.comments.append(Comment(author_id=actor.id, body=reason))
    session.add(thread)
    session.flush()
    notifications.workflow_event(session, card, "changes_requested", actor, notifications.leads(session, card),
                                 thread=thread)
    return thread


def _signers(session: Session, card: Card) -> list[User]:
    roles = approval_policy.required_roles(card.plan)
    return list(session.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.plan_id == card.plan_id, RoleAssignment.role.in_(roles),
        (RoleAssignment.card_id.is_(None)) | (RoleAssignment.card_id == card.id)).distinct()))
