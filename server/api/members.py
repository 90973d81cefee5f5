"""Members and roles of a plan and of a card; invitations."""
from __future__ import annotations

from flask import current_app, jsonify, url_for
from sqlalchemy import select

from .. import db
from ..models import Card, Plan, RoleAssignment, User
from ..services import roles as role_service
from ..services.mail import send_invitation
from . import api, serialize
from .helpers import ApiError, body, lookup, require, user


def _target_user(data: dict) -> User:
    session = db.session()
    if isinstance(data.get("user_id"), int):
        found = session.get(User, data["user_id"])
    elif isinstance(data.get("email"), str):
        found = session.scalars(select(User).where(User.email == data["email"].strip().lower())).first()
    else:
        raise ApiError(422, "invalid", "Name the user by user_id or email.", field="user_id")
    if found is None:
        raise ApiError(422, "invalid", "No such user; invite them by email instead.", field="user_id")
    return found


def _assignment(plan: Plan, card: Card | None, assignment_id: int) -> RoleAssignment:
    found = db.session().get(RoleAssignment, assignment_id)
    if found is None or found.plan_id != plan.id or found.card_id != (card.id if card else None):
        raise ApiError(404, "not_found", f"No role assignment {assignment_id} here.")
    return found


def _invite(plan: Plan, card: Card | None):  # noqa: ANN202
    data = body()
    invitation, token = role_service.invite(
        db.session(), user(), plan, card, data.get("email"), data.get("role"),
        current_app.config["SECRET_KEY"], current_app.config["INVITATION_DAYS"])
    db.session().commit()
    link = url_for("views.accept_invitation", token=token, _external=True)
    mailed = send_invitation(current_app.config, invitation.email, link)
    return jsonify({**serialize.invitation(invitation), "link": link, "mailed": mailed}), 201


@api.get("/plans/<int:plan_id>/members")
def plan_members(plan_id: int):  # noqa: ANN201
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    return jsonify([serialize.member(m) for m in role_service.members(db.session(), plan)])


@api.post("/plans/<int:plan_id>/members")
def add_plan_member(plan_id: int):  # noqa: ANN201
    plan = lookup(Plan, plan_id, "plan")
    require("plan.manage_roles", plan)
    data = body()
    assignment = role_service.grant(db.session(), user(), plan, None, _target_user(data), data.get("role"))
    db.session().commit()
    return jsonify(serialize.member(assignment)), 201


@api.delete("/plans/<int:plan_id>/members/<int:assignment_id>")
def remove_plan_member(plan_id: int, assignment_id: int):  # noqa: ANN201
    plan = lookup(Plan, plan_id, "plan")
    require("plan.manage_roles", plan)
    role_service.revoke(db.session(), user(), plan, _assignment(plan, None, assignment_id))
    db.session().commit()
    return "", 204


@api.post("/plans/<int:plan_id>/invitations")
def invite_to_plan(plan_id: int):  # noqa: ANN201
    plan = lookup(Plan, plan_id, "plan")
    require("plan.manage_roles", plan)
    return _invite(plan, None)


@api.get("/cards/<int:card_id>/members")
def card_members(card_id: int):  # noqa: ANN201
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    return jsonify([serialize.member(m) for m in role_service.members(db.session(), card.plan, card)])


@api.post("/cards/<int:card_id>/members")
def add_card_member(card_id: int):  # noqa: ANN201
    card = lookup(Card, card_id, "card")
    require("card.manage_roles", card)
    data = body()
    assignment = role_service.grant(db.session(), user(), card.plan, card, _target_user(data), data.get("role"))
    db.session().commit()
    return jsonify(serialize.member(assignment)), 201


@api.delete("/cards/<int:card_id>/members/<int:assignment_id>")
def remove_card_member(card_id: int, assignment_id: int):  # noqa: ANN201
    card = lookup(Card, card_id, "card")
    require("card.manage_roles", card)
    role_service.revoke(db.session(), user(), card.plan, _assignment(card.plan, card, assignment_id))
    db.session().commit()
    return "", 204


@api.post("/cards/<int:card_id>/invitations")
def invite_to_card(card_id: int):  # noqa: ANN201
    card = lookup(Card, card_id, "card")
    require("card.manage_roles", card)
    return _invite(card.plan, card)
