"""The public site: a plan, its published cards, their versions, the consultation and its report.

Every page is built from services/public_view.py and answered through caching.conditional
(ETag, Last-Modified, 304). The contribution form posts here; a refusal re-renders the card's
page with the message in the visitor's language and what they wrote kept in the form.
"""
from __future__ import annotations

import csv
import io
import json
from functools import partial
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from flask import Response, current_app, g, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from exports import report_docx

from .. import db
from ..api.downloads import CARD_WRITERS, MEDIA, _plan_writer, _write
from ..i18n import translate
from ..models import Card, Contribution, Plan
from ..services import consultation as consultation_service, mail, public_view, publication
from ..services.errors import NotFound, ServiceError
from ..services.plans import template_of
from . import caching, public
from .urls import public_url

MAX_FORM_BYTES = 64 * 1024  # far above the longest contribution, far below a flood
CONFIRM_MAX_AGE = 7 * 24 * 3600
FORM_FIELDS = ("name", "organisation", "email", "body", "field", "consent")


def _page(template: str, **context: Any) -> str:
    return render_template(template, public_url=public_url, **context)


def _session():
    return db.session()


@public.get("/public/")
def index():
    plans = []
    for plan in _session().scalars(select(Plan).order_by(Plan.id)):
        try:
            public_view.public_plan(_session(), plan.id)
        except NotFound:
            continue
        plans.append(plan)
    return render_template("public/index.html", plans=plans, public_url=public_url)


@public.get("/public/plans/<int:plan_id>")
def plan_page(plan_id: int):
    plan = public_view.public_plan(_session(), plan_id)
    return caching.conditional(plan, lambda: _page("public/plan.html",
                                                   view=public_view.plan_view(_session(), plan, g.lang)))


@public.get("/public/cards/<int:card_id>")
def card_page(card_id: int):
    card, pub = public_view.public_card(_session(), card_id)
    return caching.conditional(card.plan, lambda: _card_page(card, pub))


def _card_page(card: Card, pub: Any, form: dict[str, Any] | None = None, error: ServiceError | None = None) -> str:
    view = public_view.card_view(_session(), card, pub, g.lang)
    return _page("public/card.html", view=view, form=form or {}, error=error,
                 sent=request.args.get("sent") == "1", page_endpoint="public.card_page")


@public.get("/public/cards/<int:card_id>/versions/<int:number>")
def version_page(card_id: int, number: int):
    card, current = public_view.public_card(_session(), card_id)
    pub = publication.numbered(_session(), card, number)

    def build() -> str:
        view = public_view.card_view(_session(), card, pub, g.lang)
        return _page("public/version.html", view=view, current=current)
    return caching.conditional(card.plan, build)


@public.get("/public/cards/<int:card_id>/diff")
def diff_page(card_id: int):
    card, current = public_view.public_card(_session(), card_id)
    listed = publication.listing(_session(), card)
    old = request.args.get("from") or (str(listed[-2].number) if len(listed) > 1 else "1")
    new = request.args.get("to") or str(current.number)
    difference = publication.public_diff(_session(), card, old, new)
    return caching.conditional(card.plan, lambda: _page(
        "public/diff.html", card=card, plan=card.plan, diff=difference, old=old, new=new, versions=listed,
        title=public_view.card_view(_session(), card, current, g.lang)["title"]))


@public.get("/public/cards/<int:card_id>/card.<fmt>")
def card_download(card_id: int, fmt: str):
    if fmt not in MEDIA:
        raise NotFound("No such format.")
    card, pub = public_view.public_card(_session(), card_id)
    writer = CARD_WRITERS[fmt]
    if fmt in ("docx", "md"):
        writer = partial(writer, signoffs=public_view.signoff_entries(_session(), pub))
    response = caching.conditional(card.plan, lambda: _write(writer, template_of(card.plan), pub.version.content,
                                                             g.lang), MEDIA[fmt].split(";")[0])
    return _attachment(response, f"card-{card.number}-v{pub.number}-{g.lang}.{fmt}")


@public.get("/public/plans/<int:plan_id>/plan.<fmt>")
def plan_download(plan_id: int, fmt: str):
    if fmt not in MEDIA:
        raise NotFound("No such format.")
    plan = public_view.public_plan(_session(), plan_id)
    bundle = partial(public_view.bundle, _session(), plan)
    response = caching.conditional(plan, lambda: _write(_plan_writer(fmt), template_of(plan), bundle(), g.lang),
                                   MEDIA[fmt].split(";")[0])
    return _attachment(response, f"plan-{plan.id}-{g.lang}.{fmt}")


def _attachment(response: Response, name: str) -> Response:
    if response.status_code == 200:
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- the consultation -----------------------------------------------------------------------------

@public.get("/public/plans/<int:plan_id>/report")
def report_page(plan_id: int):
    plan = public_view.public_plan(_session(), plan_id)
    return caching.conditional(plan, lambda: _page("public/report.html", plan=plan,
                                                   report=public_view.report(_session(), plan)))


@public.get("/public/plans/<int:plan_id>/report.<fmt>")
def report_download(plan_id: int, fmt: str):
    plan = public_view.public_plan(_session(), plan_id)
    if fmt == "csv":
        build, mimetype = (lambda: report_csv(public_view.report(_session(), plan), g.lang)), "text/csv"
    elif fmt == "docx":
        build, mimetype = (lambda: report_docx(public_view.report(_session(), plan), g.lang)), MEDIA["docx"]
    else:
        raise NotFound("No such format.")
    return _attachment(caching.conditional(plan, build, mimetype), f"consultation-report-{plan.id}-{g.lang}.{fmt}")


def report_csv(report: dict[str, Any], lang: str) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the Arabic as UTF-8
    writer = csv.DictWriter(out, fieldnames=public_view.REPORT_COLUMNS)
    writer.writeheader()
    for row in public_view.report_rows(report, lang):
        # A cell starting with = + - @ would be a formula in a spreadsheet: kept as text.
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in row.items()})
    return out.getvalue()


def form_data() -> dict[str, Any]:
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    return {k: request.form.get(k, "") for k in (*FORM_FIELDS, "website")}


def too_large() -> bool:
    return (request.content_length or 0) > MAX_FORM_BYTES


def take(plan: Plan, card: Card | None, data: dict[str, Any]) -> Contribution:
    """Store a contribution (committed) and mail the confirmation link when SMTP is configured."""
    session = _session()
    contribution = consultation_service.contribute(session, current_app.config, plan, card, data,
                                                   request.remote_addr, g.lang)
    session.commit()
    if contribution.state == "unconfirmed":
        token = _serializer().dumps(contribution.id)
        link = public_url("public.confirm", token=token, lang=g.lang)
        mail.send(current_app.config, contribution.email, "Iltizam — تأكيد / confirmation",
                  f"{translate('public.confirm_mail', g.lang)}\n\n{link}\n")
    return contribution


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="contribution-confirm")


@public.post("/public/cards/<int:card_id>/contribute")
def contribute_on_card(card_id: int):
    card, pub = public_view.public_card(_session(), card_id)
    return _contribute(card.plan, card, pub)


@public.post("/public/plans/<int:plan_id>/contribute")
def contribute_on_plan(plan_id: int):
    return _contribute(public_view.public_plan(_session(), plan_id), None, None)


def _contribute(plan: Plan, card: Card | None, pub: Any):
    if too_large():
        return Response(translate("public.error.too_large", g.lang), status=413,
                        mimetype="text/plain")
    form = form_data()
    try:
        take(plan, card, form)
    except ServiceError as exc:
        _session().rollback()
        if card is None:
            body = _page("public/plan.html", view=public_view.plan_view(_session(), plan, g.lang), form=form,
                         error=exc, page_endpoint="public.plan_page")
        else:
            body = _card_page(card, pub, form, exc)
        return Response(body, status=exc.status, mimetype="text/html")
    target = (url_for("public.card_page", card_id=card.id, lang=g.lang, sent=1) if card else
              url_for("public.plan_page", plan_id=plan.id, lang=g.lang, sent=1))
    return redirect(target + "#contribute", code=303)


@public.get("/public/contributions/confirm/<token>")
def confirm(token: str):
    try:
        contribution_id = _serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except BadSignature:
        return render_template("public/message.html", message=translate("public.confirm_bad", g.lang),
                               public_url=public_url), 400
    contribution = _session().get(Contribution, contribution_id)
    if contribution is None:
        raise NotFound(translate("error.not_found", g.lang))
    consultation_service.confirm(_session(), contribution)
    _session().commit()
    return render_template("public/message.html", message=translate("public.confirmed", g.lang),
                           public_url=public_url)


# -- feeds and the sitemap --------------------------------------------------------------------------

@public.get("/public/plans/<int:plan_id>/feed.atom")
def feed(plan_id: int):
    plan = public_view.public_plan(_session(), plan_id)

    def build() -> str:
        entries = []
        current = publication.current_of(_session(), plan)
        for card_id, pub in sorted(current.items(), key=lambda item: item[1].published_at, reverse=True):
            title = public_view.card_title(pub)
            entries.append({"id": public_url("public.card_page", card_id=card_id), "title": title,
                            "updated": pub.published_at.isoformat(timespec="seconds") + "Z",
                            "summary": public_view.card_summary(pub), "version": pub.number})
        updated = entries[0]["updated"] if entries else plan.created_at.isoformat(timespec="seconds") + "Z"
        return render_template("public/feed.xml", plan=plan, entries=entries, updated=updated,
                               public_url=public_url, esc=xml_escape)
    return caching.conditional(plan, build, "application/atom+xml")


@public.get("/sitemap.xml")
def sitemap():
    urls: list[tuple[str, str]] = []
    for plan in _session().scalars(select(Plan).order_by(Plan.id)):
        if plan.stage == "drafting" and not publication.any_published(_session(), plan):
            continue
        current = publication.current_of(_session(), plan)
        for lang in ("ar", "fr", "en"):
            urls.append((public_url("public.plan_page", plan_id=plan.id, lang=lang), ""))
        for card_id, pub in current.items():
            for lang in ("ar", "fr", "en"):
                urls.append((public_url("public.card_page", card_id=card_id, lang=lang),
                             pub.published_at.date().isoformat()))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, modified in urls:
        lines.append(f"  <url><loc>{xml_escape(loc)}</loc>"
                     + (f"<lastmod>{modified}</lastmod>" if modified else "") + "</url>")
    lines.append("</urlset>")
    return Response("\n".join(lines) + "\n", mimetype="application/xml")


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
