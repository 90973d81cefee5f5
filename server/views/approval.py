"""Approval pages: the card page's approval section and its forms, a card's versions, the diff
between two of them, the plan's approval policy and the audit log.

Each view checks the policy, calls the approval services (the same calls as server/api/approval.py)
and renders; a service's refusal re-renders the page with a translated message and its 4xx status.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import db, policy
from ..auth.current import check_csrf, load_user
from ..collab.wiring import documents
from ..content.canonical import content_hash
from ..i18n import translate
from ..models import ORGANISATION_KINDS, AuditEvent, Card, Plan, User
from ..services import approval_policy, audit, live, publication, signoffs as signoff_service, versions, workflow
from ..services import cards as card_service
from ..services.access import is_id
from ..services.errors import Invalid, NotFound, ServiceError
from ..services.errors import message_for as readable_message
from ..services.plans import criteria_of, template_of
from . import views
from .pages import _get, _require, login_required, render_card

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import CardVersion, Signoff

HASH_SHOWN = 12  # characters of a content hash shown on pages, as in the exports' annex
RECENT_VERSIONS = 5  # listed in the card page's approval section; the versions page has them all

# The services' English messages that have a translation; others read by their status (readable).
MESSAGES = {
    "The card changed since you read it; read it again before signing.": "approval.error.changed",
    "You have already signed this content; withdraw your sign-off to change it.": "approval.error.already_signed",
    "say why you reject the card, so its writers know what to change": "approval.error.reject_note",
    'decision must be "approve" or "reject"': "approval.error.decision",
    "You do not sign this card for that role.": "approval.error.role",
    "The plan's approval policy does not ask for your sign-off on this card.": "approval.error.not_a_party",
    "Only the person who signed can withdraw a sign-off.": "approval.error.not_yours",
    "This sign-off was already withdrawn or replaced.": "approval.error.already_withdrawn",
    "A sign-off can be withdrawn only while the card is in review.": "approval.error.withdraw_status",
    "say what must change when sending a card back to draft": "approval.error.reason",
    "Give the version a name.": "versions.error.name",
    "Each role and kind appears once; raise its count instead.": "policy_page.error.duplicate",
    "This card has no such version.": "versions.error.not_found",
    "No such sign-off.": "error.not_found",
}
# Messages that depend on a limit or a status, by the field they name.
FIELD_MESSAGES = {
    "content_hash": "approval.error.hash_format", "note": "approval.error.note_long",
    "reason": "approval.error.reason_long", "status": "approval.error.status",
    "since": "audit.error.date", "until": "audit.error.date", "user": "audit.error.user",
}
REFUSED = re.compile(r"refused \((policy\.[a-z_]+)\)")
PARTY_FIELD = re.compile(r"parties\[(\d+)\](?:\.(role|kind|count))?$")


def message_for(exc: ServiceError, rows: list[int] | None = None) -> str:
    """What to tell the person about `exc`, in their language where we have the words.

    `rows`: for the policy form, the form row each submitted party came from (to name it).
    """
    if isinstance(exc, workflow.CriteriaFailing):
        return translate("approval.error.criteria", n=len(exc.criteria))
    refused = REFUSED.search(exc.message)
    if refused:
        return translate(refused.group(1))
    party = PARTY_FIELD.match(exc.field or "")
    if party and exc.message not in MESSAGES:
        index = int(party.group(1))
        row = (rows[index] if rows and index < len(rows) else index) + 1
        return translate(f"policy_page.error.{party.group(2) or 'party'}", n=row, max=approval_policy.MAX_COUNT)
    if exc.message in MESSAGES:
        return translate(MESSAGES[exc.message])
    if exc.field == "parties":
        return translate("policy_page.error.parties", max=approval_policy.MAX_PARTIES)
    if exc.field in FIELD_MESSAGES:
        return translate(FIELD_MESSAGES[exc.field])
    return readable_message(exc)


@views.app_template_filter("utc")
def _utc(value: datetime | None) -> str:
    """A stored (naive, UTC) time as "2026-11-14 09:30 UTC"."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _card(card_id: int) -> Card:
    card = _get(Card, card_id)
    _require("card.view", card)
    return card


def _short(value: Any) -> str:
    return value[:HASH_SHOWN] if isinstance(value, str) else ""


# --- the card page's approval section ---------------------------------------------------

def card_approval(session: Session, user: User, card: Card, shown_hash: str, criteria: list[dict[str, Any]],
                  error: str | None = None, form: dict[str, str] | None = None) -> dict[str, Any]:
    """What the card page's approval section shows and which of its forms this person gets."""
    state = workflow.standing(session, documents(current_app), card, shown_hash)
    may_sign = policy.allowed(session, user, "card.signoff", card)
    sign_roles = signoff_service.signing_roles(session, user, card) if may_sign else []
    unmet = {r.party.role for r in state["requirements"] if not r.met}
    history = list(reversed(signoff_service.history(session, card)))
    return {
        "hash": shown_hash,
        "requirements": state["requirements"],
        "signoffs": [_signoff_row(s, shown_hash, user, card) for s in history],
        "blocking": state["blocking"],
        "can_submit": policy.allowed(session, user, "card.submit", card),
        "failing": [c for c in criteria if not c["passed"]],
        "sign_roles": sign_roles,
        "best_role": next((r for r in sign_roles if r in unmet), sign_roles[0] if sign_roles else None),
        "can_request_changes": policy.allowed(session, user, "card.request_changes", card),
        "can_audit": policy.allowed(session, user, "plan.audit", card.plan),
        "can_publish": policy.allowed(session, user, "card.publish", card),
        "publication": publication.current(session, card),
        "versions": versions.recent(session, card, RECENT_VERSIONS),
        "error": error, "form": form or {},
    }


@views.get("/cards/<int:card_id>/approval")
@login_required
def card_approval_section(card_id: int):
    """The card page's approval section alone, as this person would see it on the page: what an
    open page puts in place of its own when a room event says sign-offs or versions changed."""
    card = _card(card_id)
    session, user = db.session(), load_user()
    content, _ = card_service.content_and_problems(documents(current_app), card)
    criteria = card_service.evaluate_criteria(session, card, content)
    html = render_template("_approval.html", card=card,
                           approval=card_approval(session, user, card, content_hash(content), criteria))
    return html, 200, {"Cache-Control": "no-store"}


def _signoff_row(signoff: Signoff, shown_hash: str, user: User, card: Card) -> dict[str, Any]:
    stale = signoff.active and signoff.content_hash != shown_hash
    return {"signoff": signoff, "current": signoff.active and not stale, "stale": stale,
            "withdrawn": signoff.withdrawn_at is not None,
            "replaced": signoff.replaced_at is not None and signoff.withdrawn_at is None,
            "mine": signoff.user_id == user.id and signoff.active and card.status == "in_review"}


def _act(card: Card, do: Any, done: str, change: str, form: dict[str, str] | None = None):
    """Run one workflow step from a page form: commit and go back to the card, or re-render it."""
    session = db.session()
    try:
        do(session, documents(current_app), load_user())
    except ServiceError as exc:
        session.rollback()
        return render_card(card, exc.status, message_for(exc), form)
    session.commit()
    workflow.announce(card, change)
    flash(translate(done), "ok")
    if card.status == "approved" and done == "approval.done.signed":
        flash(translate("approval.done.approved"), "ok")
    return redirect(url_for("views.card_page", card_id=card.id, _anchor="approval"))


@views.post("/cards/<int:card_id>/submit")
@login_required
def submit_card(card_id: int):
    check_csrf()
    card = _card(card_id)
    return _act(card, lambda s, d, u: workflow.submit(s, d, u, card), "approval.done.submitted", "version")


@views.post("/cards/<int:card_id>/sign")
@login_required
def sign_card(card_id: int):
    check_csrf()
    card = _card(card_id)
    form = {k: request.form.get(k, "") for k in ("decision", "note", "role", "content_hash")}
    data: dict[str, Any] = {"decision": form["decision"], "content_hash": form["content_hash"], "note": form["note"]}
    if form["role"]:
        data["role"] = form["role"]
    return _act(card, lambda s, d, u: signoff_service.sign(s, d, u, card, data), "approval.done.signed", "signed",
                form)


@views.post("/signoffs/<int:signoff_id>/withdraw")
@login_required
def withdraw_signoff(signoff_id: int):
    check_csrf()
    session, user = db.session(), load_user()
    try:
        signoff = signoff_service.find(session, user, signoff_id)
    except NotFound:
        abort(404, description=translate("error.not_found"))
    card = session.get(Card, signoff.card_id)
    return _act(card, lambda s, d, u: signoff_service.withdraw(s, d, u, signoff), "approval.done.withdrawn",
                "withdrawn")


@views.post("/cards/<int:card_id>/request-changes")
@login_required
def request_card_changes(card_id: int):
    check_csrf()
    card = _card(card_id)
    form = {"reason": request.form.get("reason", "")}
    return _act(card, lambda s, d, u: workflow.request_changes(s, d, u, card, form["reason"]),
                "approval.done.changes_requested", "version", form)


# --- versions and the diff --------------------------------------------------------------

def _signoffs_by_version(session: Session, card: Card) -> dict[int, list[Signoff]]:
    out: dict[int, list[Signoff]] = {}
    for s in signoff_service.history(session, card):
        if s.version_id is not None:
            out.setdefault(s.version_id, []).append(s)
    return out


def _versions_page(card: Card, status: int = 200, error: str | None = None, name: str = ""):
    session, user = db.session(), load_user()
    return render_template(
        "versions.html", card=card, plan=card.plan, versions=versions.listing(session, card),
        signed=_signoffs_by_version(session, card),
        current_hash=card_service.current_hash(documents(current_app), card),
        can_save=policy.allowed(session, user, "card.save_version", card), error=error, name=name), status


@views.route("/cards/<int:card_id>/versions", methods=["GET", "POST"])
@login_required
def card_versions(card_id: int):
    card = _card(card_id)
    if request.method == "GET":
        return _versions_page(card)
    check_csrf()
    session, name = db.session(), request.form.get("name", "")
    try:
        version = versions.save_named(session, documents(current_app), load_user(), card, name)
    except ServiceError as exc:
        session.rollback()
        return _versions_page(card, exc.status, message_for(exc), name)
    session.commit()
    live.approval_changed(card.id, "version")
    flash(translate("versions.saved", n=version.number), "ok")
    return redirect(url_for("views.card_versions", card_id=card.id))


def _version_page(card: Card, version: CardVersion, status: int = 200, error: str | None = None,
                  confirm: bool = False):
    session, user = db.session(), load_user()
    restore = policy.decide(session, user, "card.restore", card)
    # Those whose role restores, told why not now (the card is in review); others see nothing.
    could = any("card.restore" in policy.ROLE_ACTIONS[r] for r in policy.roles_of(session, user, card))
    return render_template(
        "version.html", card=card, plan=card.plan, version=version, template=template_of(card.plan),
        content=version.content, signoffs=_signoffs_by_version(session, card).get(version.id, []),
        can_restore=restore.allowed, restore_reason=translate(restore.reason) if could and not restore else None,
        error=error, confirm=confirm), status


@views.get("/cards/<int:card_id>/versions/<int:version_id>")
@login_required
def card_version(card_id: int, version_id: int):
    card = _card(card_id)
    return _version_page(card, _version(card, version_id))


@views.post("/cards/<int:card_id>/versions/<int:version_id>/restore")
@login_required
def restore_card_version(card_id: int, version_id: int):
    check_csrf()
    card = _card(card_id)
    session = db.session()
    version = _version(card, version_id)
    if request.form.get("confirm") != "yes":
        # The first button only asks: nothing changes until the second one says "yes".
        return _version_page(card, version, confirm=True)
    try:
        restored = versions.restore(session, documents(current_app), load_user(), card, version)
    except ServiceError as exc:
        session.rollback()
        return _version_page(card, version, exc.status, message_for(exc))
    session.commit()
    live.approval_changed(card.id, "version")
    flash(translate("versions.restored", n=version.number, new=restored.number), "ok")
    return redirect(url_for("views.card_page", card_id=card.id))


def _version(card: Card, version_id: int) -> CardVersion:
    try:
        return versions.get(db.session(), card, version_id)
    except NotFound:
        abort(404, description=translate("versions.error.not_found"))


def _version_arg(name: str, value: str, allow_current: bool) -> int | str:
    if allow_current and value == "current":
        return value
    if not value.isdigit() or not is_id(int(value)):
        raise Invalid(translate("diff.error.version"), field=name)
    return int(value)


@views.get("/cards/<int:card_id>/diff")
@login_required
def card_diff(card_id: int):
    card = _card(card_id)
    session = db.session()
    listed = versions.listing(session, card)
    wanted_from = request.args.get("from", str(listed[0].id) if listed else "")
    wanted_to = request.args.get("to", "current")
    page: dict[str, Any] = {"card": card, "plan": card.plan, "versions": listed, "wanted_from": wanted_from,
                            "wanted_to": wanted_to, "diff": None, "error": None, "old": None, "new": None}
    status = 200
    if listed:
        try:
            old, new = _version_arg("from", wanted_from, False), _version_arg("to", wanted_to, True)
            page["old"] = versions.get(session, card, old)
            page["new"] = None if new == "current" else versions.get(session, card, new)
            page["diff"] = versions.diff(session, documents(current_app), card, old, new)
        except ServiceError as exc:
            page["error"], status = message_for(exc), exc.status
    return render_template("diff.html", **page), status


# --- the plan's approval policy -----------------------------------------------------------

def _policy_page(plan: Plan, rows: list[dict[str, Any]], status: int = 200, error: str | None = None):
    session, user = db.session(), load_user()
    return render_template("approval_policy.html", plan=plan, rows=rows,
                           can_edit=policy.allowed(session, user, "plan.manage", plan),
                           roles=approval_policy.SIGNING_ROLES, kinds=ORGANISATION_KINDS,
                           max_count=approval_policy.MAX_COUNT, error=error), status


def _submitted_rows() -> list[dict[str, Any]]:
    rows = []
    for i in range(approval_policy.MAX_PARTIES * 2):
        if f"role-{i}" not in request.form:
            break
        rows.append({"role": request.form.get(f"role-{i}", ""), "kind": request.form.get(f"kind-{i}") or None,
                     "count": request.form.get(f"count-{i}", "").strip(),
                     "remove": bool(request.form.get(f"remove-{i}"))})
    return rows


@views.route("/plans/<int:plan_id>/approval-policy", methods=["GET", "POST"])
@login_required
def approval_policy_page(plan_id: int):
    plan = _get(Plan, plan_id)
    _require("plan.view", plan)
    if request.method == "GET":
        return _policy_page(plan, [p.as_json() for p in approval_policy.parties(plan)])
    check_csrf()
    _require("plan.manage", plan)
    rows = _submitted_rows()
    if request.form.get("action") == "add":
        return _policy_page(plan, [r for r in rows if r["role"] and not r["remove"]] + [{}])
    kept = [i for i, r in enumerate(rows) if r["role"] and not r["remove"]]
    parties = [{"role": rows[i]["role"], "kind": rows[i]["kind"],
                "count": int(rows[i]["count"]) if rows[i]["count"].isdigit() else rows[i]["count"]} for i in kept]
    session = db.session()
    try:
        approved = workflow.set_policy(session, documents(current_app), load_user(), plan, {"parties": parties})
    except ServiceError as exc:
        session.rollback()
        return _policy_page(plan, [r for r in rows if r["role"]], exc.status, message_for(exc, kept))
    session.commit()
    for card in approved:
        workflow.announce(card, "version")
    flash(translate("policy_page.saved"), "ok")
    if approved:
        numbers = ", ".join(str(c.number) for c in approved)
        flash(translate("policy_page.approved_now", n=len(approved), cards=numbers), "ok")
    return redirect(url_for("views.approval_policy_page", plan_id=plan.id))


# --- the audit log --------------------------------------------------------------------------

FILTERS = ("kind", "user", "since", "until")


def _audit_page(plan: Plan, card: Card | None):
    from ..api.approval import audit_query  # the API's filters, so the CSV link gives the same rows

    _require("plan.audit", plan)
    session = db.session()
    status, error, table = 200, None, []
    try:
        table = audit_query(plan, card)
    except ServiceError as exc:
        status, error = exc.status, message_for(exc)
    filters = {k: request.args.get(k, "") for k in FILTERS}
    chosen = {k: v for k, v in filters.items() if v}
    if card is None:
        csv_url = url_for("api.plan_audit_csv", plan_id=plan.id, **chosen)
    else:
        csv_url = url_for("api.card_audit", card_id=card.id, format="csv", **chosen)
    query = select(User.id, User.name).join(AuditEvent, AuditEvent.actor_id == User.id).where(
        AuditEvent.plan_id == plan.id)
    if card is not None:
        query = query.where(AuditEvent.card_id == card.id)
    actors = sorted(set(session.execute(query.distinct()).all()), key=lambda a: a[1])
    people = _people(session, table)
    rows = [{**row, "summary": summarise(row, g.get("lang", "ar"), plan, people)} for row in table]
    return render_template("audit.html", plan=plan, card=card, rows=rows, kinds=audit.kinds(session, plan),
                           actors=actors, filters=filters, csv_url=csv_url, error=error,
                           action_label=action_label), status


def _people(session: Session, table: list[dict[str, Any]]) -> dict[int, str]:
    """The names of the accounts the entries' details name (role changes)."""
    ids = {row["details"].get("user_id") for row in table if isinstance(row.get("details"), dict)}
    ids = {i for i in ids if isinstance(i, int)}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids or [0]))).all())


@views.get("/plans/<int:plan_id>/audit")
@login_required
def plan_audit(plan_id: int):
    plan = _get(Plan, plan_id)
    return _audit_page(plan, None)


@views.get("/cards/<int:card_id>/audit")
@login_required
def card_audit(card_id: int):
    card = _get(Card, card_id)
    return _audit_page(card.plan, card)


def action_label(action: str) -> str:
    """The action's label; an action without one shows its kind's ("role.x": role change) or its id."""
    for key in (f"audit.action.{action}", f"audit.action.{action.split('.')[0]}"):
        found = translate(key)
        if found != key:
            return found if key.endswith(action) else f"{found} ({action})"
    return action


def summarise(row: dict[str, Any], lang: str, plan: Plan, people: dict[int, str]) -> list[dict[str, Any]]:
    """An entry's details as short parts for the page: each a text, maybe a code, a name or a link.

    Parts are {"label": text before, "text": value, "as": "text" | "bdi" | "code" | "link", "href"}.
    """
    details = row.get("details") if isinstance(row.get("details"), dict) else {}
    action = row["action"]
    parts: list[dict[str, Any]] = []

    def add(label_key: str | None, text: Any, kind: str = "text", href: str | None = None) -> None:
        if text in (None, "", []):
            return
        parts.append({"label": translate(label_key) if label_key else "", "text": str(text)[:300], "as": kind,
                      "href": href})

    def status(value: Any) -> str:
        return translate(f"status.{value}") if value in workflow.STATUSES else str(value)

    if action == "card.status_changed":
        add(None, f"{status(details.get('previous'))} {translate('approval.arrow')} {status(details.get('status'))}")
        add("audit.detail.reason", details.get("reason"), "bdi")
    elif action in ("signoff.approve", "signoff.reject"):
        add("audit.detail.role", _role(details.get("role")))
        add("audit.detail.hash", _short(details.get("hash")), "code")
        add("audit.detail.note", details.get("note"), "bdi")
    elif action == "signoff.withdrawn":
        add("audit.detail.hash", _short(details.get("hash")), "code")
    elif action in ("version.recorded", "version.restored"):
        add("audit.detail.version", details.get("version"))
        if details.get("kind"):
            add("audit.detail.kind", translate(f"version_kind.{details['kind']}"))
        add("audit.detail.name", details.get("name") if details.get("kind") == "named" else "", "bdi")
        add("audit.detail.hash", _short(details.get("hash")), "code")
    elif action == "plan.approval_policy":
        add("audit.detail.policy", party_summary(details.get("policy")))
    elif action.startswith("thread."):
        thread = details.get("thread")
        card = row.get("card") or {}
        href = url_for("views.card_page", card_id=card["id"], _anchor=f"thread-{thread}") if card and thread else None
        add("audit.detail.thread", f"#{thread}" if thread else "", "link" if href else "text", href)
    elif action.startswith("criterion."):
        add("audit.detail.criterion", _criterion_label(plan, details.get("criterion"), lang))
    elif action == "card.created":
        add("audit.detail.number", details.get("number"))
    elif action == "card.updated":
        changes = details.get("changes")
        add("audit.detail.changes", ", ".join(sorted(changes)) if isinstance(changes, dict | list) else changes)
    elif action.startswith("role.") or action in ("invitation.created", "invitation.revoked", "password_reset.issued"):
        add("audit.detail.role", _role(details.get("role")))
        add("audit.detail.person", people.get(details.get("user_id")), "bdi")
    elif action == "export" or action.startswith("export."):
        add("audit.detail.format", details.get("format"), "code")
        add("audit.detail.language", details.get("lang"), "code")
    elif action == "card.imported":
        add("audit.detail.file", details.get("filename"), "bdi")
    else:
        for key, value in sorted(details.items())[:6]:
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                parts.append({"label": key, "text": str(value)[:120], "as": "bdi", "href": None})
    return parts


def _role(role: Any) -> str:
    return translate(f"role.{role}") if isinstance(role, str) and role else ""


def _criterion_label(plan: Plan, criterion: Any, lang: str) -> str:
    criteria = criteria_of(plan)
    for item in [*criteria.get("rules", []), *criteria.get("attestations", [])]:
        if item.get("id") == criterion:
            return item["label"].get(lang) or item["label"].get("en") or criterion
    return str(criterion or "")


def party_summary(data: Any) -> str:
    """"Lead × 1; Steering committee member (government) × 1; …" for a policy as stored."""
    found = data.get("parties") if isinstance(data, dict) else None
    if not isinstance(found, list):
        return ""
    out = []
    for party in found:
        if not isinstance(party, dict):
            continue
        kind = party.get("kind")
        side = translate(f"org_kind.{kind}") if kind else translate("approval.kind_any")
        out.append(f"{_role(party.get('role'))} ({side}) × {party.get('count', 1)}")
    return "; ".join(out)
