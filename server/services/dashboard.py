"""The plan dashboard's read model: one row per card, in a handful of queries for the whole plan.

Per card: the title, criteria passed, content problems, open threads, and where it stands
towards approval (sign-offs obtained of required, stale ones, blocking threads). Computing a
card's canonical content means reading and walking its whole document, so the content is kept
in a small in-process cache keyed by what changes it: the card's last stored update (and
compaction mark), its metadata and its template. A card edited a moment ago in a live room
shows on the next read after its update is stored — the dashboard is a summary; sign-offs
and submissions always read the live document.

A card that cannot be read degrades only its own row.
"""
from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import policy
from ..content import canonical, criteria as criteria_rules
from ..models import Attestation, Card, CardUpdate, CompactedState, RoleAssignment, Signoff, Thread
from . import approval_policy, cards as card_service
from .plans import criteria_of, template_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import Plan, User

log = logging.getLogger(__name__)

CACHE_SIZE = 512
# One cache per document source (each app, hence each database, has its own).
_caches: weakref.WeakKeyDictionary[Any, OrderedDict[int, tuple[tuple, Any]]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _stored_marks(session: Session, card_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per card: (last stored update id, compaction mark): any new edit changes one of them."""
    last = dict(session.execute(select(CardUpdate.card_id, func.max(CardUpdate.id))
                                .where(CardUpdate.card_id.in_(card_ids)).group_by(CardUpdate.card_id)).all())
    upto = dict(session.execute(select(CompactedState.card_id, CompactedState.upto)
                                .where(CompactedState.card_id.in_(card_ids))).all())
    return {cid: (last.get(cid) or 0, upto.get(cid) or 0) for cid in card_ids}


Cached = tuple[dict[str, Any], list[dict[str, str]], str]


def content_of(documents: Documents, card: Card, mark: tuple[int, int]) -> Cached:
    """(content, problems, hash) of `card`, from the cache while `mark` and the metadata hold."""
    meta = card_service.card_metadata(card)
    template = template_of(card.plan)
    key = (mark, repr(sorted(meta.items())), template["id"], template["version"])
    with _lock:
        cache = _caches.setdefault(documents, OrderedDict())
        hit = cache.get(card.id)
        if hit is not None and hit[0] == key:
            cache.move_to_end(card.id)
            return hit[1]
    content, problems = card_service.content_and_problems(documents, card)
    value = (content, problems, canonical.content_hash(content))
    with _lock:
        cache[card.id] = (key, value)
        cache.move_to_end(card.id)
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return value


def plan_rows(session: Session, documents: Documents, user: User, plan: Plan) -> list[dict[str, Any]]:
    """The dashboard's rows for `user`, in the plan's card order."""
    cards = list(session.scalars(select(Card).where(Card.plan_id == plan.id).order_by(Card.id).options(
        selectinload(Card.axis), selectinload(Card.lead_org), selectinload(Card.co_lead_org))))
    ids = [c.id for c in cards]
    held = _roles(session, user, plan)
    marks = _stored_marks(session, ids) if ids else {}
    attested = _attestations(session, ids)
    active = _grouped(session.scalars(select(Signoff).where(
        Signoff.card_id.in_(ids), Signoff.withdrawn_at.is_(None), Signoff.replaced_at.is_(None)).order_by(Signoff.id)))
    blocking = _grouped(session.scalars(select(Thread).where(
        Thread.card_id.in_(ids), Thread.blocking.is_(True), Thread.status == "open").order_by(Thread.id)))
    open_threads = dict(session.execute(select(Thread.card_id, func.count()).where(
        Thread.card_id.in_(ids), Thread.status == "open").group_by(Thread.card_id)).all())
    rows = []
    for card in cards:
        roles = held.get(None, set()) | held.get(card.id, set())
        row: dict[str, Any] = {"card": card, "can_view": policy.judge(roles, "card.view", card).allowed,
                               "title": "", "passed": 0, "total": 0, "problems": 0, "error": None,
                               "signoffs": None, "open_threads": open_threads.get(card.id, 0)}
        rows.append(row)
        try:
            content, problems, content_hash = content_of(documents, card, marks[card.id])
            results = _criteria(plan, content, content_hash, attested.get(card.id, {}))
        except Exception:
            log.exception("Card %s could not be read for the dashboard", card.id)
            row["error"] = "unreadable"
            continue
        mine = active.get(card.id, [])
        approvals = [s for s in mine if s.decision == "approve" and s.content_hash == content_hash]
        requirements = approval_policy.evaluate(plan, approvals)
        row.update(title=content["fields"].get("title", ""), passed=sum(r["passed"] for r in results),
                   total=len(results), problems=len(problems), signoffs={
                       "obtained": sum(min(len(r.signoffs), r.party.count) for r in requirements),
                       "required": sum(r.party.count for r in requirements),
                       "stale": sum(1 for s in mine if s.content_hash != content_hash),
                       "blocking": len(blocking.get(card.id, []))})
    return rows


# Keyed by everything the results depend on, so it may be shared by every app in the process.
_criteria_cache: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()


def _criteria(plan: Plan, content: dict[str, Any], content_hash: str,
              attested: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's criteria results; the same inputs (content, attestations, the plan's criteria,
    period and template) give the same results, so they are kept."""
    key = (content_hash, repr(sorted(attested.items())), repr(plan.criteria), plan.period_start, plan.period_end,
           plan.template_id, plan.template_version)
    with _lock:
        hit = _criteria_cache.get(key)
        if hit is not None:
            _criteria_cache.move_to_end(key)
            return hit
    results = criteria_rules.evaluate(
        criteria_of(plan), template_of(plan), content,
        {"period_start": plan.period_start, "period_end": plan.period_end},
        attested, frozenset(plan.criteria.get("disabled", [])))
    with _lock:
        _criteria_cache[key] = results
        while len(_criteria_cache) > CACHE_SIZE:
            _criteria_cache.popitem(last=False)
    return results


def _roles(session: Session, user: User, plan: Plan) -> dict[int | None, set[str]]:
    """The user's roles in the plan: None → plan roles, card id → that card's roles."""
    held: dict[int | None, set[str]] = {}
    for card_id, role in session.execute(select(RoleAssignment.card_id, RoleAssignment.role).where(
            RoleAssignment.user_id == user.id, RoleAssignment.plan_id == plan.id)):
        held.setdefault(card_id, set()).add(role)
    return held


def _attestations(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for a in session.scalars(select(Attestation).where(Attestation.card_id.in_(ids))):
        out.setdefault(a.card_id, {})[a.criterion] = {"user_id": a.user_id, "at": a.created_at.isoformat() + "Z"}
    return out


def _grouped(rows: Any) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for row in rows:
        out.setdefault(row.card_id, []).append(row)
    return out
