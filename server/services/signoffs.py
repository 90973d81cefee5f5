"""Sign-offs: a required party approves or rejects the exact content it was shown.

The signer sends the hash of the content they read; if the card changed since, nothing is
recorded (Conflict, 409): nobody signs text they did not see. A sign-off records the role and
organisation it signs for, and a "signed" version of the card. Each person has at most one
active sign-off per card: signing again after the card changed (or with the other decision,
when a rejected card comes back unchanged) replaces their earlier one, kept as history;
signing the same decision on the same content twice is refused. The last approval the policy
needs approves the card; a rejection sends it back to draft.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .. import policy
from ..content.canonical import content_hash
from ..models import DECISIONS, Card, Signoff, Thread, utcnow
from . import access, approval_policy, audit, cards as card_service, versions, workflow
from .errors import Conflict, Forbidden, Invalid, NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import User

HASH = re.compile(r"[0-9a-f]{64}")
MAX_NOTE = 2000


def signing_roles(session: Session, actor: User, card: Card) -> list[str]:
    """The roles `actor` holds on `card` whose sign-off can count for a party of the plan's policy
    (from their organisation's side); empty when the policy does not ask for their sign-off."""
    held = policy.roles_of(session, actor, card)
    return [r for r in approval_policy.SIGNING_ROLES if r in held and approval_policy.fillable(
        card.plan, r, actor.organisation.kind if actor.organisation else None)]


def sign(session: Session, documents: Documents, actor: User, card: Card, data: dict[str, Any]) -> Signoff:
    """Record `actor`'s decision on the content named by `data["content_hash"]`.

    Raises:
        Forbidden: not a party the plan's policy requires, or the card is not in review.
        Invalid: a wrong decision, hash or note (a rejection needs a reason).
        Conflict: the content changed since the signer saw it, or they already signed it.
    """
    decision = policy.decide(session, actor, "card.signoff", card)
    if not decision:
        raise Forbidden(f"card.signoff refused ({decision.reason})")
    choice = data.get("decision")
    if choice not in DECISIONS:
        raise Invalid('decision must be "approve" or "reject"', field="decision")
    shown = data.get("content_hash")
    if not isinstance(shown, str) or not HASH.fullmatch(shown):
        raise Invalid("content_hash must be the 64-character SHA-256 of the content you read "
                      "(GET /cards/{id} gives it)", field="content_hash")
    note = data.get("note", "")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise Invalid(f"note must be a text of at most {MAX_NOTE} characters", field="note")
    note = note.strip()
    if choice == "reject" and not note:
        raise Invalid("say why you reject the card, so its writers know what to change", field="note")
    roles = signing_roles(session, actor, card)
    role = data.get("role")
    if role is not None and role not in roles:
        raise Forbidden("You do not sign this card for that role.", field="role")
    if not roles:
        raise Forbidden("The plan's approval policy does not ask for your sign-off on this card.")
    doc = documents.read(card.id)
    content = card_service.content_from(doc, card)
    now_hash = content_hash(content)
    if shown != now_hash:
        raise Conflict("The card changed since you read it; read it again before signing.", field="content_hash")
    mine = [s for s in workflow.active_signoffs(session, card) if s.user_id == actor.id]
    if any(s.content_hash == now_hash and s.decision == choice for s in mine):
        raise Conflict("You have already signed this content; withdraw your sign-off to change it.")
    role = role or _best_role(session, documents, card, roles, now_hash)
    version = versions.record(session, documents, actor, card, "signed", doc=doc, content=content)
    for old in mine:
        old.replaced_at = utcnow()
    org = actor.organisation
    signoff = Signoff(card_id=card.id, user_id=actor.id, role=role, organisation_id=org.id if org else None,
                      organisation_kind=org.kind if org else None, decision=choice, note=note,
                      content_hash=now_hash, version=version)
    session.add(signoff)
    session.flush()
    audit.record(session, actor, f"signoff.{choice}", card=card, signoff=signoff.id, role=role,
                 organisation=org.id if org else None, hash=now_hash, note=note)
    if choice == "reject":
        workflow.reject(session, documents, actor, card, note)
    else:
        workflow.approve_if_complete(session, documents, actor, card, doc=doc, content=content)
    return signoff


def _best_role(session: Session, documents: Documents, card: Card, roles: list[str], now_hash: str) -> str:
    """The role to sign for when the signer did not say: one whose party still lacks approvals."""
    state = workflow.standing(session, documents, card, now_hash)
    for role in roles:
        if any(r.party.role == role and not r.met for r in state["requirements"]):
            return role
    return roles[0]


def withdraw(session: Session, documents: Documents, actor: User, signoff: Signoff) -> Signoff:
    card = session.get(Card, signoff.card_id)
    if signoff.user_id != actor.id:
        raise Forbidden("Only the person who signed can withdraw a sign-off.")
    if not signoff.active:
        raise Conflict("This sign-off was already withdrawn or replaced.")
    if card.status != "in_review":
        raise Conflict("A sign-off can be withdrawn only while the card is in review.", field="status")
    signoff.withdrawn_at = utcnow()
    audit.record(session, actor, "signoff.withdrawn", card=card, signoff=signoff.id, hash=signoff.content_hash)
    return signoff


def find(session: Session, actor: User, signoff_id: int) -> Signoff:
    """The sign-off, if `actor` may see its card (404 otherwise: ids tell nothing)."""
    signoff = access.get(session, Signoff, signoff_id, "No such sign-off.")
    if not policy.allowed(session, actor, "card.view", session.get(Card, signoff.card_id)):
        raise NotFound("No such sign-off.")
    return signoff


def history(session: Session, card: Card) -> list[Signoff]:
    return list(session.scalars(select(Signoff).where(Signoff.card_id == card.id).order_by(Signoff.id)))


def set_blocking(session: Session, documents: Documents, actor: User, thread: Thread, blocking: Any) -> Thread:
    """An approver or steering member marks a thread as blocking approval (or lifts it)."""
    if not isinstance(blocking, bool):
        raise Invalid('Send {"blocking": true|false}.', field="blocking")
    card = session.get(Card, thread.card_id)
    decision = policy.decide(session, actor, "card.block", card)
    if not decision:
        raise Forbidden(f"card.block refused ({decision.reason})")
    if thread.blocking != blocking:
        thread.blocking = blocking
        audit.record(session, actor, "thread.blocking" if blocking else "thread.unblocked", card=card,
                     thread=thread.id)
        if not blocking:
            workflow.approve_if_complete(session, documents, actor, card)
    return thread


def thread_settled(session: Session, documents: Documents, actor: User, thread: Thread) -> Card | None:
    """A blocking thread was resolved: the card it held back may now be approved (returned)."""
    if not thread.blocking or thread.status != "resolved":
        return None
    card = session.get(Card, thread.card_id)
    return card if workflow.approve_if_complete(session, documents, actor, card) else None


def as_json(signoff: Signoff, current_hash: str) -> dict[str, Any]:
    org = signoff.organisation
    return {
        "id": signoff.id, "decision": signoff.decision, "role": signoff.role, "note": signoff.note,
        "user": {"id": signoff.user.id, "name": signoff.user.name},
        "organisation": ({"id": org.id, "kind": signoff.organisation_kind, "name": org.names()} if org else None),
        "signed_at": signoff.signed_at.isoformat(timespec="seconds") + "Z",
        "content_hash": signoff.content_hash,
        "version": signoff.version.number if signoff.version else None,
        "active": signoff.active,
        "withdrawn_at": signoff.withdrawn_at.isoformat(timespec="seconds") + "Z" if signoff.withdrawn_at else None,
        "current": signoff.active and signoff.content_hash == current_hash,
    }
