"""The forms that make and shape a card without the editor: a new card from the dashboard, its
lead and co-lead while it is a draft, and the manual attestations of its checklist. Each works
as a plain HTML form; the services hold the rules."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from .. import db
from ..auth.current import check_csrf, load_user
from ..collab.wiring import documents
from ..i18n import translate
from ..models import Card, Plan
from ..services import accounts
from ..services import cards as card_service
from ..services.errors import ServiceError, message_for
from . import views
from .pages import _get, _require, login_required, render_card

# The form's two sides, the card attribute each sets and the kind a new organisation gets.
SIDES = {"lead": ("lead_org_id", "government"), "co_lead": ("co_lead_org_id", "civil_society")}
NEW = "new"  # the choice "add an organisation" in a side's list


def _org_choice(value: str) -> Any:
    """A side's choice as the service takes it: None, an id, or the text sent (which the service
    refuses as naming no organisation)."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 11 else value


def _new_organisations() -> dict[str, Any]:
    """Create the organisations the form adds, one per side whose choice is NEW.

    Returns:
        {"lead_org_id": id, ...} for the sides that got a new organisation.

    Raises:
        ServiceError: from the organisations service, its field renamed to the form's input.
    """
    session, actor = db.session(), load_user()
    made = {}
    for side, (attribute, kind) in SIDES.items():
        if request.form.get(side) != NEW:
            continue
        try:
            org = accounts.create_organisation(session, actor, {
                "kind": kind, "name_ar": request.form.get(f"{side}_name_ar", ""),
                "name_fr": request.form.get(f"{side}_name_fr", "")})
        except ServiceError as exc:
            exc.field = f"{side}_{exc.field}" if exc.field in ("name_ar", "name_fr") else side
            raise
        made[attribute] = org.id
    return made


def _new_card_page(plan: Plan, status: int = 200, error: ServiceError | None = None) -> tuple[str, int]:
    session = db.session()
    leads, co_leads = card_service.organisation_choices(session)
    field = None
    if error is not None:
        field = {"lead_org_id": "lead", "co_lead_org_id": "co_lead"}.get(error.field or "", error.field)
    return render_template(
        "card_new.html", plan=plan, leads=leads, co_leads=co_leads,
        form=request.form if request.method == "POST" else {"number": card_service.next_number(session, plan)},
        error=message_for(error) if error is not None else None, error_field=field), status


@views.route("/plans/<int:plan_id>/cards/new", methods=["GET", "POST"])
@login_required
def new_card(plan_id: int):
    plan = _get(Plan, plan_id)
    _require("card.create", plan)
    if request.method == "GET":
        return _new_card_page(plan)
    check_csrf()
    session = db.session()
    data = {"number": request.form.get("number", "").strip() or None,
            "axis_id": _org_choice(request.form.get("axis_id", "")),
            **{attribute: _org_choice(request.form.get(side, "")) for side, (attribute, _) in SIDES.items()
               if request.form.get(side) != NEW}}
    try:
        data.update(_new_organisations())
        card = card_service.create_card(session, documents(current_app), load_user(), plan, data)
    except ServiceError as exc:
        session.rollback()
        return _new_card_page(plan, exc.status, exc)
    session.commit()
    flash(translate("card_new.created", number=card.number), "ok")
    return redirect(url_for("views.card_page", card_id=card.id))


@views.post("/cards/<int:card_id>/metadata")
@login_required
def card_metadata(card_id: int):
    card = _get(Card, card_id)
    _require("card.view", card)
    check_csrf()
    _require("card.edit_metadata", card)
    session = db.session()
    try:
        card_service.update_metadata(session, load_user(), card, {
            attribute: _org_choice(request.form.get(side, "")) for side, (attribute, _) in SIDES.items()})
    except ServiceError as exc:
        session.rollback()
        return render_card(card, exc.status, metadata_error=message_for(exc),
                           metadata_form=dict(request.form))
    session.commit()
    flash(translate("card_meta.saved"), "ok")
    return redirect(url_for("views.card_page", card_id=card.id))


@views.post("/cards/<int:card_id>/attestations")
@login_required
def card_attestation(card_id: int):
    card = _get(Card, card_id)
    _require("card.view", card)
    check_csrf()
    _require("card.attest", card)
    session = db.session()
    try:
        card_service.attest(session, load_user(), card, request.form.get("criterion", ""),
                            request.form.get("attested") == "true")
    except ServiceError as exc:
        session.rollback()
        flash(message_for(exc), "error")
        return render_card(card, exc.status)
    session.commit()
    return redirect(url_for("views.card_page", card_id=card.id, _anchor="criteria-heading"))
