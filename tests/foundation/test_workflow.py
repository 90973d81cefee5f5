"""The workflow module decides every status move itself: the table, then the policy."""
from __future__ import annotations

import pytest

from server import db
from server.models import AuditEvent, Card, User
from server.services import workflow
from server.services.errors import Conflict, Forbidden, Invalid


@pytest.fixture
def card_world(app, factory):
    gov = factory.org("government")
    coordinator = factory.user(org_id=gov)
    plan = factory.plan(coordinator)
    card = factory.card(plan, coordinator)
    people = {"coordinator": coordinator}
    for role in ("lead", "contributor", "reviewer", "viewer", "approver"):
        people[role] = factory.user(org_id=gov)
        factory.grant(coordinator, people[role], role, plan, card)
    return card, people


def attempt(app, card_id: int, user_id: int, target: str, reason: str = "", status: str | None = None) -> str:
    """'moved', or the name of the refusal."""
    with app.app_context():
        session = db.session()
        card = session.get(Card, card_id)
        if status is not None:
            card.status = status
            session.commit()
        try:
            workflow.move(session, session.get(User, user_id), card, target, reason)
        except (Conflict, Forbidden, Invalid) as exc:
            session.rollback()
            return type(exc).__name__
        session.commit()
        return "moved"


@pytest.mark.parametrize("role, source, target, expected", [
    ("lead", "draft", "in_review", "moved"),
    ("contributor", "draft", "in_review", "Forbidden"),
    ("reviewer", "draft", "in_review", "Forbidden"),
    ("viewer", "draft", "in_review", "Forbidden"),
    ("lead", "in_review", "approved", "Forbidden"),  # a lead cannot approve its own card
    ("lead", "in_review", "draft", "Forbidden"),
    ("approver", "in_review", "draft", "moved"),
    ("coordinator", "draft", "published", "Conflict"),  # no such move, whoever asks
    ("coordinator", "approved", "published", "moved"),
])
def test_every_move_is_checked_against_the_table_and_the_policy(app, card_world, role, source, target, expected):
    card, people = card_world
    reason = "préciser les jalons" if target == "draft" else ""
    assert attempt(app, card, people[role], target, reason, status=source) == expected
    with app.app_context():
        status = db.session().get(Card, card).status
    assert status == (target if expected == "moved" else source)


def test_going_back_needs_a_reason_and_every_move_is_audited(app, card_world):
    card, people = card_world
    assert attempt(app, card, people["lead"], "in_review") == "moved"
    assert attempt(app, card, people["approver"], "draft", "   ") == "Invalid"
    assert attempt(app, card, people["approver"], "draft", "الجدول الزمني غير واقعي") == "moved"
    with app.app_context():
        entries = db.session().query(AuditEvent).filter_by(action="card.status_changed").order_by(AuditEvent.id).all()
        assert [(e.details["previous"], e.details["status"]) for e in entries] == [("draft", "in_review"),
                                                                                  ("in_review", "draft")]
        assert entries[-1].details["reason"] == "الجدول الزمني غير واقعي"


def test_the_table_only_names_known_statuses_and_actions():
    from server import policy

    for (source, target), found in workflow.MOVES.items():
        assert source in workflow.STATUSES and target in workflow.STATUSES
        assert found.action in policy.CARD_ACTIONS
    assert workflow.moves_from("draft") == ["in_review"]
