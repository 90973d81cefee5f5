"""The public JSON API: read-only plan and card views, and contributing. No token, no cookie.

Every public object carries the `url` of its public page. Errors are the API's usual
`{"error", "message", "field"}`, with the message in the `lang` asked for (Arabic by default).
"""
from __future__ import annotations

from typing import Any

from flask import g

from .. import db
from ..i18n import translate
from ..models import Card, Contribution, Plan, Publication
from ..services import consultation as consultation_service, public_view
from ..services.errors import ServiceError
from . import caching, public
from .pages import form_data, json_response, take, too_large
from .urls import public_url

PREFIX = "/api/v1/public"


def _contribution(c: Contribution) -> dict[str, Any]:
    out = consultation_service.as_json(c)
    page = (public_url("public.card_page", card_id=c.card_id, lang=g.lang) if c.card_id else
            public_url("public.plan_page", plan_id=c.plan_id, lang=g.lang))
    out["url"] = f"{page}#contribution-{c.id}"
    return out


def _publication(card_id: int, pub: Publication) -> dict[str, Any]:
    return {"number": pub.number, "published_at": pub.published_at.isoformat(timespec="seconds") + "Z",
            "content_hash": pub.version.content_hash,
            "url": public_url("public.version_page", card_id=card_id, number=pub.number, lang=g.lang)}


@public.get(f"{PREFIX}/plans/<int:plan_id>")
def api_plan(plan_id: int):
    session = db.session()
    plan = public_view.public_plan(session, plan_id)

    def build() -> str:
        view = public_view.plan_view(session, plan, g.lang)
        data = {
            "id": plan.id, "title": plan.titles(),
            "period": {"start": plan.period_start, "end": plan.period_end}, "stage": plan.stage,
            "timeline": view["timeline"], "final": plan.final,
            "council": ({"decision_date": plan.council_decision_date, "reference": plan.council_reference}
                        if plan.stage == "adopted" else None),
            "consultation": view["consultation"],
            "axes": [{"number": a["number"], "title": a["title"], "cards": [
                {"id": c["id"], "number": c["number"], "title": c["title"], "lead": c["lead"],
                 "co_lead": c["co_lead"], "version": c["version"],
                 "published_at": c["published_at"].isoformat(timespec="seconds") + "Z",
                 "contributions": c["contributions"],
                 "url": public_url("public.card_page", card_id=c["id"], lang=g.lang)} for c in a["cards"]]}
                for a in view["axes"]],
            "contributions": [_contribution(c) for c in consultation_service.published(session, plan)
                              if c.card_id is None],
            "downloads": {fmt: public_url("public.plan_download", plan_id=plan.id, fmt=fmt, lang=g.lang)
                          for fmt in ("docx", "md", "json")},
            "report": public_url("public.report_page", plan_id=plan.id, lang=g.lang),
            "url": public_url("public.plan_page", plan_id=plan.id, lang=g.lang),
        }
        return json_response(data).get_data()
    return caching.conditional(plan, build, "application/json")


@public.get(f"{PREFIX}/cards/<int:card_id>")
def api_card(card_id: int):
    session = db.session()
    card, pub = public_view.public_card(session, card_id)

    def build() -> bytes:
        view = public_view.card_view(session, card, pub, g.lang)
        data = {
            "id": card.id, "plan_id": card.plan_id, "number": pub.version.content.get("card", {}).get("number"),
            "title": view["title"], "content": pub.version.content, "publication": _publication(card.id, pub),
            "versions": [_publication(card.id, p) for p in view["versions"]],
            "signoffs": view["signatures"], "consultation": view["consultation"],
            "contributions": [_contribution(c["item"]) for c in view["contributions"]],
            "plan_url": public_url("public.plan_page", plan_id=card.plan_id, lang=g.lang),
            "url": public_url("public.card_page", card_id=card.id, lang=g.lang),
        }
        return json_response(data).get_data()
    return caching.conditional(card.plan, build, "application/json")


@public.post(f"{PREFIX}/cards/<int:card_id>/contributions")
def api_contribute_card(card_id: int):
    card, _ = public_view.public_card(db.session(), card_id)
    return _contribute(card.plan, card)


@public.post(f"{PREFIX}/plans/<int:plan_id>/contributions")
def api_contribute_plan(plan_id: int):
    return _contribute(public_view.public_plan(db.session(), plan_id), None)


def _contribute(plan: Plan, card: Card | None):
    if too_large():
        return json_response({"error": "too_large", "message": translate("public.error.too_large", g.lang)}, 413)
    try:
        contribution = take(plan, card, form_data())
    except ServiceError:
        db.session().rollback()
        raise
    out = _contribution(contribution)
    out["state"] = contribution.state
    return json_response(out, 201)

