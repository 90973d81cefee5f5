"""Word import as a service: read the file (in a worker), create the card, keep the file's
comments as the card's comment threads, record it.

It takes plain values: the API module (server/api/imports.py) takes the upload and its form
apart; the rules (the size limit, the card's settings, the audit record) are here, so a page
or a script can import the same way.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import cards as card_service
from . import exports as export_service
from . import threads as thread_service

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import Card, Plan, User

MAX_UPLOAD = 10 * 1024 * 1024  # bytes of .docx accepted; the worker bounds what it unpacks


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
                filename: str, *, number: str | None = None, axis_id: int | None = None,
                lead_org_id: int | None = None, co_lead_org_id: int | None = None,
                ) -> tuple[Card, list[dict[str, Any]], dict[str, int]]:
    """Create a card of `plan` from a Word file, with the file's comments as its threads.

    Args:
        number, axis_id, lead_org_id, co_lead_org_id: the new card's settings, as for
            `cards.create_card` (None: the next number, no axis, no lead or co-lead).

    Returns:
        The new card (not committed), the import report, and the file's comments counted:
        {"found": in the file, "kept": made into threads}.

    Raises:
        exports.WordImportError: what is wrong with the file ("too_large" over MAX_UPLOAD).
        offload.OffloadError: the worker failed.
        Invalid, Conflict: the card's settings.
    """
    settings = {key: value for key, value in (("number", number), ("axis_id", axis_id),
                                              ("lead_org_id", lead_org_id), ("co_lead_org_id", co_lead_org_id))
                if value is not None}
    result = export_service.read_word(export_service.template_for(plan), data, max_bytes=MAX_UPLOAD)
    card = card_service.create_card(session, documents, actor, plan, {**settings, "fields": result.values})
    kept = keep_comments(session, documents, card, actor, result.comments)
    export_service.record_import(session, actor, card, filename, result.report, comments=kept)
    return card, result.report, {"found": len(result.comments), "kept": kept}
