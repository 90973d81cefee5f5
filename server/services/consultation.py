"""Public consultation on a plan (step م1.5): its window, what the public says, moderation, answers.

Anyone may contribute while a consultation is open: on a published card, on one field of it, or
on the plan as a whole. A contribution is pending until a moderator (coordinator, steering)
publishes or rejects it; when SMTP is configured it is first unconfirmed, until its sender
follows the link mailed to them. Published contributions are answered, with an outcome and a
reason, by the card's lead, co-lead or the coordinator ("you said, we did"). Counts shown to
anyone only ever include published contributions.

Messages raised here are in the visitor's language (`lang`): the public form shows them as is.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from schemas.vocabulary import text_problem

from .. import policy
from ..i18n import translate
from ..models import OUTCOMES, REJECT_REASONS, Card, Consultation, Contribution, Plan, utcnow
from ..review import bodies
from . import access, audit, plan_lifecycle, publication
from .errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from .plans import template_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import User

MAX_BODY = 5_000
MAX_NAME = 120
MAX_ORGANISATION = 200
MAX_EMAIL = 254
MAX_ANSWER = 5_000
MAX_NOTE = 1_000
MAX_WINDOW = timedelta(days=366)
# Contributions accepted per sender in RATE_WINDOW. An address is shared by a whole workshop room
# or ministry, so its bar is far higher than one e-mail address's.
RATE_WINDOW = timedelta(hours=1)
PER_ADDRESS = 30
PER_EMAIL = 5
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# Characters that reorder the text around them (embeddings, overrides, isolates): a name or a
# contribution never needs them, and they could make a page say what its author did not write.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
MODERATION = ("publish", "reject")


# -- the window --------------------------------------------------------------------------------

def state(consultation: Consultation | None, now: datetime | None = None) -> str:
    """"none", "scheduled", "open" or "closed"."""
    if consultation is None:
        return "none"
    now = now or utcnow()
    if consultation.closed_at is not None or now >= consultation.closes_at:
        return "closed"
    return "scheduled" if now < consultation.opens_at else "open"


def current(session: Session, plan: Plan) -> Consultation | None:
    """The plan's latest consultation (open, scheduled or closed), or None."""
    return session.scalars(select(Consultation).where(Consultation.plan_id == plan.id)
                           .order_by(Consultation.id.desc()).limit(1)).first()


def last_day(consultation: Consultation) -> date:
    """The last day on which one may contribute (the end is exclusive)."""
    end = consultation.closed_at or consultation.closes_at
    return (end - timedelta(microseconds=1)).date()


def _when(value: Any, field: str, end: bool = False) -> datetime:
    """A date (YYYY-MM-DD: the whole day counts, so an end date is included) or an ISO time, in UTC."""
    if not isinstance(value, str) or len(value) > 40:
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)", field=field)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time())
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)", field=field) from None
    if moment.tzinfo is not None:
        moment = (moment - moment.utcoffset()).replace(tzinfo=None)
    return moment


def manage(session: Session, actor: User, plan: Plan, data: dict[str, Any]) -> Consultation:
    """Open, extend or close the plan's consultation (`data["action"]`), audited.

    Raises:
        Forbidden: without plan.consult. Conflict: opening while one is open or scheduled,
            extending or closing when none is. Invalid: dates missing, reversed, past, too long.
    """
    access.require(session, actor, "plan.consult", plan)
    action = data.get("action")
    found, now = current(session, plan), utcnow()
    if action == "open":
        if state(found, now) in ("open", "scheduled"):
            raise Conflict("A consultation is already open or scheduled on this plan; extend or close it.")
        opens = _when(data["opens_at"], "opens_at") if data.get("opens_at") else now
        closes = _when(data.get("closes_at"), "closes_at", end=True)
        _check_window(opens, closes, now)
        found = Consultation(plan_id=plan.id, opens_at=opens, closes_at=closes, created_by_id=actor.id)
        session.add(found)
        session.flush()
        if plan.stage == "drafting":
            plan_lifecycle.enter(plan, "consultation")
    elif action == "extend":
        if found is None or found.closed_at is not None:
            raise Conflict("There is no consultation to extend; open one.")
        closes = _when(data.get("closes_at"), "closes_at", end=True)
        if closes <= found.closes_at:
            raise Invalid("An extension must end later than the consultation does now.", field="closes_at")
        _check_window(found.opens_at, closes, now)
        found.closes_at = closes
    elif action == "close":
        if state(found, now) not in ("open", "scheduled"):
            raise Conflict("There is no open consultation to close.")
        found.closed_at = now
    else:
        raise Invalid("action must be open, extend or close", field="action")
    audit.record(session, actor, f"consultation.{action}", plan=plan, consultation=found.id,
                 opens_at=found.opens_at.isoformat(), closes_at=found.closes_at.isoformat())
    return found


def _check_window(opens: datetime, closes: datetime, now: datetime) -> None:
    if closes <= opens:
        raise Invalid("The consultation must end after it opens.", field="closes_at")
    if closes <= now:
        raise Invalid("The end of the consultation must be in the future.", field="closes_at")
    if closes - opens > MAX_WINDOW:
        raise Invalid("A consultation lasts at most a year.", field="closes_at")


# -- contributing ------------------------------------------------------------------------------

def address_hash(secret: str, address: str | None) -> str:
    """A keyed hash of the sender's address: enough to count, never the address itself."""
    return hmac.new(secret.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


def _text(data: dict[str, Any], key: str, limit: int, lang: str, *, required: bool,
          multiline: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(translate("public.error.text", lang), field=key)
    value = value.strip()
    if required and not value:
        raise Invalid(translate(f"public.error.{key}_missing", lang), field=key)
    if len(value) > limit:
        raise Invalid(translate("public.error.too_long", lang, n=limit), field=key)
    if text_problem(value, multiline) is not None or BIDI_CONTROLS.search(value):
        raise Invalid(translate("public.error.characters", lang), field=key)
    return value


def _consented(value: Any) -> bool:
    return value is True or value in ("1", "on", "yes", "true")


def contribute(session: Session, config: dict[str, Any], plan: Plan, card: Card | None, data: dict[str, Any],
               address: str | None, lang: str) -> Contribution:
    """Take a contribution from the public on `card` (or on the plan when None).

    Raises:
        Conflict: the consultation is not open. NotFound: the card is not published.
        Invalid: what is wrong, in `lang`, naming the field (the form keeps what was written).
        RateLimited: the sender (address or e-mail) sent too many in the last hour.
    """
    consultation = current(session, plan)
    if state(consultation) != "open":
        raise Conflict(translate("public.error.closed", lang), field="consultation")
    published = None
    if card is not None:
        published = publication.current(session, card)
        if card.plan_id != plan.id or published is None:
            raise NotFound(translate("error.not_found", lang))
    if data.get("website"):
        # The honeypot: a field people never see, that form-filling robots fill in.
        raise Invalid(translate("public.error.robot", lang), field="website")
    field = data.get("field") or None
    if field is not None:
        if card is None or not isinstance(field, str) or field not in document_fields(plan):
            raise Invalid(translate("public.error.field", lang), field="field")
    name = _text(data, "name", MAX_NAME, lang, required=True)
    organisation = _text(data, "organisation", MAX_ORGANISATION, lang, required=False)
    email = _text(data, "email", MAX_EMAIL, lang, required=True).lower()
    if not EMAIL.match(email):
        raise Invalid(translate("public.error.email", lang), field="email")
    body = _text(data, "body", MAX_BODY, lang, required=True, multiline=True)
    if not _consented(data.get("consent")):
        raise Invalid(translate("public.error.consent", lang), field="consent")
    hashed = address_hash(config["SECRET_KEY"], address)
    since = utcnow() - RATE_WINDOW
    by_address = session.scalar(select(func.count(Contribution.id)).where(
        Contribution.address_hash == hashed, Contribution.created_at >= since))
    by_email = session.scalar(select(func.count(Contribution.id)).where(
        Contribution.email == email, Contribution.created_at >= since))
    if by_address >= PER_ADDRESS or by_email >= PER_EMAIL:
        raise RateLimited(translate("public.error.rate", lang))
    confirm = bool(config.get("SMTP_HOST"))
    contribution = Contribution(
        plan_id=plan.id, consultation_id=consultation.id, card_id=card.id if card else None, field=field,
        publication_id=published.id if published else None, name=name, organisation=organisation,
        email=email, body=body, lang=lang if lang in ("ar", "fr", "en") else "ar",
        state="unconfirmed" if confirm else "pending", address_hash=hashed,
        confirmed_at=None if confirm else utcnow())
    session.add(contribution)
    session.flush()
    return contribution


def document_fields(plan: Plan) -> dict[str, dict[str, Any]]:
    """The card fields one may contribute on: those the card's document holds, by id."""
    return {f["id"]: f for f in template_of(plan)["fields"] if f.get("source", "document") == "document"}


def confirm(session: Session, contribution: Contribution) -> bool:
    """The sender followed the mailed link: unconfirmed → pending. Whether it changed anything."""
    if contribution.state != "unconfirmed":
        return False
    contribution.state, contribution.confirmed_at = "pending", utcnow()
    return True


# -- moderation and answers ----------------------------------------------------------------------

def find(session: Session, actor: User, contribution_id: Any) -> Contribution:
    """A contribution the actor may see in the moderation queue (else NotFound, whoever asks)."""
    contribution = access.get(session, Contribution, contribution_id, "No such contribution.")
    plan = contribution_plan(session, contribution)
    if not policy.allowed(session, actor, "plan.view", plan):
        raise NotFound("No such contribution.")
    return contribution


def contribution_plan(session: Session, contribution: Contribution) -> Plan:
    return session.get(Plan, contribution.plan_id)


def moderate(session: Session, actor: User, contribution: Contribution, data: dict[str, Any]) -> Contribution:
    """Publish a pending contribution, or reject one (pending or published) with a reason."""
    plan = contribution_plan(session, contribution)
    access.require(session, actor, "plan.moderate", plan)
    decision = data.get("decision")
    if decision not in MODERATION:
        raise Invalid("decision must be publish or reject", field="decision")
    note = data.get("note", "") or ""
    if not isinstance(note, str) or len(note) > MAX_NOTE or text_problem(note) is not None:
        raise Invalid(f"note must be a text of at most {MAX_NOTE} characters", field="note")
    if decision == "publish":
        if contribution.state != "pending":
            raise Conflict(f"Only a pending contribution can be published (this one is {contribution.state}).")
        contribution.state, contribution.reject_reason = "published", None
    else:
        if contribution.state not in ("pending", "published"):
            raise Conflict(f"This contribution cannot be rejected (it is {contribution.state}).")
        reason = data.get("reason")
        if reason not in REJECT_REASONS:
            raise Invalid(f"reason must be one of {', '.join(REJECT_REASONS)}", field="reason")
        contribution.state, contribution.reject_reason = "rejected", reason
    contribution.moderation_note = note.strip()
    contribution.moderated_by_id, contribution.moderated_at = actor.id, utcnow()
    audit.record(session, actor, f"contribution.{decision}", plan=plan, contribution=contribution.id,
                 reason=contribution.reject_reason)
    return contribution


def answer(session: Session, actor: User, contribution: Contribution, data: dict[str, Any]) -> Contribution:
    """Answer a published contribution with an outcome and a reason (a later answer replaces it)."""
    plan = contribution_plan(session, contribution)
    if contribution.card_id is not None:
        access.require(session, actor, "card.answer", session.get(Card, contribution.card_id))
    else:
        access.require(session, actor, "plan.answer", plan)
    if contribution.state != "published":
        raise Conflict("Only a published contribution can be answered.")
    outcome = data.get("outcome")
    if outcome not in OUTCOMES:
        raise Invalid(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    text = data.get("answer")
    if not isinstance(text, str) or not text.strip():
        raise Invalid("Give the reason for this outcome.", field="answer")
    if len(text) > MAX_ANSWER or text_problem(text) is not None or BIDI_CONTROLS.search(text):
        raise Invalid(f"the answer must be a text of at most {MAX_ANSWER} characters, without control "
                      "or direction-override characters", field="answer")
    contribution.outcome, contribution.answer = outcome, text.strip()
    contribution.answered_by_id, contribution.answered_at = actor.id, utcnow()
    audit.record(session, actor, "contribution.answered", plan=plan, card_id=contribution.card_id,
                 contribution=contribution.id, outcome=outcome)
    return contribution


def may_moderate(session: Session, actor: User | None, plan: Plan) -> bool:
    return policy.allowed(session, actor, "plan.moderate", plan)


def queue(session: Session, actor: User, plan: Plan, state_: str | None) -> list[Contribution]:
    """The plan's contributions in `state_` (all when None). Who does not moderate sees only the
    published ones (the leads, to answer them)."""
    access.require(session, actor, "plan.view", plan)
    query = select(Contribution).where(Contribution.plan_id == plan.id)
    if not may_moderate(session, actor, plan):
        if state_ not in (None, "published"):
            raise Forbidden("Only moderators see contributions that are not published.")
        state_ = "published"
    if state_ is not None:
        query = query.where(Contribution.state == state_)
    return list(session.scalars(query.order_by(Contribution.id)))


def published(session: Session, plan: Plan, card: Card | None = None) -> list[Contribution]:
    """What the public sees: published contributions, on one card or (card None) the whole plan."""
    query = select(Contribution).where(Contribution.plan_id == plan.id, Contribution.state == "published")
    if card is not None:
        query = query.where(Contribution.card_id == card.id)
    return list(session.scalars(query.order_by(Contribution.id)))


def counts(session: Session, plan: Plan) -> dict[int | None, int]:
    """Card id (None: the plan as a whole) → its number of published contributions."""
    rows = session.execute(select(Contribution.card_id, func.count(Contribution.id)).where(
        Contribution.plan_id == plan.id, Contribution.state == "published").group_by(Contribution.card_id))
    return {card_id: n for card_id, n in rows}


def as_json(contribution: Contribution, *, private: bool = False) -> dict[str, Any]:
    """A contribution as the public sees it; `private` adds what moderators see (never to the public)."""
    out: dict[str, Any] = {
        "id": contribution.id, "card_id": contribution.card_id, "field": contribution.field,
        "name": contribution.name, "organisation": contribution.organisation, "body": contribution.body,
        "lang": contribution.lang, "created_at": contribution.created_at.isoformat() + "Z",
        "outcome": contribution.outcome, "answer": contribution.answer or None,
        "answered_at": contribution.answered_at.isoformat() + "Z" if contribution.answered_at else None,
    }
    if private:
        out.update({"state": contribution.state, "email": contribution.email,
                    "reject_reason": contribution.reject_reason, "moderation_note": contribution.moderation_note,
                    "publication_id": contribution.publication_id})
    return out


def body_html(contribution: Contribution) -> str:
    """The contribution's Markdown as safe HTML (raw HTML off, safe links only)."""
    return bodies.render(contribution.body, {})
