"""The plan's "publication and consultation" page: publish cards, run the consultation, moderate,
answer, and move the plan through its stages. Each form calls a service; the page shows only the
forms its reader's roles allow (the services check again)."""
from __future__ import annotations

from functools import partial
from typing import Any
from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from .. import db, policy
from ..api.publication import council_docx, notify_answered
from ..auth.current import check_csrf, load_user
from ..collab.wiring import documents
from ..i18n import translate
from ..models import OUTCOMES, REJECT_REASONS, Card, Plan
from ..services import consultation as consultation_service
from ..services import plan_lifecycle, publication, workflow
from ..services.errors import Forbidden, ServiceError, message_for
from . import views
from .pages import _get, _require, login_required

# A refusal's field → the words a page shows for it (the services' own messages are for the API).
FIELD_MESSAGES = {
    "reason": "public_admin.error.reason", "closes_at": "public_admin.error.closes_at",
    "opens_at": "public_admin.error.closes_at", "decision_date": "public_admin.error.decision",
    "reference": "public_admin.error.decision", "outcome": "public_admin.error.answer",
    "answer": "public_admin.error.answer", "to": "public_admin.error.stage", "status": "public_admin.error.status",
}


@views.app_template_filter("contribution_html")
def _contribution_html(contribution: Any) -> Markup:
    """A contribution's Markdown as the public will read it (raw HTML off, safe links only)."""
    return Markup(consultation_service.body_html(contribution))


def page_message(exc: ServiceError) -> str:
    if isinstance(exc, Forbidden):
        return translate("policy.role_forbids")
    key = FIELD_MESSAGES.get(exc.field or "")
    return translate(key) if key else message_for(exc)


def _page(plan: Plan) -> dict[str, Any]:
    session, user = db.session(), load_user()
    current = publication.current_of(session, plan)
    consult = consultation_service.current(session, plan)
    moderator = consultation_service.may_moderate(session, user, plan)
    cards = []
    for card in plan.cards:
        cards.append({"card": card, "publication": current.get(card.id),
                      "can_publish": policy.allowed(session, user, "card.publish", card),
                      "can_unpublish": card.id in current and policy.allowed(session, user, "card.unpublish", card),
                      "can_answer": policy.allowed(session, user, "card.answer", card)})
    answerable = {row["card"].id for row in cards if row["can_answer"]}
    plan_answer = policy.allowed(session, user, "plan.answer", plan)
    published = consultation_service.published(session, plan)
    fields = consultation_service.document_fields(plan)
    return {
        "plan": plan, "cards": cards, "numbers": {c.id: c.number for c in plan.cards},
        "consultation": consult, "consultation_state": consultation_service.state(consult),
        "last_day": consultation_service.last_day(consult) if consult else None,
        "can_consult": policy.allowed(session, user, "plan.consult", plan),
        "can_transition": policy.allowed(session, user, "plan.transition", plan),
        "next_stages": [s for s, sources in plan_lifecycle.SOURCES.items() if plan.stage in sources],
        "timeline": plan_lifecycle.timeline(plan), "kept": plan_lifecycle.documents_of(session, plan),
        "pending": consultation_service.queue(session, user, plan, "pending") if moderator else [],
        "moderator": moderator,
        "to_answer": [c for c in published if (c.card_id in answerable if c.card_id else plan_answer)],
        "others": [c for c in published if not (c.card_id in answerable if c.card_id else plan_answer)],
        "field_labels": {k: f["label"] for k, f in fields.items()},
        "reject_reasons": REJECT_REASONS, "outcomes": OUTCOMES,
    }


@views.get("/plans/<int:plan_id>/public-side")
@login_required
def public_side(plan_id: int):
    plan = _get(Plan, plan_id)
    _require("plan.view", plan)
    return render_template("public_admin.html", **_page(plan))


def _act(plan: Plan, do: Callable[[], Any], done: str, anchor: str, card: Card | None = None):
    """Run one form's service call: commit and come back with a message, or say what was wrong.

    `card`: the form was on this card's page (`back=card`), which is where to come back to.
    """
    check_csrf()
    session = db.session()
    try:
        result = do()
    except ServiceError as exc:
        session.rollback()
        flash(page_message(exc), "error")
    else:
        session.commit()
        if callable(result):
            result()
        flash(translate(done), "ok")
    if card is not None and request.form.get("back") == "card":
        return redirect(url_for("views.card_page", card_id=card.id, _anchor="approval"))
    return redirect(url_for("views.public_side", plan_id=plan.id, _anchor=anchor))


def _form() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


@views.post("/cards/<int:card_id>/publish")
@login_required
def publish_card(card_id: int):
    card = _get(Card, card_id)
    _require("card.view", card)

    def do():
        publication.publish(db.session(), documents(current_app), load_user(), card)
        return lambda: workflow.announce(card, "version")
    return _act(card.plan, do, "public_admin.done.published", "cards", card)


@views.post("/cards/<int:card_id>/unpublish")
@login_required
def unpublish_card(card_id: int):
    card = _get(Card, card_id)
    _require("card.view", card)

    def do():
        publication.unpublish(db.session(), load_user(), card, request.form.get("reason", ""))
        return lambda: workflow.announce(card)
    return _act(card.plan, do, "public_admin.done.unpublished", "cards")


@views.post("/plans/<int:plan_id>/consultation")
@login_required
def manage_consultation(plan_id: int):
    plan = _get(Plan, plan_id)
    _require("plan.view", plan)
    return _act(plan, lambda: consultation_service.manage(db.session(), load_user(), plan, _form()),
                f"public_admin.done.consultation_{request.form.get('action', 'open')}", "consultation")


@views.post("/contributions/<int:contribution_id>/moderate")
@login_required
def moderate_contribution(contribution_id: int):
    session = db.session()
    contribution = consultation_service.find(session, load_user(), contribution_id)
    plan = session.get(Plan, contribution.plan_id)
    return _act(plan, lambda: consultation_service.moderate(session, load_user(), contribution, _form()),
                "public_admin.done.moderated", "moderation")


@views.post("/contributions/<int:contribution_id>/answer")
@login_required
def answer_contribution(contribution_id: int):
    session = db.session()
    contribution = consultation_service.find(session, load_user(), contribution_id)
    plan = session.get(Plan, contribution.plan_id)

    def do():
        consultation_service.answer(session, load_user(), contribution, _form())
        return lambda: notify_answered(contribution)
    return _act(plan, do, "public_admin.done.answered", f"contribution-{contribution.id}")


@views.post("/plans/<int:plan_id>/transition")
@login_required
def transition_plan(plan_id: int):
    plan = _get(Plan, plan_id)
    _require("plan.view", plan)
    return _act(plan, lambda: plan_lifecycle.transition(db.session(), load_user(), plan, _form(),
                                                        partial(council_docx, plan)),
                "public_admin.done.stage", "stage")
