"""Publication, consultation and the plan's lifecycle, for the people who run them.

Publishing and unpublishing cards, opening / extending / closing a consultation, the moderation
queue, answers, the plan's stage moves and the documents they keep. What the public reads is in
server/public/.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from flask import Response, current_app, jsonify, request, url_for

from .. import db
from ..models import CONTRIBUTION_STATES, Card, Plan
from ..i18n import translate
from ..public.urls import public_url
from ..services import consultation as consultation_service, mail, plan_lifecycle, publication, workflow
from ..services import exports as export_service
from ..services.errors import Invalid
from . import api, serialize
from .downloads import MEDIA, _plan_writer, _write
from .helpers import body, documents, lookup, require, user


def publication_json(card_id: int, pub: Any) -> dict[str, Any]:
    return {"card_id": card_id, "number": pub.number, "version_id": pub.version_id,
            "content_hash": pub.version.content_hash, "published_at": serialize.iso(pub.published_at),
            "withdrawn_at": serialize.iso(pub.withdrawn_at), "withdraw_reason": pub.withdraw_reason or None,
            "url": public_url("public.version_page", card_id=card_id, number=pub.number)}


@api.post("/cards/<int:card_id>/publish")
def publish_card(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    session = db.session()
    pub = publication.publish(session, documents(), user(), card)
    session.commit()
    workflow.announce(card, "version")
    return jsonify({"card": serialize.card(card), "publication": publication_json(card.id, pub),
                    "url": public_url("public.card_page", card_id=card.id)}), 201


@api.post("/cards/<int:card_id>/unpublish")
def unpublish_card(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    session = db.session()
    withdrawn = publication.unpublish(session, user(), card, body().get("reason", ""))
    session.commit()
    workflow.announce(card)
    return jsonify({"card": serialize.card(card),
                    "withdrawn": [publication_json(card.id, p) for p in withdrawn]})


def consultation_json(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"id": found.id, "plan_id": found.plan_id, "state": consultation_service.state(found),
            "opens_at": serialize.iso(found.opens_at), "closes_at": serialize.iso(found.closes_at),
            "closed_at": serialize.iso(found.closed_at),
            "last_day": consultation_service.last_day(found).isoformat()}


@api.get("/plans/<int:plan_id>/consultation")
def get_consultation(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    return jsonify({"consultation": consultation_json(consultation_service.current(db.session(), plan)),
                    "counts": {str(k) if k is not None else "plan": v
                               for k, v in consultation_service.counts(db.session(), plan).items()}})


@api.post("/plans/<int:plan_id>/consultation")
def manage_consultation(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    session = db.session()
    found = consultation_service.manage(session, user(), plan, body())
    session.commit()
    return jsonify({"consultation": consultation_json(found), "plan": serialize.plan(plan)})


@api.get("/plans/<int:plan_id>/contributions")
def list_contributions(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    state = request.args.get("state") or None
    if state is not None and state not in CONTRIBUTION_STATES:
        raise Invalid(f"state must be one of {', '.join(CONTRIBUTION_STATES)}", field="state")
    session = db.session()
    private = consultation_service.may_moderate(session, user(), plan)
    found = consultation_service.queue(session, user(), plan, state)
    return jsonify({"contributions": [consultation_service.as_json(c, private=private) for c in found]})


@api.post("/contributions/<int:contribution_id>/moderate")
def moderate_contribution(contribution_id: int):
    session = db.session()
    contribution = consultation_service.find(session, user(), contribution_id)
    consultation_service.moderate(session, user(), contribution, body())
    session.commit()
    return jsonify({"contribution": consultation_service.as_json(contribution, private=True)})


@api.post("/contributions/<int:contribution_id>/answer")
def answer_contribution(contribution_id: int):
    session = db.session()
    contribution = consultation_service.find(session, user(), contribution_id)
    consultation_service.answer(session, user(), contribution, body())
    session.commit()
    notify_answered(contribution)
    return jsonify({"contribution": consultation_service.as_json(contribution)})


def notify_answered(contribution: Any) -> bool:
    """Mail the contributor their answer when SMTP is configured (after the commit)."""
    if contribution.confirmed_at is None:
        return False
    page = (public_url("public.card_page", card_id=contribution.card_id, lang=contribution.lang)
            if contribution.card_id else
            public_url("public.plan_page", plan_id=contribution.plan_id, lang=contribution.lang))
    text = (f"{translate('public.answer_mail', contribution.lang)}\n\n"
            f"{translate('outcome.' + contribution.outcome, contribution.lang)}\n{contribution.answer}\n\n"
            f"{page}#contribution-{contribution.id}\n")
    return mail.send(current_app.config, contribution.email, "Iltizam — جواب / réponse", text)


@api.post("/plans/<int:plan_id>/transition")
def transition_plan(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    session = db.session()
    kept = plan_lifecycle.transition(session, user(), plan, body(), partial(council_docx, plan))
    session.commit()
    return jsonify({"plan": serialize.plan(plan), "timeline": plan_lifecycle.timeline(plan),
                    "document": document_json(plan, kept) if kept else None})


def council_docx(plan: Plan, lang: str) -> bytes:
    """The plan's Council .docx as it is now (what "submitted" keeps), built like the plan export."""
    session, cards = db.session(), list(plan.cards)
    bundle = export_service.plan_bundle(documents(), plan, cards,
                                        export_service.signoff_entries(session, documents(), cards))
    return _write(_plan_writer("docx"), export_service.template_for(plan), bundle, lang)


def document_json(plan: Plan, kept: Any) -> dict[str, Any]:
    return {"id": kept.id, "kind": kept.kind, "lang": kept.lang, "sha256": kept.sha256, "size": len(kept.data),
            "created_at": serialize.iso(kept.created_at),
            "url": url_for("api.plan_document", plan_id=plan.id, document_id=kept.id, _external=True)}


@api.get("/plans/<int:plan_id>/documents")
def plan_documents(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.export", plan)
    return jsonify({"documents": [document_json(plan, d) for d in plan_lifecycle.documents_of(db.session(), plan)]})


@api.get("/plans/<int:plan_id>/documents/<int:document_id>.docx")
def plan_document(plan_id: int, document_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.export", plan)
    kept = plan_lifecycle.document(db.session(), plan, document_id)
    return Response(kept.data, mimetype=MEDIA["docx"], headers={
        "Content-Disposition": f'attachment; filename="council-plan-{plan.id}-{kept.id}-{kept.lang}.docx"',
        "X-Content-SHA256": kept.sha256, "Cache-Control": "no-store"})

