"""The JSON API as a script or a browser uses it: tokens, CSRF, errors, one transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server import db
from server.auth.tokens import create_token
from server.models import AuditEvent, Card, CardUpdate, User


def bearer(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, user_id), "test")
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def setup(app, factory):
    admin = factory.user(admin=True)
    gov = factory.org("government")
    ngo = factory.org("civil_society")
    plan = factory.plan(admin)
    axis = factory.axis(plan, admin)
    return {"admin": admin, "gov": gov, "ngo": ngo, "plan": plan, "axis": axis, "h": bearer(app, admin)}


def test_requires_authentication(client):
    res = client.get("/api/v1/plans")
    assert res.status_code == 401
    assert res.json["error"] == "unauthorized"
    assert client.get("/api/v1/plans", headers={"Authorization": "Bearer ilt_nope"}).status_code == 401


def test_create_card_with_content_and_read_it_back(client, setup):
    h = setup["h"]
    res = client.post(f"/api/v1/plans/{setup['plan']}/cards", headers=h, json={
        "axis_id": setup["axis"], "lead_org_id": setup["gov"], "co_lead_org_id": setup["ngo"],
        "fields": {"title": "نشر الميزانية المواطنة", "start_date": "2024-03",
                   "milestones": [{"activity": "إعداد الدليل", "deliverable": "دليل منشور",
                                   "start": "2024-03", "end": "2024-09"}]}})
    assert res.status_code == 201, res.json
    card = res.json
    assert card["number"] == "1" and card["status"] == "draft" and card["lead"]["id"] == setup["gov"]
    got = client.get(f"/api/v1/cards/{card['id']}", headers=h).json
    fields = got["content"]["fields"]
    assert fields["title"] == "نشر الميزانية المواطنة"
    assert fields["milestones"][0]["deliverable"] == "دليل منشور"
    assert got["content"]["card"]["lead"]["fr"].startswith("government")
    assert len(got["content_hash"]) == 64
    assert got["permissions"]["edit"] is True


def test_patch_content_changes_the_hash_and_the_criteria(client, setup):
    h = setup["h"]
    card = client.post(f"/api/v1/plans/{setup['plan']}/cards", headers=h, json={}).json
    before = client.get(f"/api/v1/cards/{card['id']}", headers=h).json
    crit_before = client.get(f"/api/v1/cards/{card['id']}/criteria", headers=h).json
    res = client.patch(f"/api/v1/cards/{card['id']}/content", headers=h, json={"fields": {
        "partners": [{"kind": "civil_society", "name": "جمعية", "role": "شريك"}]}})
    assert res.status_code == 200, res.json
    after = client.get(f"/api/v1/cards/{card['id']}", headers=h).json
    assert after["content_hash"] != before["content_hash"]
    crit_after = client.get(f"/api/v1/cards/{card['id']}/criteria", headers=h).json
    by_id = {c["id"]: c["passed"] for c in crit_after["criteria"]}
    assert by_id["civil_society_partner"] is True
    assert {c["id"]: c["passed"] for c in crit_before["criteria"]}["civil_society_partner"] is False


def test_bad_input_errors(client, setup, app):
    h = setup["h"]
    plan = setup["plan"]
    res = client.post(f"/api/v1/plans/{plan}/cards", headers={**h, "Content-Type": "application/json"},
                      data='{"number": "1",')
    assert res.status_code == 400 and res.json["error"] == "bad_json"
    assert "line 1" in res.json["message"]
    assert client.get("/api/v1/cards/999999", headers=h).status_code == 404
    assert client.get("/api/v1/plans/999999", headers=h).json["error"] == "not_found"
    res = client.post(f"/api/v1/plans/{plan}/cards", headers=h,
                      json={"fields": {"milestones": [{"start": "2024-13"}]}})
    assert res.status_code == 422
    assert res.json["field"] == "milestones[0].start"
    res = client.post(f"/api/v1/plans/{plan}/cards", headers=h, json={"fields": {"no_such_field": "x"}})
    assert res.status_code == 422 and res.json["field"] == "no_such_field"
    # Nothing was half-written by the refused requests.
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Card)) == 0
        assert db.session().scalar(select(func.count()).select_from(CardUpdate)) == 0
    assert client.post(f"/api/v1/plans/{plan}/cards", headers=h, json={"number": "7"}).status_code == 201
    dup = client.post(f"/api/v1/plans/{plan}/cards", headers=h, json={"number": "7"})
    assert dup.status_code == 409 and dup.json["field"] == "number"


def test_reviewer_cannot_write_content_or_metadata(client, setup, factory, app):
    card = client.post(f"/api/v1/plans/{setup['plan']}/cards", headers=setup["h"], json={}).json
    reviewer = factory.user()
    factory.grant(setup["admin"], reviewer, "reviewer", setup["plan"], card["id"])
    h = bearer(app, reviewer)
    assert client.get(f"/api/v1/cards/{card['id']}", headers=h).status_code == 200
    res = client.patch(f"/api/v1/cards/{card['id']}/content", headers=h, json={"fields": {"title": "x"}})
    assert res.status_code == 403 and "card.edit" in res.json["message"]
    assert client.patch(f"/api/v1/cards/{card['id']}", headers=h, json={"number": "9"}).status_code == 403
    stranger = bearer(app, factory.user())
    assert client.get(f"/api/v1/cards/{card['id']}", headers=stranger).status_code == 403


def test_status_flow_is_audited_and_locks_editing(client, setup, app, factory):
    h = setup["h"]
    card = client.post(f"/api/v1/plans/{setup['plan']}/cards", headers=h, json={}).json
    url = f"/api/v1/cards/{card['id']}"
    # The coordinator neither submits nor approves; a bare card fails its criteria anyway.
    assert client.post(f"{url}/status", headers=h, json={"status": "approved"}).status_code in (404, 405)
    assert client.post(f"{url}/submit", headers=h).status_code == 403
    lead = factory.user()
    factory.grant(setup["admin"], lead, "lead", setup["plan"], card["id"])
    lh = bearer(app, lead)
    refused = client.post(f"{url}/submit", headers=lh)
    assert refused.status_code == 422 and refused.json["error"] == "criteria_failing" and refused.json["criteria"]
    factory.without_criteria(setup["plan"])
    assert client.post(f"{url}/submit", headers=lh).json["card"]["status"] == "in_review"
    assert client.post(f"{url}/submit", headers=lh).status_code == 409  # already in review
    res = client.patch(f"{url}/content", headers=lh, json={"fields": {"title": "x"}})
    assert res.status_code == 403
    assert client.post(f"{url}/request-changes", headers=h, json={}).status_code == 422  # a reason is required
    assert client.post(f"{url}/request-changes", headers=h, json={"reason": "أضيفوا مؤشرات"}).status_code == 200
    with app.app_context():
        events = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "card.status_changed")
                                      .order_by(AuditEvent.id)).all()
        assert [(e.details["previous"], e.details["status"]) for e in events] == [("draft", "in_review"), ("in_review", "draft")]
        assert events[1].details["reason"] == "أضيفوا مؤشرات"


def test_roles_and_invitations(client, setup, factory, app):
    h = setup["h"]
    card = client.post(f"/api/v1/plans/{setup['plan']}/cards", headers=h, json={}).json
    someone = factory.user(email="lead@example.org")
    res = client.post(f"/api/v1/cards/{card['id']}/members", headers=h, json={"email": "lead@example.org", "role": "lead"})
    assert res.status_code == 201 and res.json["user"]["id"] == someone
    assert client.post(f"/api/v1/cards/{card['id']}/members", headers=h,
                       json={"email": "lead@example.org", "role": "lead"}).status_code == 409
    assert client.post(f"/api/v1/cards/{card['id']}/members", headers=h,
                       json={"email": "lead@example.org", "role": "coordinator"}).status_code == 422
    # The lead may now bring a contributor in, but not touch the plan's roles.
    lead_h = bearer(app, someone)
    inv = client.post(f"/api/v1/cards/{card['id']}/invitations", headers=lead_h,
                      json={"email": "new@example.org", "role": "contributor"})
    assert inv.status_code == 201 and "/invitations/" in inv.json["link"] and inv.json["mailed"] is False
    assert client.post(f"/api/v1/plans/{setup['plan']}/members", headers=lead_h,
                       json={"email": "lead@example.org", "role": "steering"}).status_code == 403
    members = client.get(f"/api/v1/plans/{setup['plan']}/members", headers=h).json
    only = [m for m in members if m["role"] == "coordinator"]
    res = client.delete(f"/api/v1/plans/{setup['plan']}/members/{only[0]['id']}", headers=h)
    assert res.status_code == 409  # the last coordinator stays
    with app.app_context():
        actions = set(db.session().scalars(select(AuditEvent.action)))
        assert {"role.granted", "invitation.created"} <= actions


def test_browser_writes_need_the_csrf_token(client, auth, setup, app):
    from tests.conftest import email_of

    auth.login(email_of(app, setup["admin"]))
    res = client.post("/api/v1/organisations", json={"kind": "government", "name_ar": "أ", "name_fr": "A"})
    assert res.status_code == 400 and res.json["error"] == "csrf"
    res = client.post("/api/v1/organisations", json={"kind": "government", "name_ar": "أ", "name_fr": "A"},
                      headers=auth.headers())
    assert res.status_code == 201
    with app.app_context():
        made = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "organisation.created")).one()
        assert made.actor_id == setup["admin"] and made.details["organisation"] == res.json["id"]


def test_tokens_are_hashed_and_revocable(client, setup, app):
    h = setup["h"]
    made = client.post("/api/v1/tokens", headers=h, json={"name": "ci"}).json
    secret = made["token"]
    with app.app_context():
        from server.models import ApiToken

        stored = db.session().get(ApiToken, made["id"])
        assert secret not in stored.token_hash and len(stored.token_hash) == 64
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert client.delete(f"/api/v1/tokens/{made['id']}", headers=h).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    with app.app_context():
        assert db.session().scalars(select(AuditEvent).where(AuditEvent.action == "token.revoked")).one()
