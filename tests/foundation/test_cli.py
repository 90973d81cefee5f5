"""The `iltizam` commands a newcomer and a script use."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from server import db
from server.models import Card, CardUpdate, Plan


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
    assert cards >= 6 and updates == cards  # one seed update per card
    plan = session.scalars(select(Plan)).one()
    assert plan.period_start == "2024-01"
    session.close()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "lead" in second.output
    session = db.session()
    assert session.scalar(select(func.count()).select_from(Card)) == cards
    assert session.scalar(select(func.count()).select_from(CardUpdate)) == updates  # never re-seeded
