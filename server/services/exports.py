"""Gathering what the exporters need, and recording each export in the audit log.

The exporters (exports/) are pure: they take the template and plain content. This module is
the bridge: it reads cards' canonical content from their live documents, the plan's metadata
from the database and, for a review copy, the cards' comment threads from the review service.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import exports
from schemas import vocabulary

from ..content import canonical
from ..models import Card, Plan
from ..i18n import translate
from . import audit, offload, workflow
from . import cards as card_service
from . import threads as thread_service
from .errors import Invalid
from .plans import template_of

logger = logging.getLogger(__name__)
# A 40-card plan builds in about 0.2 s; these bound a runaway build, not a normal one.
PLAN_EXPORT_TIMEOUT = 120.0
PLAN_EXPORT_MEMORY = 1024 * 1024 * 1024

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import User


def check_lang(lang: Any) -> str:
    """`lang` if it is a language of the card (schemas.vocabulary's one check).

    Raises:
        Invalid: (422, field "lang") for any other value.
    """
    try:
        return vocabulary.check_language(lang)
    except vocabulary.UnsupportedLanguage as exc:
        raise Invalid(exc.message, field="lang") from None


def plan_bundle(documents: Documents, plan: Plan, cards: list[Card],
                signoffs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The plan as the plan exporters take it (exports/plan.py documents the shape)."""
    return plan_frame(plan, [_plan_card(documents, c) for c in cards], signoffs or [])


def plan_frame(plan: Plan, cards: list[dict[str, Any]], signoffs: list[dict[str, Any]]) -> dict[str, Any]:
    """The plan bundle around its card entries and sign-off annex (live or published ones)."""
    org = plan.coordinator_org
    return {
        "title": plan.titles(),
        "period": {"start": plan.period_start, "end": plan.period_end},
        "ministry": org.names() if org else {"ar": "", "fr": "", "en": ""},
        "final": plan.final,
        "date": date.today().isoformat(),
        "axes": [{"id": a.id, "number": a.number, "title": a.titles()} for a in plan.axes],
        "cards": cards,
        "signoffs": signoffs,
    }


def _plan_card(documents: Documents, card: Card) -> dict[str, Any]:
    """One card of the plan bundle; a card that cannot be read is an empty entry with an error."""
    entry: dict[str, Any] = {"id": card.id, "axis_id": card.axis_id, "status": card.status}
    try:
        entry["content"] = card_service.content(documents, card)
    except Exception as exc:
        logger.exception("Card %s could not be read for a plan export", card.id)
        entry["content"] = canonical.empty_content(template_of(card.plan), card_service.card_metadata(card))
        entry["error"] = f"{type(exc).__name__} (card {card.number})"
    return entry


def signoff_entries(session: Session, documents: Documents, cards: list[Card]) -> list[dict[str, Any]]:
    """The sign-off annex of `cards` (exports/plan.py documents the entry): each party's active
    sign-off, with whether it still holds for the card's content now."""
    entries = []
    for card in cards:
        try:
            state = workflow.standing(session, documents, card)
        except Exception:
            logger.exception("Card %s could not be read for the sign-off annex", card.id)
            continue
        counted = {s.id: r.party for r in state["requirements"] for s in r.signoffs}
        for signoff in state["active"]:
            party = counted.get(signoff.id)
            org = signoff.organisation
            entries.append({
                "card_number": card.number,
                "party": _party_label(party.role if party else signoff.role, party.kind if party else None),
                "name": signoff.user.name, "role": signoff.role,
                "organisation": org.names() if org else None, "decision": signoff.decision,
                "date": signoff.signed_at.date().isoformat(), "hash": signoff.content_hash,
                "current": signoff.content_hash == state["hash"],
            })
    return entries


def _party_label(role: str, kind: str | None) -> dict[str, str]:
    out = {}
    for lang in ("ar", "fr", "en"):
        label = translate(f"role.{role}", lang)
        out[lang] = f"{label} — {translate(f'org_kind.{kind}', lang)}" if kind else label
    return out


def read_word(template: dict[str, Any], data: bytes, max_bytes: int) -> exports.ImportResult:
    """Read card values from an uploaded Word file, in a child process with time and memory limits.

    The parse is pure Python: run in the request it would stop every other request of the gevent
    server meanwhile (server/services/offload.py).

    Raises:
        WordImportError: what the import found wrong with the file, or "too_complex" when the
            child went over its time or memory limit.
        OffloadError: ("failed") the child died without an answer.
    """
    try:
        found = offload.run("exports.word_import:import_docx", {"template": template, "max_bytes": max_bytes},
                            data=data, timeout=offload.IMPORT_TIMEOUT)
    except offload.ChildError as exc:
        if exc.kind == "WordImportError" and exc.attrs.get("code") in exports.WordImportError.CODES:
            raise exports.WordImportError(exc.attrs["code"], exc.attrs.get("message") or exc.message) from None
        raise
    except offload.OffloadError as exc:
        if exc.code in ("timeout", "memory"):
            raise exports.WordImportError(
                "too_complex", "The Word document is too complex to read within the server's limits; "
                               "remove pictures or unrelated pages, or copy the card into a new document.") from None
        raise
    return exports.ImportResult(values=found["values"], report=found["report"], comments=found.get("comments") or [],
                                card=found.get("card") or {})


def review_threads(session: Session, documents: Documents,
                   cards: list[Card]) -> dict[int, list[dict[str, Any]]]:
    """The comment threads a review copy carries: card id → threads in the API's shape.

    The one place exports read comment threads (docs/exports.md, "Review copy").
    """
    return thread_service.threads_for_export(session, documents, cards)


def build_plan_export(target: str, template: dict[str, Any], bundle: dict[str, Any], lang: str,
                      threads: dict[int, list[dict[str, Any]]] | None = None) -> Any:
    """Build a plan export ("exports:plan_docx", …) in a child process with a time limit.

    Args:
        threads: for a review copy (plan_docx only), card id → comment threads.

    Raises:
        ChildError: the exporter raised; `kind` names its class (PlanError, UnknownNodeError…).
        OffloadError: over the time or memory limit, or the child died.
    """
    kwargs: dict[str, Any] = {"template": template, "plan": bundle, "lang": lang}
    if threads is not None:
        # JSON to the child: the card ids become strings, which plan_docx accepts.
        kwargs["threads"] = threads
    return offload.run(target, kwargs, timeout=PLAN_EXPORT_TIMEOUT, memory=PLAN_EXPORT_MEMORY)


def record_export(session: Session, actor: User, fmt: str, lang: str | None, *,
                  plan: Plan | None = None, card: Card | None = None, cards: int | None = None,
                  comments: bool = False) -> None:
    details: dict[str, Any] = {"format": fmt, "lang": lang}
    if cards is not None:
        details["cards"] = cards
    if comments:
        details["comments"] = True
    audit.record(session, actor, "export", plan=plan, card=card, **details)


def record_import(session: Session, actor: User, card: Card, filename: str,
                  report: list[dict[str, Any]], comments: int = 0) -> None:
    mapped = sorted({r["field"] for r in report if r.get("status") == "mapped" and r.get("field")})
    details: dict[str, Any] = {"filename": filename[:200], "fields": mapped}
    if comments:
        details["comments"] = comments
    audit.record(session, actor, "card.imported", card=card, **details)


def template_for(card_or_plan: Card | Plan) -> dict[str, Any]:
    return template_of(card_or_plan.plan if isinstance(card_or_plan, Card) else card_or_plan)
