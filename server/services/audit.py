"""The append-only audit log: every role change, status change, sign-off, export, publication."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..models import AuditEvent

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import Card, Plan, User


def record(session: Session, actor: User | None, action: str, *, plan: Plan | None = None,
           card: Card | None = None, **details: Any) -> AuditEvent:
    if card is not None and plan is None:
        plan_id = card.plan_id
    else:
        plan_id = plan.id if plan is not None else None
    event = AuditEvent(actor_id=actor.id if actor else None, action=action, plan_id=plan_id,
                       card_id=card.id if card is not None else None, details=details)
    session.add(event)
    return event
