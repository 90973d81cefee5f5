"""The demo plan's public side, through the real services: published cards (one published twice,
after a revision), an open consultation, contributions moderated and answered, one waiting.
Once: a plan that has a consultation is left alone."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .services import cards as card_service, consultation, publication, workflow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .collab.documents import Documents
    from .models import Card, Plan, User

DEMO_ADDRESS = "192.0.2.10"  # a documentation address: the demo's visitors come from nowhere real


def seed(session: Session, documents: Documents, config: dict[str, Any], spec: dict[str, Any], plan: Plan,
         cards: dict[str, Card], users: dict[str, User], coordinator: User, approval: list[dict[str, Any]]) -> None:
    if not spec or consultation.current(session, plan) is not None:
        return
    signers = {a["card"]: a for a in approval}
    for item in spec.get("publish", []):
        card = cards[item["card"]]
        if card.status != "approved":
            continue
        publication.publish(session, documents, coordinator, card)
        session.commit()
        if "revise" in item:
            _revise(session, documents, card, item["revise"], coordinator, users, signers[item["card"]])
    window = spec["consultation"]
    opens = date.today() - timedelta(days=window["opened_days_ago"])
    closes = date.today() + timedelta(days=window["days_left"])
    consultation.manage(session, coordinator, plan, {"action": "open", "opens_at": opens.isoformat(),
                                                     "closes_at": closes.isoformat()})
    session.commit()
    quiet = {**config, "SMTP_HOST": None}  # the demo mails nobody
    for entry in spec.get("contributions", []):
        card = cards[entry["card"]] if entry.get("card") else None
        data = {k: entry.get(k, "") for k in ("name", "organisation", "email", "body", "field")}
        made = consultation.contribute(session, quiet, plan, card, {**data, "consent": True}, DEMO_ADDRESS,
                                       entry.get("lang", "ar"))
        if not entry.get("pending"):
            consultation.moderate(session, coordinator, made, {"decision": "publish"})
            answer = entry.get("answer")
            if answer:
                consultation.answer(session, users[answer["by"]], made,
                                    {"outcome": answer["outcome"], "answer": answer["text"]})
        session.commit()


def _revise(session: Session, documents: Documents, card: Card, revise: dict[str, Any], coordinator: User,
            users: dict[str, User], signers: dict[str, Any]) -> None:
    """Reopened after the consultation, edited, approved and published again: version 2."""
    workflow.request_changes(session, documents, coordinator, card, revise["reason"])
    session.commit()
    card_service.update_content(session, documents, users[revise["by"]], card, {revise["field"]: revise["text"]})
    session.commit()
    workflow.submit(session, documents, users[signers["submit"]], card)
    session.commit()
    from .demo import sign_round  # here: server.demo imports this module

    sign_round(session, documents, card, signers["signoffs"], users)
    if card.status == "approved":
        publication.publish(session, documents, coordinator, card)
        session.commit()
