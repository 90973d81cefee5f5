"""Cards: metadata, canonical content, field writes, criteria, attestations, status."""
from __future__ import annotations

from flask import jsonify

from .. import db, policy
from ..collab.documents import DocumentNotFound
from ..content.canonical import content_hash
from ..models import Card, Plan
from ..services import cards as card_service
from . import api, serialize
from .helpers import ApiError, body, documents, lookup, require, user


def _content(card: Card) -> dict:
    return _content_and_problems(card)[0]


def _content_and_problems(card: Card) -> tuple[dict, list[dict]]:
    try:
        return card_service.content_and_problems(documents(), card)
    except DocumentNotFound:
        raise ApiError(500, "internal", f"Card {card.id} has no stored document.") from None


def _permissions(card: Card) -> dict[str, bool]:
    session = db.session()
    return {action.split(".", 1)[1]: policy.allowed(session, user(), action, card)
            for action in ("card.edit", "card.comment", "card.manage_roles", "card.edit_metadata",
                           "card.submit", "card.publish", "card.signoff", "card.restore", "card.save_version")}


@api.get("/plans/<int:plan_id>/cards")
def list_cards(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    return jsonify([serialize.card(c) for c in plan.cards])


@api.post("/plans/<int:plan_id>/cards")
def create_card(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("card.create", plan)
    card = card_service.create_card(db.session(), documents(), user(), plan, body())
    db.session().commit()
    return jsonify(serialize.card(card)), 201


@api.get("/cards/<int:card_id>")
def get_card(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    content, problems = _content_and_problems(card)
    return jsonify({**serialize.card(card), "content": content, "problems": problems,
                    "content_hash": content_hash(content),
                    "permissions": _permissions(card)})


@api.patch("/cards/<int:card_id>")
def update_card(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.edit_metadata", card)
    card_service.update_metadata(db.session(), user(), card, body())
    db.session().commit()
    return jsonify(serialize.card(card))


@api.patch("/cards/<int:card_id>/content")
def update_content(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.edit", card)
    data = body()
    if "fields" not in data:
        raise ApiError(422, "invalid", "Send {\"fields\": {field_id: value}}.", field="fields")
    card_service.update_content(db.session(), documents(), user(), card, data["fields"])
    db.session().commit()
    return jsonify({"content": _content(card)})


@api.get("/cards/<int:card_id>/criteria")
def get_criteria(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    results = card_service.evaluate_criteria(db.session(), card, _content(card))
    return jsonify({"passed": sum(r["passed"] for r in results), "total": len(results), "criteria": results})


@api.put("/cards/<int:card_id>/attestations/<criterion>")
def attest(card_id: int, criterion: str):
    card = lookup(Card, card_id, "card")
    require("card.attest", card)
    value = body().get("attested")
    if not isinstance(value, bool):
        raise ApiError(422, "invalid", "Send {\"attested\": true|false}.", field="attested")
    card_service.attest(db.session(), user(), card, criterion, value)
    db.session().commit()
    return jsonify({"criterion": criterion, "attested": value})
