"""Downloads of a card or a whole plan (.docx, .md, .json).

The Word downloads take `comments=1` for the review copy: the same document with the cards'
comment threads as Word comments (docs/exports.md). Without it the copy for the Government
Council holds no comment at all.
"""
from __future__ import annotations

import json
import re
from functools import partial
from typing import Any
from collections.abc import Callable

from flask import Response, g, request

import exports

from .. import db
from ..models import Card, Plan
from ..services import cards as card_service
from ..services import exports as export_service
from ..services import offload
from ..services.errors import Invalid, with_reason
from . import api
from .helpers import ApiError, documents, lookup, require, user

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}
CARD_WRITERS: dict[str, Callable[..., Any]] = {
    "docx": exports.card_docx, "md": exports.card_markdown,
    "json": lambda t, c, lang, signoffs=None: json.dumps(exports.card_json(t, c, lang, signoffs),
                                                         ensure_ascii=False, indent=1)}
# Plan exports are built in a child process (server/services/offload.py): a large plan would
# otherwise hold the gevent server for every other request.
PLAN_TARGETS = {"docx": "exports:plan_docx", "md": "exports:plan_markdown", "json": "exports:plan_json"}
# Export errors as named 422 answers, most specific class first; never a 500.
EXPORT_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (exports.UnknownFieldTypeError, "template_not_exportable"),
    (exports.UnknownNodeError, "content_not_exportable"),  # also UnknownMarkError
    (exports.PlanError, "plan_not_exportable"),
    (exports.ExportError, "not_exportable"),
)


def _lang() -> str:
    return export_service.check_lang(request.args.get("lang") or g.get("lang") or "ar")


def _write(writer: Callable[..., Any], *args: Any) -> Any:
    """Run an exporter; its errors become named 4xx JSON answers.

    Raises:
        ApiError: 422 with a code from EXPORT_ERRORS, or "invalid" on field "lang".
    """
    try:
        return writer(*args)
    except exports.UnsupportedLanguage as exc:
        raise Invalid(exc.message, field="lang") from None
    except exports.ExportError as exc:
        code = next(code for kind, code in EXPORT_ERRORS if isinstance(exc, kind))
        raise with_reason(ApiError(422, code, str(exc)), "export.error.not_exportable") from None
    except offload.ChildError as exc:
        # The same mapping for an error raised in a child process, known there by its class name.
        kind = getattr(exports, exc.kind, None)
        if not (isinstance(kind, type) and issubclass(kind, exports.ExportError)):
            raise
        code = next(code for known, code in EXPORT_ERRORS if issubclass(kind, known))
        raise with_reason(ApiError(422, code, exc.message), "export.error.not_exportable") from None
    except offload.OffloadError as exc:
        transient = exc.code in ("failed", "busy")
        raise with_reason(ApiError(503 if transient else 422, f"export_{exc.code}", exc.message),
                          f"export.error.{exc.code if transient else 'too_big'}") from None


def _review_copy(fmt: str) -> bool:
    """Whether the request asks for the review copy (`comments=1`, Word only).

    Raises:
        Invalid: (field "comments") a value other than 0 or 1, or comments on another format.
    """
    value = request.args.get("comments", "")
    if value in ("", "0"):
        return False
    if value != "1":
        raise Invalid("comments must be 1 (the review copy) or 0", field="comments")
    if fmt != "docx":
        raise Invalid("comments=1 is for the Word export (.docx) only", field="comments")
    return True


def _plan_writer(fmt: str, threads: dict[int, list[dict[str, Any]]] | None = None) -> Callable[..., Any]:
    def write(template: dict[str, Any], bundle: dict[str, Any], lang: str) -> Any:
        data = export_service.build_plan_export(PLAN_TARGETS[fmt], template, bundle, lang, threads)
        return json.dumps(data, ensure_ascii=False, indent=1) if fmt == "json" else data
    return write


def _download(data: str | bytes, fmt: str, name: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", name)
    return Response(data, mimetype=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{safe}"',
                             "Cache-Control": "no-store"})


def export_card(card_id: int, fmt: str):
    card = lookup(Card, card_id, "card")
    require("card.export", card)
    lang = _lang()
    review = _review_copy(fmt)
    writer = CARD_WRITERS[fmt]
    if review:
        threads = export_service.review_threads(db.session(), documents(), [card]).get(card.id, [])
        writer = partial(exports.card_docx, threads=threads)
    if fmt in ("docx", "md", "json"):
        writer = partial(writer, signoffs=export_service.signoff_entries(db.session(), documents(), [card]))
    content = card_service.content(documents(), card)
    data = _write(writer, export_service.template_for(card), content, lang)
    export_service.record_export(db.session(), user(), fmt, lang, card=card, comments=review)
    db.session().commit()
    suffix = "-comments" if review else ""
    return _download(data, fmt, f"iltizam-card-{card.number}-{lang}{suffix}.{fmt}")


def export_plan(plan_id: int, fmt: str):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.export", plan)
    lang = _lang()
    review = _review_copy(fmt)
    cards = list(plan.cards)
    threads = export_service.review_threads(db.session(), documents(), cards) if review else None
    bundle = export_service.plan_bundle(documents(), plan, cards,
                                        export_service.signoff_entries(db.session(), documents(), cards))
    data = _write(_plan_writer(fmt, threads), export_service.template_for(plan), bundle, lang)
    export_service.record_export(db.session(), user(), fmt, lang, plan=plan, cards=len(bundle["cards"]),
                                 comments=review)
    db.session().commit()
    suffix = "-comments" if review else ""
    return _download(data, fmt, f"iltizam-plan-{plan.id}-{lang}{suffix}.{fmt}")


# One route per format, so each is its own documented operation.
for _fmt in MEDIA:
    api.add_url_rule(f"/cards/<int:card_id>/export.{_fmt}", f"export_card_{_fmt}", export_card,
                     defaults={"fmt": _fmt}, methods=["GET"])
    api.add_url_rule(f"/plans/<int:plan_id>/export.{_fmt}", f"export_plan_{_fmt}", export_plan,
                     defaults={"fmt": _fmt}, methods=["GET"])
