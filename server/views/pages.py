"""Plans, a plan's dashboard, a card's page, and role management pages."""
from __future__ import annotations

from datetime import timedelta
from functools import wraps
from typing import Any
from collections.abc import Callable

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import db, policy
from ..auth.current import check_csrf, load_user
from ..collab.access import ROLE_ORDER
from ..collab.wiring import documents
from ..content.canonical import content_hash
from ..i18n import translate
from ..models import CARD_ROLES, PLAN_ROLES, Card, Plan, RoleAssignment, User, utcnow
from ..services import access, accounts
from ..services import cards as card_service
from ..services import dashboard, password_reset
from ..services import plans as plan_service
from ..services import roles as role_service
from ..services.errors import NotFound, ServiceError
from ..services.mail import send_invitation
from ..services.plans import template_of
from . import views


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        if load_user() is None:
            return redirect(url_for("views.login", next=request.path))
        return view(**kwargs)
    return wrapped


def _get(model: type, ident: int) -> Any:
    return access.get(db.session(), model, ident, translate("error.not_found"))


def _require(action: str, obj: Plan | Card) -> None:
    access.require(db.session(), load_user(), action, obj, g.get("lang"), name_action=False)


@views.get("/")
@login_required
def home():
    return render_template("plans.html", plans=plan_service.visible_plans(db.session(), load_user()))


@views.get("/plans/<int:plan_id>")
@login_required
def plan_dashboard(plan_id: int):
    plan = _get(Plan, plan_id)
    _require("plan.view", plan)
    session, user = db.session(), load_user()
    rows = dashboard.plan_rows(session, documents(current_app), user, plan)
    for row in rows:
        if row["error"]:
            row["error"] = translate("dashboard.unreadable")
    done = sum(1 for row in rows if row["card"].status in ("approved", "published"))
    return render_template("dashboard.html", plan=plan, rows=rows, approved_count=done,
                           can_manage_roles=policy.allowed(session, user, "plan.manage_roles", plan),
                           can_export=policy.allowed(session, user, "plan.export", plan),
                           can_import=policy.allowed(session, user, "card.create", plan),
                           can_audit=policy.allowed(session, user, "plan.audit", plan))


@views.get("/plans/<int:plan_id>/statuses")
def plan_statuses(plan_id: int):
    """Each card's status, for the open dashboard to poll (docs/protocol.md, "The dashboard").

    A dashboard shows every card of a plan, but a status change is a room event of one card's
    room, which only the card's members join: polling this small answer, with its ETag, costs
    one indexed query and, while nothing changed, a 304 of a few bytes.
    """
    if load_user() is None:
        return jsonify({"error": "unauthenticated", "message": translate("error.unauthenticated")}), 401
    plan = _get(Plan, plan_id)
    _require("plan.view", plan)
    rows = db.session().execute(select(Card.id, Card.status).where(Card.plan_id == plan.id).order_by(Card.id))
    response = jsonify({"cards": [{"id": card_id, "status": status} for card_id, status in rows]})
    response.headers["Cache-Control"] = "private, no-cache"
    response.add_etag()
    return response.make_conditional(request)


@views.get("/cards/<int:card_id>")
@login_required
def card_page(card_id: int):
    card = _get(Card, card_id)
    _require("card.view", card)
    return render_card(card)


def render_card(card: Card, status: int = 200, approval_error: str | None = None,
                approval_form: dict[str, str] | None = None, metadata_error: str | None = None,
                metadata_form: dict[str, str] | None = None) -> tuple[str, int]:
    """The card page; the approval and metadata forms re-render it with their error and what was
    typed."""
    from .approval import card_approval  # the approval views import this module

    session, user = db.session(), load_user()
    content, problems = card_service.content_and_problems(documents(current_app), card)
    edit = policy.decide(session, user, "card.edit", card)
    criteria = card_service.evaluate_criteria(session, card, content)
    shown_hash = content_hash(content)
    can_edit_metadata = policy.allowed(session, user, "card.edit_metadata", card)
    leads, co_leads = card_service.organisation_choices(session) if can_edit_metadata else ([], [])
    return render_template(
        "card.html", card=card, plan=card.plan, template=template_of(card.plan), content=content,
        content_hash=shown_hash, problems=problems, criteria=criteria,
        can_edit=edit.allowed, read_only_reason=None if edit else translate(edit.reason),
        can_comment=policy.allowed(session, user, "card.comment", card),
        can_manage_roles=policy.allowed(session, user, "card.manage_roles", card),
        roles=[r for r in ROLE_ORDER if r in policy.roles_of(session, user, card)],  # as the live updates list them
        can_edit_metadata=can_edit_metadata, leads=leads, co_leads=co_leads,
        metadata_error=metadata_error, metadata_form=metadata_form or {
            "lead": str(card.lead_org_id or ""), "co_lead": str(card.co_lead_org_id or "")},
        can_attest=policy.allowed(session, user, "card.attest", card),
        approval=card_approval(session, user, card, shown_hash, criteria, approval_error, approval_form)), status


# --- role management ---------------------------------------------------------------------

def _roles_page(plan: Plan, card: Card | None, status: int = 200, invited: tuple[Any, str] | None = None,
                reset: tuple[User, str] | None = None, confirm: RoleAssignment | None = None):
    # A link (invitation, password reset) is shown in the answer to the POST that made it,
    # never put in a URL (browser history, proxy logs).
    session, user = db.session(), load_user()
    pending = role_service.pending_invitations(session, plan, card)
    return render_template("roles.html", plan=plan, card=card,
                           members=role_service.members(session, plan, card),
                           # E-mails and the forms only for those who manage these roles.
                           can_manage=policy.may_manage_roles(session, user, card or plan),
                           roles=[r for r in (CARD_ROLES if card else PLAN_ROLES)  # those this user hands out
                                  if policy.decide_assignment(session, user, r, plan, card, None)],
                           pending=[(i, bool(policy.decide_assignment(session, user, i.role, plan, card, None,
                                                                      removing=True))) for i in pending],
                           can_reset=card is None and bool(user) and (
                               user.is_admin or "coordinator" in policy.roles_of(session, user, plan)),
                           invited=invited, reset=reset, confirm=confirm,
                           reset_expires=utcnow() + timedelta(seconds=current_app.config["PASSWORD_RESET_SECONDS"])
                           if reset else None), status


def _scope(plan_id: int | None, card_id: int | None) -> tuple[Plan, Card | None, str, str]:
    if card_id is not None:
        card = _get(Card, card_id)
        return card.plan, card, "card.manage_roles", "card.view"
    return _get(Plan, plan_id), None, "plan.manage_roles", "plan.view"


def _back(plan: Plan, card: Card | None) -> Any:
    if card is not None:
        return redirect(url_for("views.card_roles", card_id=card.id))
    return redirect(url_for("views.plan_roles", plan_id=plan.id))


def _roles_view(plan_id: int | None = None, card_id: int | None = None):
    plan, card, manage, view = _scope(plan_id, card_id)
    _require(view, card or plan)
    if request.method == "GET":
        return _roles_page(plan, card)
    check_csrf()
    _require(manage, card or plan)
    session, actor = db.session(), load_user()
    action = request.form.get("action")
    changed: tuple[int | None, int] | None = None  # (card id, user id) whose rights changed
    try:
        if action == "grant":
            target = accounts.user_for_role(session, actor, plan, email=request.form.get("email", ""))
            assignment = role_service.grant(session, actor, plan, card, target, request.form.get("role"))
            changed = (assignment.card_id, target.id)
        elif action == "revoke":
            try:
                assignment = role_service.find_assignment(session, plan, card,
                                                          request.form.get("assignment_id", type=int))
            except NotFound:
                abort(404, description=translate("error.not_found"))
            if request.form.get("confirm") != "yes":
                # A removal takes effect at once on the person's open pages: ask first, without
                # needing a script.
                return _roles_page(plan, card, confirm=assignment)
            changed = (assignment.card_id, assignment.user_id)
            role_service.revoke(session, actor, plan, assignment)
        elif action == "invite":
            invitation, token = role_service.invite(
                session, actor, plan, card, request.form.get("email"), request.form.get("role"),
                current_app.config["SECRET_KEY"], current_app.config["INVITATION_DAYS"])
            session.commit()
            link = url_for("views.accept_invitation", token=token, _external=True)
            send_invitation(current_app.config, invitation.email, link)
            return _roles_page(plan, card, 201, invited=(invitation, link))
        elif action == "revoke_invitation":
            invitation = role_service.find_invitation(session, plan, card,
                                                      request.form.get("invitation_id", type=int))
            role_service.revoke_invitation(session, actor, plan, invitation)
            session.commit()
            flash(translate("roles.invitation_revoked"), "ok")
            return _back(plan, card)
        elif action == "reset_link" and card is None:
            target, token = password_reset.issue_for_member(session, actor, plan, request.form.get("email"),
                                                            current_app.config["SECRET_KEY"])
            session.commit()
            link = url_for("views.reset_password", token=token, _external=True)
            return _roles_page(plan, card, 201, reset=(target, link))
        else:
            abort(400, description=translate("error.bad_request"))
    except ServiceError as exc:
        session.rollback()
        flash(role_service.message_for(exc), "error")
        return _roles_page(plan, card, exc.status)
    session.commit()
    role_service.announce(plan.id, *changed)
    flash(translate("roles.saved"), "ok")
    return _back(plan, card)


@views.route("/plans/<int:plan_id>/roles", methods=["GET", "POST"])
@login_required
def plan_roles(plan_id: int):
    return _roles_view(plan_id=plan_id)


@views.route("/cards/<int:card_id>/roles", methods=["GET", "POST"])
@login_required
def card_roles(card_id: int):
    return _roles_view(card_id=card_id)
