"""Commitment cards: creation (with their one-time document seeding), metadata, content,
criteria and status changes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..content import canonical, criteria as criteria_rules, validation, write
from ..models import Attestation, Axis, Card, Organisation
from . import audit
from .errors import Conflict, Invalid, keyed
from .plans import criteria_of, template_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import Plan, User

# Which kinds of organisation may hold each side of a card.
LEAD_KINDS = ("government",)
CO_LEAD_KINDS = ("civil_society", "private_sector", "international")


def organisation_choices(session: Session) -> tuple[list[Organisation], list[Organisation]]:
    """The organisations that may lead a card and those that may co-lead one, by French name."""
    orgs = list(session.scalars(select(Organisation).order_by(Organisation.name_fr, Organisation.id)))
    return [o for o in orgs if o.kind in LEAD_KINDS], [o for o in orgs if o.kind in CO_LEAD_KINDS]


def _axis(session: Session, plan: Plan, axis_id: Any) -> Axis | None:
    if axis_id is None:
        return None
    axis = session.get(Axis, axis_id) if isinstance(axis_id, int) else None
    if axis is None or axis.plan_id != plan.id:
        raise keyed(Invalid, "cards.error.axis", field="axis_id")
    return axis


def _org(session: Session, org_id: Any, field: str, kinds: tuple[str, ...]) -> Organisation | None:
    if org_id is None:
        return None
    org = session.get(Organisation, org_id) if isinstance(org_id, int) else None
    if org is None:
        raise keyed(Invalid, "cards.error.organisation", field=field)
    if org.kind not in kinds:
        # The message names the side the form asks for, in the reader's words.
        raise keyed(Invalid, "cards.error.lead_kind" if kinds == LEAD_KINDS else "cards.error.co_lead_kind",
                    field=field)
    return org


def _number(session: Session, plan: Plan, value: Any, card: Card | None = None) -> str:
    if value is None:
        taken = set(session.scalars(select(Card.number).where(Card.plan_id == plan.id)))
        n = len(taken) + 1
        while str(n) in taken:
            n += 1
        return str(n)
    if not isinstance(value, (str, int)) or not str(value).strip() or len(str(value)) > 20:
        raise keyed(Invalid, "cards.error.number", field="number")
    value = str(value).strip()
    try:
        validation.check_text("number", value, multiline=False)
    except validation.FieldError:
        raise keyed(Invalid, "cards.error.number", field="number") from None
    clash = session.scalars(select(Card.id).where(Card.plan_id == plan.id, Card.number == value)).first()
    if clash is not None and (card is None or clash != card.id):
        raise keyed(Conflict, "cards.error.number_taken", field="number", number=value)
    return value


def next_number(session: Session, plan: Plan) -> str:
    """The number a new card of `plan` gets when none is given: what the creation form offers."""
    return _number(session, plan, None)


def create_card(session: Session, documents: Documents, actor: User, plan: Plan,
                data: dict[str, Any]) -> Card:
    """Create a card and seed its document in the same transaction; then fill `fields` if given."""
    card = Card(plan=plan, number=_number(session, plan, data.get("number")),
                axis=_axis(session, plan, data.get("axis_id")),
                lead_org=_org(session, data.get("lead_org_id"), "lead_org_id", LEAD_KINDS),
                co_lead_org=_org(session, data.get("co_lead_org_id"), "co_lead_org_id", CO_LEAD_KINDS),
                status="draft")
    template = template_of(plan)
    fields = data.get("fields") or {}
    try:
        validation.validate_fields(template, fields)
    except validation.FieldError as exc:
        raise Invalid(exc.message, field=exc.field) from None
    session.add(card)
    session.flush()
    documents.seed_new(session, card.id, template,
                       (lambda doc: write.write_fields(doc, template, fields)) if fields else None)
    audit.record(session, actor, "card.created", card=card, number=card.number)
    return card


def update_metadata(session: Session, actor: User, card: Card, data: dict[str, Any]) -> Card:
    changes: dict[str, Any] = {}
    if "number" in data:
        card.number = _number(session, card.plan, data["number"], card)
        changes["number"] = card.number
    if "axis_id" in data:
        card.axis = _axis(session, card.plan, data["axis_id"])
        changes["axis_id"] = data["axis_id"]
    if "lead_org_id" in data:
        card.lead_org = _org(session, data["lead_org_id"], "lead_org_id", LEAD_KINDS)
        changes["lead_org_id"] = data["lead_org_id"]
    if "co_lead_org_id" in data:
        card.co_lead_org = _org(session, data["co_lead_org_id"], "co_lead_org_id", CO_LEAD_KINDS)
        changes["co_lead_org_id"] = data["co_lead_org_id"]
    unknown = set(data) - {"number", "axis_id", "lead_org_id", "co_lead_org_id"}
    if unknown:
        raise Invalid(f"unknown card attribute {sorted(unknown)[0]}", field=sorted(unknown)[0])
    audit.record(session, actor, "card.updated", card=card, changes=changes)
    return card


def card_metadata(card: Card) -> dict[str, Any]:
    """The part of the canonical content that comes from the database, in every language."""
    return {
        "number": card.number,
        "axis": card.axis.titles() if card.axis else None,
        "lead": card.lead_org.names() if card.lead_org else None,
        "co_lead": card.co_lead_org.names() if card.co_lead_org else None,
    }


def content(documents: Documents, card: Card) -> dict[str, Any]:
    """The card's canonical content, computed from its live document."""
    return content_and_problems(documents, card)[0]


def content_from(doc: Any, card: Card) -> dict[str, Any]:
    """The canonical content of `doc`, a copy of the card's document."""
    return canonical.canonical_content(doc, template_of(card.plan), card_metadata(card))


def current_hash(documents: Documents, card: Card) -> str:
    """The SHA-256 of the card's canonical content now: what a sign-off must name."""
    return canonical.content_hash(content(documents, card))


def content_and_problems(documents: Documents, card: Card) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The card's canonical content and what had to be dropped or reshaped to compute it.

    Returns:
        (content, problems) as canonical.read_content gives them; problems is [] for a card
        holding only what its template allows.
    """
    doc = documents.read(card.id)
    return canonical.read_content(doc, template_of(card.plan), card_metadata(card))


def update_content(session: Session, documents: Documents, actor: User, card: Card,
                   values: dict[str, Any]) -> None:
    """Write field values into the card's document (validated first; all or nothing)."""
    template = template_of(card.plan)
    try:
        validation.validate_fields(template, values)
    except validation.FieldError as exc:
        raise Invalid(exc.message, field=exc.field) from None
    documents.edit(card.id, lambda doc: write.write_fields(doc, template, values))


def evaluate_criteria(session: Session, card: Card, content_: dict[str, Any]) -> list[dict[str, Any]]:
    plan = card.plan
    attested = {a.criterion: {"user_id": a.user_id, "at": a.created_at.isoformat() + "Z"}
                for a in session.scalars(select(Attestation).where(Attestation.card_id == card.id))}
    return criteria_rules.evaluate(criteria_of(plan), template_of(plan), content_,
                                   {"period_start": plan.period_start, "period_end": plan.period_end},
                                   attested, frozenset(plan.criteria.get("disabled", [])))


def attest(session: Session, actor: User, card: Card, criterion: str, value: bool) -> None:
    manual = {a["id"] for a in criteria_of(card.plan).get("attestations", [])}
    if criterion not in manual:
        raise keyed(Invalid, "cards.error.criterion", field="criterion")
    existing = session.scalars(select(Attestation).where(Attestation.card_id == card.id,
                                                         Attestation.criterion == criterion)).first()
    if value and existing is None:
        session.add(Attestation(card_id=card.id, criterion=criterion, user_id=actor.id))
    elif not value and existing is not None:
        session.delete(existing)
    audit.record(session, actor, "criterion.attested" if value else "criterion.withdrawn",
                 card=card, criterion=criterion)
