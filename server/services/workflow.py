"""A card's statuses and the moves between them, in one place (DESIGN: "one workflow module").

The state machine is the table below: each move names the policy action that allows it
(server/policy.py says who holds it, and in which statuses). `move` checks both itself, so no
caller can move a card past the policy by forgetting to ask, writes the audit record in the
same transaction, and leaves the commit and the live announcement to the caller.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import policy
from ..models import utcnow
from . import audit
from .errors import Conflict, Forbidden, Invalid

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import Card, User

STATUSES = ("draft", "in_review", "approved", "published")


@dataclass(frozen=True)
class Move:
    action: str  # the policy action that allows it
    needs_reason: bool = False  # sending a card back must say what has to change


MOVES: dict[tuple[str, str], Move] = {
    ("draft", "in_review"): Move("card.submit"),
    ("in_review", "draft"): Move("card.request_changes", needs_reason=True),
    ("in_review", "approved"): Move("card.approve"),
    ("approved", "draft"): Move("card.request_changes", needs_reason=True),
    ("approved", "published"): Move("card.publish"),
}
MAX_REASON = 2000


def moves_from(status: str) -> list[str]:
    """The statuses a card in `status` can go to (whoever may make the move)."""
    return [target for (source, target) in MOVES if source == status]


def move(session: Session, actor: User, card: Card, target: str, reason: str = "") -> Card:
    """Move `card` to `target` if the table has that move and the policy lets `actor` make it.

    Raises:
        Conflict: no such move from the card's status.
        Forbidden: the actor may not make it (the policy's reason in the message).
        Invalid: a move back to draft without a reason.
    """
    found = MOVES.get((card.status, target))
    if found is None:
        raise Conflict(f"a card cannot go from {card.status} to {target}", field="status")
    decision = policy.decide(session, actor, found.action, card)
    if not decision:
        raise Forbidden(f"{found.action} refused ({decision.reason})")
    reason = reason.strip()
    if found.needs_reason and not reason:
        raise Invalid("say what must change when sending a card back to draft", field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid(f"the reason is limited to {MAX_REASON} characters", field="reason")
    previous, card.status = card.status, target
    card.updated_at = utcnow()
    audit.record(session, actor, "card.status_changed", card=card, previous=previous, status=target,
                 reason=reason)
    return card
