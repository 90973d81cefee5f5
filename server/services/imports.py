"""Word import as a service: read the file (in a worker), create the card, keep the file's
comments as the card's comment threads, record it.

The API module only takes the upload apart; the rules (what the form may say, the size limit,
the audit record) are here, so a page or a script can import the same way.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections.abc import Mapping

from . import cards as card_service
from . import exports as export_service
from . import threads as thread_service
from .errors import Invalid

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import Card, Plan, User

MAX_UPLOAD = 10 * 1024 * 1024  # bytes of .docx accepted; the worker bounds what it unpacks
ID_FIELDS = ("axis_id", "lead_org_id", "co_lead_org_id")


def card_settings(form: Mapping[str, str]) -> dict[str, Any]:
    """The card settings an import form may carry (axis, lead, co-lead, number).

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


def keep_comments(session: Session, documents: Documents, card: Card, actor: User,
                  comments: list[dict[str, Any]]) -> int:
    """Make the Word comments of an imported file the new card's comment threads.

    Returns:
        How many comments (with their replies) were kept.
    """
    if not comments:
        return 0
    return thread_service.import_threads(session, documents, card, actor, comments,
                                         documents.read_in(session, card.id))


def import_card(session: Session, documents: Documents, actor: User, plan: Plan, data: bytes,
                filename: str, form: Mapping[str, str]) -> tuple[Card, list[dict[str, Any]], dict[str, int]]:
    """Create a card of `plan` from a Word file, with the file's comments as its threads.

    Returns:
        The new card (not committed), the import report, and the file's comments counted:
        {"found": in the file, "kept": made into threads}.

    Raises:
        exports.WordImportError: what is wrong with the file ("too_large" over MAX_UPLOAD).
        offload.OffloadError: the worker failed.
        Invalid, Conflict: the form's settings.
    """
    settings = card_settings(form)
    result = export_service.read_word(export_service.template_for(plan), data, max_bytes=MAX_UPLOAD)
    card = card_service.create_card(session, documents, actor, plan, {**settings, "fields": result.values})
    kept = keep_comments(session, documents, card, actor, result.comments)
    export_service.record_import(session, actor, card, filename, result.report, comments=kept)
    return card, result.report, {"found": len(result.comments), "kept": kept}
