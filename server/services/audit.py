"""The append-only audit log: every role change, status change, sign-off, export, publication."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

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


AUDIT_LIMIT = 5000


def entries(session: Session, plan: Plan, *, card: Card | None = None, kind: str | None = None,
            user_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
            limit: int = AUDIT_LIMIT) -> list[AuditEvent]:
    """The plan's (or one card's) audit entries, newest first, filtered.

    `kind` matches an action exactly ("signoff.approve") or by its first part ("signoff").
    """
    query = select(AuditEvent).where(AuditEvent.plan_id == plan.id)
    if card is not None:
        query = query.where(AuditEvent.card_id == card.id)
    if kind:
        query = query.where((AuditEvent.action == kind) | AuditEvent.action.startswith(kind + "."))
    if user_id is not None:
        query = query.where(AuditEvent.actor_id == user_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def kinds(session: Session, plan: Plan) -> list[str]:
    return sorted(session.scalars(select(AuditEvent.action).where(AuditEvent.plan_id == plan.id).distinct()))


def as_row(event: AuditEvent, names: dict[int, str], numbers: dict[int, str]) -> dict[str, Any]:
    return {"id": event.id, "at": event.at.isoformat(timespec="seconds") + "Z", "action": event.action,
            "actor": {"id": event.actor_id, "name": names.get(event.actor_id, "")} if event.actor_id else None,
            "card": {"id": event.card_id, "number": numbers.get(event.card_id, "")} if event.card_id else None,
            "details": event.details}


def rows(session: Session, events: list[AuditEvent]) -> list[dict[str, Any]]:
    from ..models import Card, User
    actor_ids = {e.actor_id for e in events if e.actor_id}
    card_ids = {e.card_id for e in events if e.card_id}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(actor_ids or [0]))).all())
    numbers = dict(session.execute(select(Card.id, Card.number).where(Card.id.in_(card_ids or [0]))).all())
    return [as_row(e, names, numbers) for e in events]


def to_csv(table: list[dict[str, Any]]) -> str:
    """The rows as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Arabic right).

    A cell that a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a '.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "at", "action", "actor_id", "actor", "card_id", "card_number", "details"])
    for row in table:
        actor, card = row["actor"] or {}, row["card"] or {}
        cells = [row["id"], row["at"], row["action"], actor.get("id", ""), actor.get("name", ""),
                 card.get("id", ""), card.get("number", ""),
                 json.dumps(row["details"], ensure_ascii=False, sort_keys=True)]
        writer.writerow([_inert(c) for c in cells])
    return "\ufeff" + out.getvalue()


def _inert(cell: Any) -> Any:
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
