"""Members and roles of a plan and of a card; invitations."""
from __future__ import annotations

from flask import current_app, jsonify, url_for

from .. import db, policy
from ..models import Card, Plan
from ..services import accounts
from ..services import roles as role_service
from ..services.mail import send_invitation
from . import api, serialize
from .helpers import body, lookup, require, user


def _invite(plan: Plan, card: Card | None):
    data = body()
    invitation, token = role_service.invite(
        db.session(), user(), plan, card, data.get("email"), data.get("role"),
        current_app.config["SECRET_KEY"], current_app.config["INVITATION_DAYS"])
    db.session().commit()
    link = url_for("views.accept_invitation", token=token, _external=True)
    mailed = send_invitation(current_app.config, invitation.email, link)
    return jsonify({**serialize.invitation(invitation), "link": link, "mailed": mailed}), 201


def _pending(plan: Plan, card: Card | None):
    return jsonify([serialize.invitation(i) for i in role_service.pending_invitations(db.session(), plan, card)])


def _withdraw(plan: Plan, card: Card | None, invitation_id: int):
    invitation = role_service.find_invitation(db.session(), plan, card, invitation_id)
    role_service.revoke_invitation(db.session(), user(), plan, invitation)
    db.session().commit()
    return "", 204


def _list(plan: Plan, card: Card | None):
    # E-mail addresses only for those who manage these roles; others see names and organisations.
    emails = policy.may_manage_roles(db.session(), user(), card or plan)
    return jsonify([serialize.member(m, email=emails) for m in role_service.members(db.session(), plan, card)])


def _grant(plan: Plan, card: Card | None):
    data = body()
    # The body names the account by "user_id" or "email" (the service says who may use which).
    target = accounts.user_for_role(db.session(), user(), plan,
                                    **{key: data[key] for key in ("email", "user_id") if key in data})
    assignment = role_service.grant(db.session(), user(), plan, card, target, data.get("role"))
    db.session().commit()
    role_service.announce(plan.id, assignment.card_id, target.id)
    return jsonify(serialize.member(assignment, email=True)), 201


def _revoke(plan: Plan, card: Card | None, assignment_id: int):
    assignment = role_service.find_assignment(db.session(), plan, card, assignment_id)
    user_id, card_id = assignment.user_id, assignment.card_id
    role_service.revoke(db.session(), user(), plan, assignment)
    db.session().commit()
    role_service.announce(plan.id, card_id, user_id)
    return "", 204


# Each endpoint first checks that the caller may see the plan or card (403 otherwise, saying
# nothing of its members or state); the role services then decide the change itself.

@api.get("/plans/<int:plan_id>/members")
def plan_members(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    return _list(plan, None)


@api.post("/plans/<int:plan_id>/members")
def add_plan_member(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    require("plan.manage_roles", plan)
    return _grant(plan, None)


@api.delete("/plans/<int:plan_id>/members/<int:assignment_id>")
def remove_plan_member(plan_id: int, assignment_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    require("plan.manage_roles", plan)
    return _revoke(plan, None, assignment_id)


@api.post("/plans/<int:plan_id>/invitations")
def invite_to_plan(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    require("plan.manage_roles", plan)
    return _invite(plan, None)


# Pending invitations carry e-mail addresses: listed only to those who manage the roles.
@api.get("/plans/<int:plan_id>/invitations")
def plan_invitations(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    require("plan.manage_roles", plan)
    return _pending(plan, None)


@api.delete("/plans/<int:plan_id>/invitations/<int:invitation_id>")
def withdraw_plan_invitation(plan_id: int, invitation_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    require("plan.manage_roles", plan)
    return _withdraw(plan, None, invitation_id)


@api.get("/cards/<int:card_id>/members")
def card_members(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    return _list(card.plan, card)


@api.post("/cards/<int:card_id>/members")
def add_card_member(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    require("card.manage_roles", card)
    return _grant(card.plan, card)


@api.delete("/cards/<int:card_id>/members/<int:assignment_id>")
def remove_card_member(card_id: int, assignment_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    require("card.manage_roles", card)
    return _revoke(card.plan, card, assignment_id)


@api.post("/cards/<int:card_id>/invitations")
def invite_to_card(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    require("card.manage_roles", card)
    return _invite(card.plan, card)


@api.get("/cards/<int:card_id>/invitations")
def card_invitations(card_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    require("card.manage_roles", card)
    return _pending(card.plan, card)


@api.delete("/cards/<int:card_id>/invitations/<int:invitation_id>")
def withdraw_card_invitation(card_id: int, invitation_id: int):
    card = lookup(Card, card_id, "card")
    require("card.view", card)
    require("card.manage_roles", card)
    return _withdraw(card.plan, card, invitation_id)
