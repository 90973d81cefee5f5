"""Models to the JSON the API returns (docs: openapi.json components)."""
from __future__ import annotations

from typing import Any

from ..models import ApiToken, Axis, Card, Invitation, Organisation, Plan, RoleAssignment, User


def iso(dt) -> str | None:
    return dt.isoformat(timespec="seconds") + "Z" if dt else None


def organisation(org: Organisation | None) -> dict[str, Any] | None:
    if org is None:
        return None
    return {"id": org.id, "kind": org.kind, "name_ar": org.name_ar, "name_fr": org.name_fr}


def user(u: User) -> dict[str, Any]:
    return {"id": u.id, "email": u.email, "name": u.name, "language": u.language,
            "organisation": organisation(u.organisation), "is_admin": u.is_admin}


def plan(p: Plan) -> dict[str, Any]:
    return {"id": p.id, "title_ar": p.title_ar, "title_fr": p.title_fr, "title_en": p.title_en or None,
            "period_start": p.period_start, "period_end": p.period_end,
            "coordinator_org": organisation(p.coordinator_org),
            "template": {"id": p.template_id, "version": p.template_version},
            "criteria": p.criteria, "approval_policy": p.approval_policy, "final": p.final,
            "stage": p.stage, "stage_history": p.stage_history or [],
            "council": {"decision_date": p.council_decision_date, "reference": p.council_reference or None},
            "created_at": iso(p.created_at)}


def axis(a: Axis) -> dict[str, Any]:
    return {"id": a.id, "plan_id": a.plan_id, "number": a.number, "title_ar": a.title_ar, "title_fr": a.title_fr,
            "title_en": a.title_en or None}


def card(c: Card) -> dict[str, Any]:
    return {"id": c.id, "plan_id": c.plan_id, "number": c.number, "status": c.status,
            "axis": axis(c.axis) if c.axis else None, "lead": organisation(c.lead_org),
            "co_lead": organisation(c.co_lead_org), "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at)}


def member(m: RoleAssignment, email: bool = False) -> dict[str, Any]:
    """A role assignment; the person's e-mail only when `email` (the reader manages roles)."""
    person: dict[str, Any] = {"id": m.user.id, "name": m.user.name, "organisation": organisation(m.user.organisation)}
    if email:
        person["email"] = m.user.email
    return {"id": m.id, "role": m.role, "plan_id": m.plan_id, "card_id": m.card_id, "user": person}


def invitation(i: Invitation) -> dict[str, Any]:
    return {"id": i.id, "email": i.email, "role": i.role, "plan_id": i.plan_id, "card_id": i.card_id,
            "expires_at": iso(i.expires_at), "accepted_at": iso(i.accepted_at)}


def token(t: ApiToken) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": iso(t.created_at),
            "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at)}
