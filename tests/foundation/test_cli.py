"""The `iltizam` commands a newcomer and a script use."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from server import db
from server.collab.wiring import documents
from server import demo
from server.models import AuditEvent, Card, CardUpdate, Plan, Signoff, Thread
from server.services import threads as thread_service
from server.services import workflow


@pytest.fixture(autouse=True)
def _context(app):
    with app.app_context():
        yield


def test_create_user_and_token_then_use_the_api(runner, client):
    res = runner.invoke(args=["create-user", "--email", "Nadia@Example.org", "--name", "نادية",
                              "--password", "a long secret", "--admin"])
    assert res.exit_code == 0, res.output
    again = runner.invoke(args=["create-user", "--email", "nadia@example.org", "--name", "x", "--password", "a long secret"])
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["create-user", "--email", "s@example.org", "--name", "x", "--password", "short"])
    assert short.exit_code != 0 and "at least 10" in short.output
    created = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "account.created")).all()
    assert [(e.details["how"], e.details["admin"]) for e in created] == [("cli", True)]
    res = runner.invoke(args=["create-token", "nadia@example.org"])
    token = res.output.strip()
    assert token.startswith("ilt_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["email"] == "nadia@example.org" and me.json["is_admin"] is True
    assert runner.invoke(args=["create-token", "nobody@example.org"]).exit_code != 0


def test_seed_demo_is_idempotent_and_prints_every_role(runner):
    first = runner.invoke(args=["seed-demo", "--json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    roles = {a["role"] for a in data["accounts"]}
    assert {"coordinator", "steering", "lead", "co_lead", "contributor", "reviewer", "approver", "viewer"} <= roles
    for account in data["accounts"]:
        assert account["plan_id"] == data["plan_id"]
        assert account["email"].endswith("@demo.iltizam.ma")
    session = db.session()
    cards = session.scalar(select(func.count()).select_from(Card))
    updates = session.scalar(select(func.count()).select_from(CardUpdate))
    # One seed update per card, the one edit that made a demo sign-off stale, and the revision of
    # a published card before its second publication.
    edits_after = sum(1 for spec in demo.load_data()["approval"] if spec.get("after"))
    edits_after += sum(1 for spec in demo.load_data()["public"]["publish"] if spec.get("revise"))
    assert cards >= 6 and updates == cards + edits_after
    plan = session.scalars(select(Plan)).one()
    assert plan.period_start == "2024-01"
    signoffs = session.scalar(select(func.count()).select_from(Signoff))
    assert signoffs > 0
    session.close()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "lead" in second.output
    session = db.session()
    assert session.scalar(select(func.count()).select_from(Card)) == cards
    assert session.scalar(select(func.count()).select_from(CardUpdate)) == updates  # never re-seeded
    # The demo's threads, and the reasons cards were sent back with (a thread on the whole card).
    rejections = sum(1 for spec in demo.load_data()["approval"] for s in spec["signoffs"] if s["decision"] == "reject")
    reopened = sum(1 for spec in demo.load_data()["public"]["publish"] if spec.get("revise"))
    assert (session.scalar(select(func.count()).select_from(Thread))
            == len(demo.load_data()["threads"]) + rejections + reopened)
    assert session.scalar(select(func.count()).select_from(Signoff)) == signoffs  # never signed twice


def test_the_demo_shows_review_under_way(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    session = db.session()
    listed = []
    for card in session.scalars(select(Card).where(Card.id.in_(select(Thread.card_id)))):
        listed += thread_service.list_threads(session, documents(app), card)
    assert {t["status"] for t in listed} == {"open", "resolved"}
    assert sum(t["detached"] for t in listed) == 1
    assert any('class="mention"' in c["html"] for t in listed for c in t["comments"])
    assert {t["kind"] for t in listed} == {"range", "field", "card"}
    assert all(t["current_text"] == t["quote"] for t in listed if t["kind"] == "range" and not t["detached"])
    languages = {"ar" if any("\u0600" <= ch <= "\u06ff" for ch in t["comments"][0]["body"]) else "fr" for t in listed}
    assert languages == {"ar", "fr"}


def test_the_demo_shows_the_workflow_at_every_stage(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    session = db.session()
    by_number = {c.number: c for c in session.scalars(select(Card))}
    assert {c.status for c in by_number.values()} == {"draft", "in_review", "approved", "published"}
    for number, card in by_number.items():
        state = workflow.standing(session, documents(app), card)
        current = [s for s in state["active"] if s.content_hash == state["hash"]]
        stale = [s for s in state["active"] if s.content_hash != state["hash"]]
        if card.status == "approved":
            assert all(r.met for r in state["requirements"]) and not stale
        if card.status == "in_review":
            assert 0 < sum(r.met for r in state["requirements"]) < len(state["requirements"]) and current
        if stale:
            sent_back = number
    # A card sent back with a reason (a thread on the card), whose earlier sign-offs are now stale.
    card = by_number[sent_back]
    assert card.status == "draft"
    assert session.scalars(select(Thread).where(Thread.card_id == card.id, Thread.field.is_(None))).first()
