"""Action plans and their axes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import schemas
from schemas.vocabulary import MONTH_FORMAT, is_month

from ..content import validation
from ..models import Axis, Organisation, Plan, RoleAssignment
from . import approval_policy, audit
from .errors import Invalid

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import User



def _text(data: dict[str, Any], key: str, limit: int = 300) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{key} is required", field=key)
    try:
        validation.check_text(key, value, multiline=False, limit=limit)
    except validation.FieldError as exc:
        raise Invalid(exc.message, field=exc.field) from None
    return value.strip()


def _optional_text(data: dict[str, Any], key: str) -> str:
    """An optional name (the English one): "" when absent or blank, else checked as `_text`."""
    if data.get(key) is None or (isinstance(data[key], str) and not data[key].strip()):
        return ""
    return _text(data, key)


def _period(data: dict[str, Any]) -> tuple[str, str]:
    start, end = data.get("period_start"), data.get("period_end")
    for key, value in (("period_start", start), ("period_end", end)):
        if not is_month(value):
            raise Invalid(f"{key} must be a month written {MONTH_FORMAT}", field=key)
    if end < start:
        raise Invalid("period_end is before period_start", field="period_end")
    return start, end


def create_plan(session: Session, actor: User, data: dict[str, Any]) -> Plan:
    start, end = _period(data)
    template_id = data.get("template_id", schemas.DEFAULT_TEMPLATE[0])
    version = data.get("template_version", schemas.DEFAULT_TEMPLATE[1])
    try:
        schemas.load_template(template_id, version)
    except schemas.SchemaError as exc:
        raise Invalid(str(exc), field="template_id") from None
    plan = Plan(title_ar=_text(data, "title_ar"), title_fr=_text(data, "title_fr"),
                title_en=_optional_text(data, "title_en"),
                period_start=start, period_end=end, template_id=template_id, template_version=version,
                criteria={"id": schemas.DEFAULT_CRITERIA[0], "version": schemas.DEFAULT_CRITERIA[1], "disabled": []},
                approval_policy=approval_policy.check(approval_policy.DEFAULT_POLICY))
    if data.get("coordinator_org_id") is not None:
        plan.coordinator_org = _organisation(session, data["coordinator_org_id"], "coordinator_org_id")
    session.add(plan)
    session.flush()
    # The creator coordinates the plan until they hand it over.
    session.add(RoleAssignment(user_id=actor.id, plan_id=plan.id, role="coordinator"))
    audit.record(session, actor, "plan.created", plan=plan)
    audit.record(session, actor, "role.granted", plan=plan, user_id=actor.id, role="coordinator")
    return plan


def update_plan(session: Session, actor: User, plan: Plan, data: dict[str, Any]) -> Plan:
    changed = {}
    for key in ("title_ar", "title_fr", "title_en"):
        if key in data:
            setattr(plan, key, _optional_text(data, key) if key == "title_en" else _text(data, key))
            changed[key] = getattr(plan, key)
    if "period_start" in data or "period_end" in data:
        merged = {"period_start": plan.period_start, "period_end": plan.period_end, **data}
        plan.period_start, plan.period_end = _period(merged)
        changed["period"] = [plan.period_start, plan.period_end]
    if "criteria_disabled" in data:
        disabled = data["criteria_disabled"]
        known = criteria_ids(plan)
        if not isinstance(disabled, list) or any(d not in known for d in disabled):
            raise Invalid(f"criteria_disabled must list criteria ids among {sorted(known)}", field="criteria_disabled")
        plan.criteria = {**plan.criteria, "disabled": sorted(set(disabled))}
        changed["criteria_disabled"] = plan.criteria["disabled"]
    if "approval_policy" in data:
        # Through set_approval_policy, which re-evaluates the cards in review.
        raise Invalid("change the approval policy with PUT /plans/{id}/approval-policy", field="approval_policy")
    if "final" in data:
        if not isinstance(data["final"], bool):
            raise Invalid("final must be true or false", field="final")
        plan.final = data["final"]
        changed["final"] = plan.final
    audit.record(session, actor, "plan.updated", plan=plan, changes=changed)
    return plan


def criteria_ids(plan: Plan) -> set[str]:
    criteria = schemas.load_criteria(plan.criteria["id"], plan.criteria["version"])
    return {r["id"] for r in criteria["rules"]} | {a["id"] for a in criteria.get("attestations", [])}


def add_axis(session: Session, actor: User, plan: Plan, data: dict[str, Any]) -> Axis:
    number = data.get("number")
    if number is None:
        number = max((a.number for a in plan.axes), default=0) + 1
    if not isinstance(number, int) or number < 1:
        raise Invalid("number must be a positive integer", field="number")
    if any(a.number == number for a in plan.axes):
        raise Invalid(f"axis {number} already exists in this plan", field="number")
    axis = Axis(plan=plan, number=number, title_ar=_text(data, "title_ar"), title_fr=_text(data, "title_fr"),
                title_en=_optional_text(data, "title_en"))
    session.add(axis)
    session.flush()
    audit.record(session, actor, "axis.created", plan=plan, axis_id=axis.id, number=number)
    return axis


def _organisation(session: Session, org_id: Any, field: str) -> Organisation:
    org = session.get(Organisation, org_id) if isinstance(org_id, int) else None
    if org is None:
        raise Invalid(f"{field} does not name an existing organisation", field=field)
    return org


def template_of(plan: Plan) -> dict[str, Any]:
    return schemas.load_template(plan.template_id, plan.template_version)


def criteria_of(plan: Plan) -> dict[str, Any]:
    return schemas.load_criteria(plan.criteria["id"], plan.criteria["version"])


def visible_plans(session: Session, user: User) -> list[Plan]:
    """The plans `user` may open: every plan for an admin, else those where they hold a role."""
    query = select(Plan).order_by(Plan.id)
    if not user.is_admin:
        query = query.where(Plan.id.in_(select(RoleAssignment.plan_id).where(RoleAssignment.user_id == user.id)))
    return list(session.scalars(query))
