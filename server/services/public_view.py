"""What the public side shows, as plain data: the pages, the public API and the downloads read it.

Everything here comes from publications (the frozen version each points at), published
contributions and the plan's own public facts (titles, period, stage, consultation window).
Nothing reads a card's live document, its threads, its reviewers or an unpublished version:
a plan or card with nothing published is NotFound, whoever asks.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select

from ..content.canonical import plain_text
from ..i18n import translate
from ..models import OUTCOMES, Card, Consultation, Contribution, Plan, Publication
from . import access, consultation as consultation_service, exports as export_service, plan_lifecycle, publication
from .errors import NotFound
from .plans import template_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

NOT_FOUND = "error.not_found"


def _stamp(value: datetime | None) -> str:
    return value.isoformat() + "Z" if value else ""


def public_plan(session: Session, plan_id: Any) -> Plan:
    """A plan the public may read: one with a published card, or past drafting.

    Raises:
        NotFound: any other id, whether a plan or not.
    """
    plan = access.get(session, Plan, plan_id, translate(NOT_FOUND))
    if plan.stage == "drafting" and not publication.any_published(session, plan):
        raise NotFound(translate(NOT_FOUND))
    return plan


def public_card(session: Session, card_id: Any) -> tuple[Card, Publication]:
    """A card with a current publication, and that publication (else NotFound)."""
    card = access.get(session, Card, card_id, translate(NOT_FOUND))
    published = publication.current(session, card)
    if published is None:
        raise NotFound(translate(NOT_FOUND))
    return card, published


# The public fingerprint's queries, built once: a conditional request runs them and nothing else.
_PUBLICATIONS = (select(func.count(Publication.id), func.max(Publication.id), func.max(Publication.published_at),
                        func.max(Publication.withdrawn_at))
                 .join(Card, Card.id == Publication.card_id).where(Card.plan_id == bindparam("plan")))
_CONTRIBUTIONS = (select(func.count(Contribution.id), func.max(Contribution.moderated_at),
                         func.max(Contribution.answered_at))
                  .where(Contribution.plan_id == bindparam("plan")))
_CONSULTATION = (select(Consultation.id, Consultation.opens_at, Consultation.closes_at, Consultation.closed_at,
                        Consultation.created_at)
                 .where(Consultation.plan_id == bindparam("plan")).order_by(Consultation.id.desc()).limit(1))


def state_key(session: Session, plan: Plan) -> tuple[str, datetime | None]:
    """A fingerprint of everything the plan's public pages show, and when it last changed.

    Cheap (three small queries): conditional requests are answered from it without building
    the page. Whatever a public page shows must move it; the consultation's state (scheduled,
    open, closed) is computed from its dates, so the fingerprint moves when the window does.
    """
    params = {"plan": plan.id}
    pubs = session.execute(_PUBLICATIONS, params).one()
    contribs = session.execute(_CONTRIBUTIONS, params).one()
    consult = session.execute(_CONSULTATION, params).first()
    if consult is None:
        window: tuple[Any, ...] = ("none",)
    else:  # the row has the dates state() reads
        window = (consult.id, _stamp(consult.closes_at), _stamp(consult.closed_at),
                  consultation_service.state(consult))
    parts = [plan.id, plan.title_ar, plan.title_fr, plan.title_en, plan.period_start, plan.period_end, plan.stage,
             len(plan.stage_history or []), plan.final, plan.council_reference, plan.council_decision_date,
             *map(str, pubs), *map(str, contribs), *window]
    key = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    moments = [m for m in (pubs[2], pubs[3], contribs[1], contribs[2], consult.created_at if consult else None,
                           consult.closed_at if consult else None, plan.created_at) if m is not None]
    return key, max(moments) if moments else None


def _title(content: dict[str, Any]) -> str:
    return plain_text(content.get("fields", {}).get("title", "")) or ""


def card_title(pub: Publication) -> str:
    content = pub.version.content
    return f"{content.get('card', {}).get('number', '')} — {_title(content)}"


def card_summary(pub: Publication) -> str:
    return plain_text(pub.version.content.get("fields", {}).get("summary", "")) or ""


def _names(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return value.get(lang) or value.get("fr") or value.get("ar") or ""
    return value or ""


def plan_view(session: Session, plan: Plan, lang: str) -> dict[str, Any]:
    """The plan page: titles, period, axes with their published cards, timeline, consultation."""
    current = publication.current_of(session, plan)
    counts = consultation_service.counts(session, plan)
    by_axis: dict[int | None, list[dict[str, Any]]] = {}
    cards = {c.id: c for c in plan.cards}
    for card_id, pub in current.items():
        content = pub.version.content
        meta = pub.version.metadata_ or {}
        row = {"id": card_id, "number": content.get("card", {}).get("number") or cards[card_id].number,
               "title": _title(content), "lead": _names(content.get("card", {}).get("lead"), lang),
               "co_lead": _names(content.get("card", {}).get("co_lead"), lang),
               "version": pub.number, "published_at": pub.published_at, "contributions": counts.get(card_id, 0)}
        by_axis.setdefault(meta.get("axis_id"), []).append(row)
    for rows in by_axis.values():
        rows.sort(key=lambda r: [int(p) if p.isdigit() else p for p in str(r["number"]).split(".")])
    axes = [{"id": a.id, "number": a.number, "title": a.title(lang), "cards": by_axis.pop(a.id, [])}
            for a in plan.axes]
    loose = [row for rows in by_axis.values() for row in rows]
    if loose:
        axes.append({"id": None, "number": None, "title": translate("public.no_axis", lang), "cards": loose})
    consult = consultation_service.current(session, plan)
    return {"plan": plan, "title": plan.title(lang), "axes": axes, "count": len(current),
            "timeline": plan_lifecycle.timeline(plan), "consultation": consultation_view(consult),
            "contributions": [{"item": c, "html": consultation_service.body_html(c), "field_label": None}
                              for c in consultation_service.published(session, plan) if c.card_id is None]}


def consultation_view(consult: Consultation | None) -> dict[str, Any]:
    state = consultation_service.state(consult)
    if consult is None:
        return {"state": state}
    return {"state": state, "opens_at": consult.opens_at.date().isoformat(),
            "closes_on": consultation_service.last_day(consult).isoformat()}


def signatures(session: Session, pub: Publication, lang: str) -> list[dict[str, Any]]:
    """Who signed the published content: organisation, role and date, never a person's name or mail."""
    out = []
    for signoff in publication.signatures(session, pub):
        org = signoff.organisation
        out.append({"organisation": org.name(lang) if org else "", "role": signoff.role,
                    "role_label": translate(f"role.{signoff.role}", lang),
                    "date": signoff.signed_at.date().isoformat()})
    return out


def card_view(session: Session, card: Card, pub: Publication, lang: str) -> dict[str, Any]:
    """The card page: the published content, sign-offs, versions and published contributions."""
    plan = card.plan
    contributions = consultation_service.published(session, plan, card)
    fields = consultation_service.document_fields(plan)
    return {"card": card, "plan": plan, "publication": pub, "content": pub.version.content,
            "title": _title(pub.version.content), "template": template_of(plan),
            "signatures": signatures(session, pub, lang), "versions": publication.listing(session, card),
            "contributions": [{"item": c, "html": consultation_service.body_html(c),
                               "field_label": fields[c.field]["label"].get(lang) if c.field in fields else None}
                              for c in contributions],
            "consultation": consultation_view(consultation_service.current(session, plan)),
            "fields": [{"id": f["id"], "label": f["label"].get(lang)} for f in fields.values()]}


def signoff_entries(session: Session, pub: Publication) -> list[dict[str, Any]]:
    """The sign-off annex of one published version (exports/plan.py's entry): organisations and
    roles that approved exactly that content, never a person's name."""
    number = pub.version.content.get("card", {}).get("number")
    entries = []
    for signoff in publication.signatures(session, pub):
        names = signoff.organisation.names() if signoff.organisation else None
        entries.append({"card_number": number,
                        "party": {k: translate(f"role.{signoff.role}", k) for k in ("ar", "fr", "en")},
                        "name": (names or {}).get("fr", ""), "role": signoff.role, "organisation": names,
                        "decision": "approve", "date": signoff.signed_at.date().isoformat(),
                        "hash": signoff.content_hash, "current": True})
    return entries


def bundle(session: Session, plan: Plan) -> dict[str, Any]:
    """The plan as the plan exporters take it (exports/plan.py), from published versions only."""
    current = publication.current_of(session, plan)
    order = {c.id: i for i, c in enumerate(plan.cards)}
    cards, signoffs = [], []
    for card_id, pub in sorted(current.items(), key=lambda item: order.get(item[0], 0)):
        cards.append({"id": card_id, "axis_id": (pub.version.metadata_ or {}).get("axis_id"),
                      "status": "published", "content": pub.version.content})
        signoffs += signoff_entries(session, pub)
    return export_service.plan_frame(plan, cards, signoffs)


def report(session: Session, plan: Plan) -> dict[str, Any]:
    """The consultation report (exports/report_docx.py documents the shape): per axis and card,
    published contributions, their outcomes and answers."""
    current = publication.current_of(session, plan)
    fields = consultation_service.document_fields(plan)
    published = consultation_service.published(session, plan)

    def entry(c: Contribution) -> dict[str, Any]:
        return {"id": c.id, "name": c.name, "organisation": c.organisation, "date": c.created_at.date().isoformat(),
                "field": dict(fields[c.field]["label"]) if c.field in fields else None, "body": c.body,
                "outcome": c.outcome, "answer": c.answer,
                "answered_at": c.answered_at.date().isoformat() if c.answered_at else None}

    def outcomes(items: list[Contribution]) -> dict[str, int]:
        return {o: sum(1 for c in items if c.outcome == o) for o in OUTCOMES}

    by_card: dict[int | None, list[Contribution]] = {}
    for c in published:
        by_card.setdefault(c.card_id, []).append(c)
    axes = []
    for axis in plan.axes:
        rows = []
        for card in plan.cards:
            pub = current.get(card.id)
            if pub is None or (pub.version.metadata_ or {}).get("axis_id") != axis.id:
                continue
            items = by_card.get(card.id, [])
            rows.append({"id": card.id, "number": pub.version.content.get("card", {}).get("number") or card.number,
                         "title": _title(pub.version.content), "count": len(items), "outcomes": outcomes(items),
                         "contributions": [entry(c) for c in items]})
        axes.append({"number": str(axis.number), "title": axis.titles(), "cards": rows})
    consult = consultation_service.current(session, plan)
    view = consultation_view(consult)
    return {
        "plan": {"title": plan.titles(),
                 "period": {"start": plan.period_start, "end": plan.period_end}},
        "consultation": ({"opens_at": view["opens_at"], "closes_at": view["closes_on"], "state": view["state"]}
                         if consult else None),
        "generated": date.today().isoformat(),
        "totals": {"contributions": len(published), "answered": sum(1 for c in published if c.outcome),
                   "outcomes": outcomes(published)},
        "plan_wide": [entry(c) for c in by_card.get(None, [])],
        "axes": axes,
    }


REPORT_COLUMNS = ("axis", "card", "card_title", "field", "contribution", "name", "organisation", "date",
                  "body", "outcome", "answer", "answered_at")


def report_rows(data: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The report as CSV rows, one per contribution."""
    rows = []

    def add(axis: str, card: dict[str, Any] | None, c: dict[str, Any]) -> None:
        rows.append({"axis": axis, "card": card["number"] if card else "", "card_title": card["title"] if card else "",
                     "field": (c["field"] or {}).get(lang, "") if c["field"] else "", "contribution": c["id"],
                     "name": c["name"], "organisation": c["organisation"], "date": c["date"], "body": c["body"],
                     "outcome": translate(f"outcome.{c['outcome']}", lang) if c["outcome"] else "",
                     "answer": c["answer"], "answered_at": c["answered_at"] or ""})

    for c in data["plan_wide"]:
        add("", None, c)
    for axis in data["axes"]:
        for card in axis["cards"]:
            for c in card["contributions"]:
                add(axis["number"], card, c)
    return rows
