"""The demo plan that `make run` serves, read from server/demo/demo-plan.json.

Seeding is idempotent: organisations, users and cards already present (matched by name, email
and card number) are left as they are, so a card's document is never seeded twice.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select

from . import demo_public

from .auth.passwords import hash_password
from .models import Card, CardVersion, Organisation, Plan, RoleAssignment, Thread, User
from .services import accounts
from .services import cards as card_service
from .services import plans as plan_service
from .services import signoffs as signoff_service
from .services import threads as thread_service
from .services import versions, workflow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .collab.documents import Documents

DATA = Path(__file__).parent / "demo" / "demo-plan.json"


def load_data() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


def _org(session: Session, spec: dict[str, Any]) -> Organisation:
    org = session.scalars(select(Organisation).where(Organisation.name_fr == spec["name_fr"])).first()
    if org is None:
        org = Organisation(kind=spec["kind"], name_ar=spec["name_ar"], name_fr=spec["name_fr"])
        session.add(org)
        session.flush()
    return org


def _user(session: Session, spec: dict[str, Any], org: Organisation, password_hash: str, admin: bool) -> User:
    user = accounts.find_by_email(session, spec["email"])
    if user is None:
        user = User(email=spec["email"], name=spec["name"], organisation=org, password_hash=password_hash,
                    language=spec.get("language", "ar"), is_admin=admin)
        session.add(user)
        session.flush()
    return user


def seed(session: Session, documents: Documents) -> dict[str, Any]:
    """Create the demo plan if missing. Returns the accounts with the plan and card of each role."""
    data = load_data()
    orgs = {spec["key"]: _org(session, spec) for spec in data["organisations"]}
    password_hash = hash_password(data["password"])
    users = {}
    for spec in data["users"]:
        is_coordinator = any(r["role"] == "coordinator" for r in spec["roles"])
        users[spec["email"]] = _user(session, spec, orgs[spec["organisation"]], password_hash, is_coordinator)
    coordinator = next(users[s["email"]] for s in data["users"] if any(r["role"] == "coordinator" for r in s["roles"]))

    plan_spec = data["plan"]
    plan = session.scalars(select(Plan).where(Plan.title_fr == plan_spec["title_fr"])).first()
    if plan is None:
        plan = plan_service.create_plan(session, coordinator, {
            **{k: plan_spec[k] for k in ("title_ar", "title_fr", "title_en", "period_start", "period_end")},
            "coordinator_org_id": orgs[plan_spec["coordinator"]].id})
        for axis in data["axes"]:
            plan_service.add_axis(session, coordinator, plan, axis)
    axes = {a.number: a for a in plan.axes}
    cards = {c.number: c for c in plan.cards}
    for spec in data["cards"]:
        if spec["number"] in cards:
            continue
        card = card_service.create_card(session, documents, coordinator, plan, {
            "number": spec["number"], "axis_id": axes[spec["axis"]].id,
            "lead_org_id": orgs[spec["lead"]].id, "co_lead_org_id": orgs[spec["co_lead"]].id,
            "fields": spec["fields"]})
        card.status = spec.get("status", "draft")
        cards[card.number] = card
    session.flush()

    accounts = []
    for spec in data["users"]:
        user = users[spec["email"]]
        for role in spec["roles"]:
            card = cards[role["card"]] if "card" in role else None
            _grant_once(session, user, plan, card, role["role"])
            accounts.append({"email": user.email, "name": user.name, "role": role["role"],
                             "plan_id": plan.id, "card_id": card.id if card else None,
                             "card_number": card.number if card else None})
    # Threads are anchored on the cards' stored documents, which a commit makes readable.
    session.commit()
    _threads(session, documents, data.get("threads", []), cards, users)
    session.commit()
    _approval(session, documents, data.get("approval", []), cards, users)
    demo_public.seed(session, documents, current_app.config, data.get("public", {}), plan, cards, users,
                     coordinator, data.get("approval", []))
    return {"plan_id": plan.id, "password": data["password"], "accounts": accounts}


def _body(text: str, users: dict[str, User]) -> str:
    """A demo body: `(mention:EMAIL)` becomes the account's id."""
    for email, user in users.items():
        text = text.replace(f"(mention:{email})", f"(mention:{user.id})")
    return text


def _threads(session: Session, documents: Documents, specs: list[dict[str, Any]], cards: dict[str, Card],
             users: dict[str, User]) -> None:
    """Review under way: threads on several cards, once (a card that has threads is left alone)."""
    seeded = {card_id for (card_id,) in session.execute(select(Thread.card_id).distinct())}
    for spec in specs:
        card = cards[spec["card"]]
        if card.id in seeded:
            continue
        author = users[spec["author"]]
        data: dict[str, Any] = {"field": spec.get("field"), "body": _body(spec["body"], users)}
        if "quote" in spec:
            data["quote"], data["occurrence"] = spec["quote"], spec.get("occurrence")
        if "detached_quote" in spec:
            # A thread whose sentence was since deleted: its quote is no longer in the card.
            quote = spec["detached_quote"]
            thread = thread_service.create(session, documents, author, card, data)
            thread.quote = quote
            thread.anchor = {"start": None, "end": None, "quote": quote, "prefix": "", "suffix": "",
                             "offset": 0}
        else:
            thread = thread_service.create(session, documents, author, card, data)
        for reply in spec.get("replies", []):
            thread_service.reply(session, users[reply["author"]], thread, {"body": _body(reply["body"], users)})
        if spec.get("resolved"):
            thread_service.set_status(session, users[spec["resolved"]], thread, "resolved")
        session.flush()


def _approval(session: Session, documents: Documents, specs: list[dict[str, Any]], cards: dict[str, Card],
              users: dict[str, User]) -> None:
    """The workflow at every stage, through the real services: a card approved, one in review
    with some sign-offs, one sent back with a reason and a sign-off now stale. Once: a card
    that has versions is left alone."""
    done = {card_id for (card_id,) in session.execute(select(CardVersion.card_id).distinct())}
    for spec in specs:
        card = cards[spec["card"]]
        if card.id in done or card.status != "draft":
            continue
        lead = users[spec["attest"]]
        for criterion in ("baseline_data", "verifiable", "open_government_lens"):
            card_service.attest(session, lead, card, criterion, True)
        if "version" in spec:
            versions.save_named(session, documents, lead, card, spec["version"])
        workflow.submit(session, documents, users[spec["submit"]], card)
        session.commit()
        sign_round(session, documents, card, spec["signoffs"], users)
        after = spec.get("after")
        if after:
            # An edit after the card came back: the sign-offs given before are now stale.
            text = card_service.content(documents, card)["fields"].get(after["field"], "") + after["append"]
            card_service.update_content(session, documents, users[after["by"]], card, {after["field"]: text})
        session.commit()


def sign_round(session: Session, documents: Documents, card: Card, signoffs: list[dict[str, Any]],
               users: dict[str, User]) -> None:
    """The parties sign, in order, each the content they read, while the card is in review."""
    for signoff in signoffs:
        if card.status != "in_review":
            break
        signoff_service.sign(session, documents, users[signoff["by"]], card, {
            "decision": signoff["decision"], "note": signoff.get("note", ""),
            "content_hash": card_service.current_hash(documents, card)})
        session.commit()


def _grant_once(session: Session, user: User, plan: Plan, card: Card | None, role: str) -> None:
    exists = session.scalars(select(RoleAssignment.id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.plan_id == plan.id,
        RoleAssignment.card_id.is_(None) if card is None else RoleAssignment.card_id == card.id,
        RoleAssignment.role == role)).first()
    if exists is None:
        session.add(RoleAssignment(user_id=user.id, plan_id=plan.id, card_id=card.id if card else None, role=role))
