"""Publishing approved cards (step م5.4): what the public sees is a frozen version.

Publishing moves an approved card to "published", records a version of kind "published" and a
Publication that points at it. The public side reads only that version's content, never the
live document: a card reopened after the consultation and edited changes nothing public until
it is approved and published again, which adds publication 2. Unpublishing withdraws every
publication of the card (with a reason, audited); its public pages answer 404 from then on.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..content import diff as content_diff
from ..models import Card, Publication, Signoff, utcnow
from . import access, audit, versions, workflow
from .errors import Conflict, NotFound
from .plans import template_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import Plan, User


def publish(session: Session, documents: Documents, actor: User, card: Card) -> Publication:
    """Approved → published; the card as approved becomes its next public version."""
    workflow.move(session, actor, card, "publish")
    version = versions.record(session, documents, actor, card, "published")
    number = (session.scalar(select(func.max(Publication.number)).where(Publication.card_id == card.id)) or 0) + 1
    publication = Publication(card_id=card.id, number=number, version_id=version.id, published_by_id=actor.id)
    session.add(publication)
    session.flush()
    audit.record(session, actor, "card.published", card=card, publication=number, version=version.number,
                 hash=version.content_hash)
    return publication


def unpublish(session: Session, actor: User, card: Card, reason: Any) -> list[Publication]:
    """Withdraw every publication of `card` (a published card goes back to approved).

    Raises:
        Forbidden: without card.unpublish. Conflict: nothing of the card is public.
        Invalid: no reason given.
    """
    active = listing(session, card)
    if not active:
        raise Conflict("This card is not published.", field="status")
    if card.status == "published":
        reason = workflow.move(session, actor, card, "unpublish", reason)
    else:
        # A card reopened since: its status stays, only what the public sees goes.
        access.require(session, actor, "card.unpublish", card)
        reason = workflow.check_reason(reason)
    now = utcnow()
    for publication in active:
        publication.withdrawn_at, publication.withdrawn_by_id = now, actor.id
        publication.withdraw_reason = reason
    audit.record(session, actor, "card.unpublished", card=card, publications=[p.number for p in active],
                 reason=reason)
    return active


def listing(session: Session, card: Card) -> list[Publication]:
    """The card's publications the public may see, oldest first."""
    return list(session.scalars(select(Publication).where(
        Publication.card_id == card.id, Publication.withdrawn_at.is_(None)).order_by(Publication.number)))


def current(session: Session, card: Card) -> Publication | None:
    found = listing(session, card)
    return found[-1] if found else None


def current_of(session: Session, plan: Plan) -> dict[int, Publication]:
    """Card id → its current publication, for every published card of `plan`, in one query."""
    rows = session.scalars(select(Publication).join(Card, Card.id == Publication.card_id).where(
        Card.plan_id == plan.id, Publication.withdrawn_at.is_(None)).order_by(Publication.number)
        .options(selectinload(Publication.version)))
    return {p.card_id: p for p in rows}


def any_published(session: Session, plan: Plan) -> bool:
    """Whether any card of `plan` is public (one cheap query, for the 304 path)."""
    return session.scalars(select(Publication.id).join(Card, Card.id == Publication.card_id).where(
        Card.plan_id == plan.id, Publication.withdrawn_at.is_(None)).limit(1)).first() is not None


def numbered(session: Session, card: Card, number: Any) -> Publication:
    """The card's visible publication `number` (1, 2, …).

    Raises:
        NotFound: none with that number, or it was withdrawn.
    """
    for publication in listing(session, card):
        if str(publication.number) == str(number):
            return publication
    raise NotFound("This card has no such published version.")


def public_diff(session: Session, card: Card, old: Any, new: Any) -> dict[str, Any]:
    """What changed between two published versions (the approval diff, on published content only)."""
    before, after = numbered(session, card, old), numbered(session, card, new)
    return content_diff.diff(template_of(card.plan), before.version.content, after.version.content)


def signatures(session: Session, publication: Publication) -> list[Signoff]:
    """The approvals of exactly the published content: who signed it, for which party, when."""
    return list(session.scalars(select(Signoff).where(
        Signoff.card_id == publication.card_id, Signoff.content_hash == publication.version.content_hash,
        Signoff.decision == "approve", Signoff.withdrawn_at.is_(None)).order_by(Signoff.signed_at)))
