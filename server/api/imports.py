"""Word import: a .docx becomes a new card of the plan (the rules in services/imports.py).

This module takes the multipart request apart: the file, and the card settings its form may
carry; the service gets them as plain values.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Mapping

from flask import g, request

import exports

from .. import db
from ..models import Plan
from ..services import exports as export_service
from ..services import imports as import_service
from ..services import offload
from ..services.errors import Invalid, with_reason
from . import api, serialize
from .helpers import ApiError, documents, lookup, require, user

ID_FIELDS = ("axis_id", "lead_org_id", "co_lead_org_id")


def card_settings(form: Mapping[str, str]) -> dict[str, Any]:
    """The card settings an import form may carry (axis, lead, co-lead, number), as the service
    takes them; an empty or absent field is left out.

    Raises:
        Invalid: an id that is not a number.
    """
    settings: dict[str, Any] = {}
    for key in ID_FIELDS:
        value = form.get(key)
        if value:
            if not value.isdigit() or len(value) > 10:
                raise Invalid(f"{key} must be an id", field=key)
            settings[key] = int(value)
    if form.get("number"):
        settings["number"] = form["number"]
    return settings


@api.post("/plans/<int:plan_id>/import")
def import_card(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("card.create", plan)
    upload = request.files.get("file")
    if upload is None:
        raise with_reason(Invalid("send the Word file as the multipart field 'file'", field="file"),
                          "import.error.no_file")
    settings = card_settings(request.form)
    try:
        card, report, comments = import_service.import_card(
            db.session(), documents(), user(), plan, upload.read(import_service.MAX_UPLOAD + 1),
            upload.filename or "", **settings)
    except exports.WordImportError as exc:
        raise with_reason(ApiError(413 if exc.code == "too_large" else 422, exc.code, exc.message, field="file"),
                          f"import.error.{exc.code}") from None
    except offload.OffloadError as exc:
        raise with_reason(ApiError(503, "import_failed", exc.message, field="file"), "import.error.failed") from None
    db.session().commit()
    # Worded in the reader's interface language: field labels, never field ids.
    report = import_service.worded_report(export_service.template_for(plan), report, g.lang)
    return {"card": serialize.card(card), "report": report, "comments": comments}, 201
