"""The plan's own lifecycle (steps م1.5–م4.5): drafting → consultation → finalising → submitted to
the Government Council → adopted.

Each move is the coordinator's, audited, and dated in `plan.stage_history` for the public
timeline. "submitted" keeps the Council .docx of that moment byte for byte, with its SHA-256;
"adopted" records the Council's decision (date and reference) and makes the plan final, which
removes the DRAFT marking from the plan document.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from sqlalchemy import select

from schemas.vocabulary import is_date, text_problem

from ..models import PLAN_STAGES, PlanDocument, utcnow
from . import access, audit
from .errors import Conflict, Invalid, NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import Plan, User

# Stage → the stages one may reach it from. The Council may send a plan back for finalising.
SOURCES: dict[str, tuple[str, ...]] = {
    "consultation": ("drafting", "finalising"),
    "finalising": ("drafting", "consultation", "submitted"),
    "submitted": ("finalising",),
    "adopted": ("submitted",),
}
MAX_REFERENCE = 200


def enter(plan: Plan, stage: str) -> None:
    """Put the plan in `stage` and date it (no checks: callers decide)."""
    plan.stage = stage
    plan.stage_history = [*(plan.stage_history or []), {"stage": stage, "at": utcnow().isoformat() + "Z"}]


def timeline(plan: Plan) -> list[dict[str, Any]]:
    """Every stage in order with the date it was last reached (None: not yet), and which is current."""
    reached: dict[str, str] = {"drafting": plan.created_at.isoformat() + "Z"}
    for step in plan.stage_history or []:
        reached[step["stage"]] = step["at"]
    return [{"stage": s, "at": reached.get(s) if PLAN_STAGES.index(s) <= PLAN_STAGES.index(plan.stage) else None,
             "current": s == plan.stage} for s in PLAN_STAGES]


def transition(session: Session, actor: User, plan: Plan, data: dict[str, Any],
               council_docx: Callable[[str], bytes]) -> PlanDocument | None:
    """Move the plan to `data["to"]`, audited.

    Args:
        data: {"to": stage}; for "submitted" an optional "lang" of the Council document (ar);
            for "adopted" "decision_date" (YYYY-MM-DD) and "reference".
        council_docx: builds the plan's Council .docx in a language, for "submitted".

    Returns:
        The kept Council document when the plan was submitted, else None.

    Raises:
        Forbidden: without plan.transition. Conflict: not reachable from the plan's stage.
        Invalid: an unknown stage, a missing or malformed decision date or reference.
    """
    access.require(session, actor, "plan.transition", plan)
    target = data.get("to")
    if target not in SOURCES:
        raise Invalid(f"to must be one of {', '.join(SOURCES)}", field="to")
    if plan.stage not in SOURCES[target]:
        raise Conflict(f"A plan cannot go from {plan.stage} to {target}.", field="to")
    kept = None
    details: dict[str, Any] = {}
    if target == "submitted":
        lang = data.get("lang") or "ar"
        if lang not in ("ar", "fr", "en"):
            raise Invalid("lang must be ar, fr or en", field="lang")
        content = council_docx(lang)
        kept = PlanDocument(plan_id=plan.id, kind="council", lang=lang, data=content,
                            sha256=hashlib.sha256(content).hexdigest(), created_by_id=actor.id)
        session.add(kept)
        session.flush()
        details.update(document=kept.id, sha256=kept.sha256)
    if target == "adopted":
        decided, reference = data.get("decision_date"), data.get("reference")
        if not is_date(decided):
            raise Invalid("decision_date must be the Council's decision date (YYYY-MM-DD)", field="decision_date")
        if (not isinstance(reference, str) or not reference.strip() or len(reference) > MAX_REFERENCE
                or text_problem(reference, multiline=False) is not None):
            raise Invalid(f"reference must be the Council decision's reference (at most {MAX_REFERENCE} "
                          "characters)", field="reference")
        plan.council_decision_date, plan.council_reference = decided, reference.strip()
        plan.final = True
        details.update(decision_date=decided, reference=plan.council_reference)
    previous = plan.stage
    enter(plan, target)
    audit.record(session, actor, "plan.stage_changed", plan=plan, previous=previous, stage=target, **details)
    return kept


def documents_of(session: Session, plan: Plan) -> list[PlanDocument]:
    return list(session.scalars(select(PlanDocument).where(PlanDocument.plan_id == plan.id)
                                .order_by(PlanDocument.id)))


def document(session: Session, plan: Plan, document_id: Any) -> PlanDocument:
    found = access.get(session, PlanDocument, document_id, "This plan keeps no such document.")
    if found.plan_id != plan.id:
        raise NotFound("This plan keeps no such document.")
    return found
