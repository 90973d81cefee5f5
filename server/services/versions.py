"""A card's versions: recorded at each step of the workflow and on request; compared; restored.

A version copies the whole document state (so it can be opened as it was) and its canonical
content and hash (so a sign-off can name exactly what it approved). Restoring never re-seeds:
the version's content is written as a new edit of the live document, after the present has
been saved as "before restore", so the history goes on and connected editors see it live.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pycrdt import Doc
from sqlalchemy import func, select
from sqlalchemy.orm import load_only, selectinload

from .. import policy
from ..content import canonical, diff as content_diff, validation, write
from ..models import Card, CardVersion, Organisation
from . import access, audit, cards as card_service
from .errors import Forbidden, Invalid, NotFound
from .plans import template_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import User

MAX_NAME = 200


def metadata_ids(card: Card) -> dict[str, Any]:
    return {"number": card.number, "axis_id": card.axis_id, "lead_org_id": card.lead_org_id,
            "co_lead_org_id": card.co_lead_org_id}


def record(session: Session, documents: Documents, actor: User | None, card: Card, kind: str,
           name: str = "", doc: Doc | None = None, content: dict[str, Any] | None = None) -> CardVersion:
    """Save the card as it is now (or as `doc` holds it) as a version of `kind`.

    `content`: `doc`'s canonical content, when the caller has just computed it.
    """
    doc = doc if doc is not None else documents.read(card.id)
    if content is None:
        content = card_service.content_from(doc, card)
    number = (session.scalar(select(func.max(CardVersion.number)).where(CardVersion.card_id == card.id)) or 0) + 1
    version = CardVersion(card_id=card.id, number=number, kind=kind, name=name, state=doc.get_update(),
                          content=content, content_hash=canonical.content_hash(content),
                          metadata_=metadata_ids(card), created_by_id=actor.id if actor else None)
    session.add(version)
    session.flush()
    audit.record(session, actor, "version.recorded", card=card, version=number, kind=kind, name=name,
                 hash=version.content_hash)
    return version


def save_named(session: Session, documents: Documents, actor: User, card: Card, name: Any) -> CardVersion:
    _require(session, actor, "card.save_version", card)
    if not isinstance(name, str) or not name.strip():
        raise Invalid("Give the version a name.", field="name")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise Invalid(f"A version's name is limited to {MAX_NAME} characters.", field="name")
    try:
        validation.check_text("name", name, multiline=False, limit=MAX_NAME)
    except validation.FieldError as exc:
        raise Invalid(exc.message, field="name") from None
    return record(session, documents, actor, card, "named", name)


def listing(session: Session, card: Card) -> list[CardVersion]:
    return list(session.scalars(select(CardVersion).where(CardVersion.card_id == card.id)
                                .order_by(CardVersion.id.desc())))


def recent(session: Session, card: Card, limit: int) -> list[CardVersion]:
    """The card's newest versions, newest first, without their document states and contents
    (a card page lists them on every load and every live change)."""
    return list(session.scalars(select(CardVersion).where(CardVersion.card_id == card.id)
                                .options(load_only(CardVersion.id, CardVersion.number, CardVersion.kind,
                                                   CardVersion.name, CardVersion.content_hash,
                                                   CardVersion.created_by_id, CardVersion.created_at),
                                         selectinload(CardVersion.created_by))
                                .order_by(CardVersion.id.desc()).limit(limit)))


def get(session: Session, card: Card, version_id: Any) -> CardVersion:
    version = access.get(session, CardVersion, version_id, "This card has no such version.")
    if version.card_id != card.id:
        raise NotFound("This card has no such version.")
    return version


def diff(session: Session, documents: Documents, card: Card, old: Any, new: Any) -> dict[str, Any]:
    """The per-field difference from version `old` to version `new` ("current": the live card)."""
    template = template_of(card.plan)
    before = get(session, card, old).content
    after = card_service.content(documents, card) if new == "current" else get(session, card, new).content
    return content_diff.diff(template, before, after)


def restore(session: Session, documents: Documents, actor: User, card: Card, version: CardVersion) -> CardVersion:
    """Write `version`'s content into the live card as a new edit; the present is kept first.

    Returns:
        The "restored" version recorded after the edit.
    """
    _require(session, actor, "card.restore", card)
    template = template_of(card.plan)
    values = version.content.get("fields", {})
    try:
        validation.validate_fields(template, values)
    except validation.FieldError as exc:
        # A version of an older template that no longer fits: say so rather than half-restore.
        raise Invalid(f"This version cannot be restored into the current template ({exc.message}).",
                      field=exc.field) from None
    before = documents.read(card.id)
    # The edit first, before this transaction writes anything: the document's store may need
    # the database's write lock (SQLite) that a pending version row would hold.
    documents.edit(card.id, lambda doc: write.write_fields(doc, template, values))
    record(session, documents, actor, card, "before_restore", doc=before)
    _restore_metadata(session, card, version.metadata_ or {})
    restored = record(session, documents, actor, card, "restored", f"{version.number}")
    audit.record(session, actor, "version.restored", card=card, version=version.number,
                 hash=version.content_hash)
    return restored


def _restore_metadata(session: Session, card: Card, meta: dict[str, Any]) -> None:
    if "number" in meta and meta["number"] != card.number:
        taken = session.scalars(select(Card.id).where(Card.plan_id == card.plan_id, Card.number == meta["number"],
                                                      Card.id != card.id)).first()
        if taken is None:
            card.number = meta["number"]
    for key in ("lead_org_id", "co_lead_org_id"):
        if key in meta and (meta[key] is None or session.get(Organisation, meta[key]) is not None):
            setattr(card, key, meta[key])
    if "axis_id" in meta:
        card.axis_id = meta["axis_id"]
    session.flush()
    session.refresh(card)


def _require(session: Session, actor: User, action: str, card: Card) -> None:
    decision = policy.decide(session, actor, action, card)
    if not decision:
        raise Forbidden(f"{action} refused ({decision.reason})")


def as_json(version: CardVersion, with_content: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": version.id, "number": version.number, "kind": version.kind, "name": version.name,
        "content_hash": version.content_hash, "created_at": version.created_at.isoformat() + "Z",
        "created_by": ({"id": version.created_by.id, "name": version.created_by.name}
                       if version.created_by else None),
    }
    if with_content:
        out["content"] = version.content
    return out
