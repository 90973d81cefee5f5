"""The workflow module decides every status move itself: the table, then the policy; approval
is its own decision, never an action anyone holds."""
from __future__ import annotations

import pytest

from flask import current_app

from server import db
from server.collab.wiring import documents
from server.models import AuditEvent, Card, User
from server.services import workflow
from server.services.errors import Conflict, Forbidden, Invalid


@pytest.fixture
def card_world(app, factory):
    gov = factory.org("government")
    coordinator = factory.user(org_id=gov)
    plan = factory.plan(coordinator)
    card = factory.card(plan, coordinator)
    factory.without_criteria(plan)
    people = {"coordinator": coordinator}
    for role in ("lead", "contributor", "reviewer", "viewer", "approver"):
        people[role] = factory.user(org_id=gov)
        factory.grant(coordinator, people[role], role, plan, card)
    return card, people


MOVES = {
    "submit": lambda s, u, c, r: workflow.submit(s, documents(current_app), u, c),
    "request_changes": lambda s, u, c, r: workflow.request_changes(s, documents(current_app), u, c, r),
    "approve": lambda s, u, c, r: workflow.approve_if_complete(s, documents(current_app), u, c) or "not approved",
}


def attempt(app, card_id: int, user_id: int, move: str, reason: str = "", status: str | None = None) -> str:
    """'moved', or the name of the refusal."""
    with app.app_context():
        session = db.session()
        card = session.get(Card, card_id)
        if status is not None:
            card.status = status
            session.commit()
        try:
            result = MOVES[move](session, session.get(User, user_id), card, reason)
        except (Conflict, Forbidden, Invalid) as exc:
            session.rollback()
            return type(exc).__name__
        session.commit()
        return result if isinstance(result, str) else "moved"


@pytest.mark.parametrize("role, source, move, expected", [
    ("lead", "draft", "submit", "moved"),
    ("coordinator", "draft", "submit", "Forbidden"),  # the card's own leads submit it
    ("contributor", "draft", "submit", "Forbidden"),
    ("reviewer", "draft", "submit", "Forbidden"),
    ("viewer", "draft", "submit", "Forbidden"),
    ("lead", "in_review", "submit", "Conflict"),  # no such move, whoever asks
    ("lead", "in_review", "request_changes", "Forbidden"),
    ("approver", "in_review", "request_changes", "moved"),
    ("coordinator", "approved", "request_changes", "moved"),
    ("approver", "draft", "request_changes", "Conflict"),
    # Nobody has signed: the policy is not met, whoever asks.
    ("coordinator", "in_review", "approve", "not approved"),
])
def test_every_move_is_checked_against_the_table_and_the_policy(app, card_world, role, source, move, expected):
    card, people = card_world
    reason = "préciser les jalons" if move == "request_changes" else ""
    assert attempt(app, card, people[role], move, reason, status=source) == expected
    with app.app_context():
        status = db.session().get(Card, card).status
    target = {"submit": "in_review", "request_changes": "draft", "approve": "approved"}[move]
    assert status == (target if expected == "moved" else source)


def test_going_back_needs_a_reason_and_every_move_is_audited(app, card_world):
    card, people = card_world
    assert attempt(app, card, people["lead"], "submit") == "moved"
    assert attempt(app, card, people["approver"], "request_changes", "   ") == "Invalid"
    assert attempt(app, card, people["approver"], "request_changes", "الجدول الزمني غير واقعي") == "moved"
    with app.app_context():
        entries = db.session().query(AuditEvent).filter_by(action="card.status_changed").order_by(AuditEvent.id).all()
        assert [(e.details["previous"], e.details["status"]) for e in entries] == [("draft", "in_review"),
                                                                                  ("in_review", "draft")]
        assert entries[-1].details["reason"] == "الجدول الزمني غير واقعي"


def test_the_table_only_names_known_statuses_and_actions():
    from server import policy

    for found in workflow.MOVES.values():
        assert set(found.sources) <= set(workflow.STATUSES) and found.target in workflow.STATUSES
        assert found.action is None or found.action in policy.CARD_ACTIONS
    assert workflow.MOVES["approve"].action is None  # only the policy being met approves
    assert workflow.moves_from("draft") == ["in_review"]
    assert workflow.moves_from("in_review") == ["draft", "approved"]
