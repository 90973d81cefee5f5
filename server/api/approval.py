"""Approval: the plan's approval policy, submit, sign-offs, requests for changes, blocking threads,
versions (list, save, open, diff, restore) and the audit log."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Response, jsonify, request

from .. import db
from ..models import Card, Plan
from ..services import approval_policy, audit, live, signoffs as signoff_service, versions, workflow
from ..services import threads as thread_service
from ..services.errors import Invalid
from . import api, serialize
from .helpers import ApiError, body, documents, is_id, lookup, require, user


def _card(card_id: int, action: str = "card.view") -> Card:
    return thread_service.card_for(db.session(), user(), card_id, action)


def standing_json(card: Card) -> dict[str, Any]:
    """Where the card stands: its hash, requirements (met or not), sign-offs, blocking threads."""
    session = db.session()
    state = workflow.standing(session, documents(), card)
    return {
        "card_id": card.id, "status": card.status, "content_hash": state["hash"],
        "requirements": [r.as_json() for r in state["requirements"]],
        "complete": approval_policy.all_met(state["requirements"]),
        "blocking_threads": [t.id for t in state["blocking"]],
        "signoffs": [signoff_service.as_json(s, state["hash"])
                     for s in reversed(signoff_service.history(session, card))],
    }


def _done(card: Card, change: str, status: int = 200, **extra: Any):
    """Commit; every open page of the card hears of its status and of `change`; answer where it
    stands now."""
    db.session().commit()
    workflow.announce(card, change)
    return jsonify({"card": serialize.card(card), **extra, **standing_json(card)}), status


# -- the approval policy --------------------------------------------------------------------

@api.get("/plans/<int:plan_id>/approval-policy")
def get_approval_policy(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    return jsonify({"parties": [p.as_json() for p in approval_policy.parties(plan)]})


@api.put("/plans/<int:plan_id>/approval-policy")
def put_approval_policy(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.manage", plan)
    session = db.session()
    approved = workflow.set_policy(session, documents(), user(), plan, body())
    session.commit()
    for card in approved:
        workflow.announce(card, "version")
    return jsonify({"parties": [p.as_json() for p in approval_policy.parties(plan)],
                    "approved_cards": [c.id for c in approved]})


# -- the workflow ----------------------------------------------------------------------------

@api.post("/cards/<int:card_id>/submit")
def submit(card_id: int):
    card = _card(card_id)
    workflow.submit(db.session(), documents(), user(), card)
    return _done(card, "version")


@api.post("/cards/<int:card_id>/request-changes")
def request_changes(card_id: int):
    card = _card(card_id)
    workflow.request_changes(db.session(), documents(), user(), card, body().get("reason", ""))
    return _done(card, "version")


@api.get("/cards/<int:card_id>/signoffs")
def list_signoffs(card_id: int):
    return jsonify(standing_json(_card(card_id)))


@api.post("/cards/<int:card_id>/signoffs")
def sign(card_id: int):
    card = _card(card_id)
    signoff = signoff_service.sign(db.session(), documents(), user(), card, body())
    return _done(card, "signed", 201, signoff_id=signoff.id)


@api.delete("/signoffs/<int:signoff_id>")
def withdraw(signoff_id: int):
    session = db.session()
    signoff = signoff_service.find(session, user(), signoff_id)
    signoff_service.withdraw(session, documents(), user(), signoff)
    return _done(session.get(Card, signoff.card_id), "withdrawn")


@api.post("/threads/<int:thread_id>/blocking")
def set_blocking(thread_id: int):
    session = db.session()
    thread = thread_service.thread_for(session, user(), thread_id)
    data = body()
    signoff_service.set_blocking(session, documents(), user(), thread, data.get("blocking"))
    card = session.get(Card, thread.card_id)
    session.commit()
    workflow.announce(card, "blocking")
    return jsonify(thread_service.one(session, documents(), thread))


# -- versions ---------------------------------------------------------------------------------

@api.get("/cards/<int:card_id>/versions")
def list_versions(card_id: int):
    session = db.session()
    card = _card(card_id)
    signed = _signoffs_by_version(session, card)
    return jsonify([{**versions.as_json(v), "signoffs": signed.get(v.id, [])}
                    for v in versions.listing(session, card)])


def _signoffs_by_version(session, card: Card) -> dict[int, list[dict[str, Any]]]:
    now = workflow.standing(session, documents(), card)["hash"]
    out: dict[int, list[dict[str, Any]]] = {}
    for s in signoff_service.history(session, card):
        if s.version_id is not None:
            out.setdefault(s.version_id, []).append(signoff_service.as_json(s, now))
    return out


@api.post("/cards/<int:card_id>/versions")
def save_version(card_id: int):
    session = db.session()
    card = _card(card_id)
    version = versions.save_named(session, documents(), user(), card, body().get("name"))
    session.commit()
    live.approval_changed(card.id, "version")
    return jsonify(versions.as_json(version)), 201


@api.get("/cards/<int:card_id>/versions/<int:version_id>")
def get_version(card_id: int, version_id: int):
    card = _card(card_id)
    return jsonify(versions.as_json(versions.get(db.session(), card, version_id), with_content=True))


def _version_arg(name: str, allow_current: bool) -> int | str:
    value = request.args.get(name, "current" if allow_current else "")
    if allow_current and value == "current":
        return value
    if not value.isdigit() or not is_id(int(value)):
        raise ApiError(422, "invalid", f"{name} must be a version id" + (" or 'current'" if allow_current else ""),
                       field=name)
    return int(value)


@api.get("/cards/<int:card_id>/diff")
def diff(card_id: int):
    card = _card(card_id)
    old, new = _version_arg("from", False), _version_arg("to", True)
    return jsonify({"from": old, "to": new, **versions.diff(db.session(), documents(), card, old, new)})


@api.post("/cards/<int:card_id>/versions/<int:version_id>/restore")
def restore(card_id: int, version_id: int):
    session = db.session()
    card = _card(card_id)
    version = versions.get(session, card, version_id)
    restored = versions.restore(session, documents(), user(), card, version)
    session.commit()
    live.approval_changed(card.id, "version")
    return jsonify(versions.as_json(restored)), 201


# -- the audit log ------------------------------------------------------------------------------

def _date(name: str) -> datetime | None:
    value = request.args.get(name, "")
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.rstrip("Z")).replace(tzinfo=None)
    except ValueError:
        raise Invalid(f"{name} must be a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM)", field=name) from None


def audit_query(plan: Plan, card: Card | None) -> list[dict[str, Any]]:
    """The filtered audit rows the page and the API show (kind, user, since, until)."""
    person = request.args.get("user", "")
    if person and not (person.isdigit() and is_id(int(person))):
        raise Invalid("user must be an account id", field="user")
    until = _date("until")
    if until is not None and len(request.args.get("until", "")) <= 10:
        until += timedelta(days=1)  # "until 2026-12-02" includes that day
    session = db.session()
    events = audit.entries(session, plan, card=card, kind=request.args.get("kind") or None,
                           user_id=int(person) if person else None, since=_date("since"), until=until)
    return audit.rows(session, events)


def _audit_answer(plan: Plan, card: Card | None, csv: bool, name: str):
    require("plan.audit", plan)
    table = audit_query(plan, card)
    if csv:
        return Response(audit.to_csv(table), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return jsonify(table)


@api.get("/plans/<int:plan_id>/audit")
def plan_audit(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    return _audit_answer(plan, None, False, f"audit-plan-{plan.id}")


@api.get("/plans/<int:plan_id>/audit.csv")
def plan_audit_csv(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    return _audit_answer(plan, None, True, f"audit-plan-{plan.id}")


@api.get("/cards/<int:card_id>/audit")
def card_audit(card_id: int):
    card = _card(card_id)
    return _audit_answer(card.plan, card, request.args.get("format") == "csv", f"audit-card-{card.id}")
