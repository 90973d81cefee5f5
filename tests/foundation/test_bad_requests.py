"""Hostile inputs get a clear 4xx, never a 500: huge ids, deep JSON, broken Unicode."""
from __future__ import annotations

import pytest

from tests.conftest import email_of
from tests.foundation.test_api import bearer

HUGE = "99999999999999999999999"


@pytest.fixture
def setup(app, factory):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin)
    return {"admin": admin, "plan": plan, "card": card, "h": bearer(app, admin)}


@pytest.mark.parametrize("number", [HUGE, str(2**31), str(2**63)])
def test_ids_beyond_the_database_range_are_not_found(client, auth, app, setup, number):
    h = setup["h"]
    for url in (f"/api/v1/cards/{number}", f"/api/v1/plans/{number}", f"/api/v1/organisations/{number}",
                f"/api/v1/cards/{number}/members", f"/api/v1/plans/{number}/cards"):
        res = client.get(url, headers=h)
        assert res.status_code == 404 and res.json["error"] == "not_found", url
    res = client.delete(f"/api/v1/tokens/{number}", headers=h)
    assert res.status_code == 404
    res = client.delete(f"/api/v1/cards/{setup['card']}/members/{number}", headers=h)
    assert res.status_code == 404
    auth.login(email_of(app, setup["admin"]))
    assert client.get(f"/cards/{number}").status_code == 404
    assert client.get(f"/plans/{number}/roles").status_code == 404
    res = client.post(f"/cards/{setup['card']}/roles", data={"action": "revoke", "assignment_id": number,
                                                             "csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 404


def test_huge_numbers_in_bodies_name_their_field(client, setup):
    h = setup["h"]
    res = client.post(f"/api/v1/plans/{setup['plan']}/cards", headers=h,
                      data='{"axis_id": ' + HUGE + '}', content_type="application/json")
    assert res.status_code == 422 and res.json["field"] == "axis_id"
    res = client.post(f"/api/v1/cards/{setup['card']}/members", headers=h, json={"user_id": 2**31, "role": "viewer"})
    assert res.status_code == 422 and res.json["field"] == "user_id"
    res = client.patch(f"/api/v1/cards/{setup['card']}", headers=h, json={"lead_org_id": 2**40})
    assert res.status_code == 422 and res.json["field"] == "lead_org_id"


def test_deep_json_is_refused(client, setup):
    for depth in (100_000, 200):
        res = client.post(f"/api/v1/plans/{setup['plan']}/cards", headers=setup["h"],
                          data="[" * depth + "]" * depth, content_type="application/json")
        assert res.status_code == 400 and res.json["error"] == "bad_json", depth
        res = client.post(f"/api/v1/plans/{setup['plan']}/cards", headers=setup["h"],
                          data='{"fields": ' + '{"a": ' * depth + "1" + "}" * depth + "}",
                          content_type="application/json")
        assert res.status_code == 400 and "nests deeper" in res.json["message"], depth


def test_lone_surrogates_are_refused(client, setup):
    h = setup["h"]
    res = client.patch(f"/api/v1/cards/{setup['card']}/content", headers=h,
                       data='{"fields": {"title": "abc \\ud800 def"}}', content_type="application/json")
    assert res.status_code == 422 and res.json["error"] == "invalid" and res.json["field"] == "fields.title"
    res = client.post("/api/v1/organisations", headers=h, content_type="application/json",
                      data='{"kind": "government", "name_ar": "\\udfff", "name_fr": "x"}')
    assert res.status_code == 422 and res.json["field"] == "name_ar"
    # A proper pair is a character like any other.
    res = client.patch(f"/api/v1/cards/{setup['card']}/content", headers=h,
                       data='{"fields": {"title": "\\ud83c\\udf3f"}}', content_type="application/json")
    assert res.status_code == 200, res.json


def test_a_database_outage_answers_503_not_500(client, setup, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from server.services import plans as plan_service

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(plan_service, "visible_plans", down)
    res = client.get("/api/v1/plans", headers=setup["h"])
    assert res.status_code == 503 and res.json["error"] == "unavailable" and "nothing was saved" in res.json["message"]


def test_a_write_the_live_document_refuses_answers_422(client, setup, monkeypatch):
    from server.collab.errors import DocumentTooLarge
    from server.services import cards as card_service

    def refuse(*args, **kwargs):
        raise DocumentTooLarge("The card's document would grow past its limit.")

    monkeypatch.setattr(card_service, "update_content", refuse)
    res = client.patch(f"/api/v1/cards/{setup['card']}/content", headers=setup["h"],
                       json={"fields": {"title": "x"}})
    assert res.status_code == 422 and res.json["error"] == "document_too_large"
