"""Word import: a .docx becomes a new card of the plan (the rules in services/imports.py)."""
from __future__ import annotations

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


@api.post("/plans/<int:plan_id>/import")
def import_card(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("card.create", plan)
    upload = request.files.get("file")
    if upload is None:
        raise with_reason(Invalid("send the Word file as the multipart field 'file'", field="file"),
                          "import.error.no_file")
    try:
        card, report, comments = import_service.import_card(db.session(), documents(), user(), plan,
                                                            upload.read(import_service.MAX_UPLOAD + 1),
                                                            upload.filename or "", request.form)
    except exports.WordImportError as exc:
        raise with_reason(ApiError(413 if exc.code == "too_large" else 422, exc.code, exc.message, field="file"),
                          f"import.error.{exc.code}") from None
    except offload.OffloadError as exc:
        raise with_reason(ApiError(503, "import_failed", exc.message, field="file"), "import.error.failed") from None
    db.session().commit()
    # Worded in the reader's interface language: field labels, never field ids.
    report = import_service.worded_report(export_service.template_for(plan), report, g.lang)
    return {"card": serialize.card(card), "report": report, "comments": comments}, 201
