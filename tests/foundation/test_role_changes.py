"""Role changes through the API and the roles pages: the review gate holds, nobody promotes
themselves, e-mail addresses stay with those who manage roles, and live connections hear of
every committed change."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server import db
from server.models import RoleAssignment
from tests.foundation.test_api import bearer


@pytest.fixture
def card_world(app, factory):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin)
    people = {name: factory.user(email=f"{name}@example.org") for name in
              ("coordinator", "lead", "co_lead", "contributor", "friend", "stranger")}
    factory.grant(admin, people["coordinator"], "coordinator", plan)
    for role in ("lead", "co_lead", "contributor"):
        factory.grant(admin, people[role], role, plan, card)
    factory.without_criteria(plan)
    return {"admin": admin, "plan": plan, "card": card, **people}


def test_a_lead_cannot_open_its_own_review_gate(client, app, card_world):
    w = card_world
    lead = bearer(app, w["lead"])
    members = f"/api/v1/cards/{w['card']}/members"
    res = client.post(members, headers=lead, json={"email": "lead@example.org", "role": "approver"})
    assert res.status_code == 403 and "give themselves" in res.json["message"]
    for role in ("approver", "reviewer", "lead", "co_lead"):
        res = client.post(members, headers=lead, json={"email": "friend@example.org", "role": role})
        assert res.status_code == 403 and "coordinator" in res.json["message"], role
    res = client.post(f"/api/v1/cards/{w['card']}/invitations", headers=lead,
                      json={"email": "outsider@example.org", "role": "approver"})
    assert res.status_code == 403
    res = client.post(f"/api/v1/cards/{w['card']}/invitations", headers=lead,
                      json={"email": "Lead@Example.org", "role": "contributor"})
    assert res.status_code == 403 and "give themselves" in res.json["message"]
    # So the lead cannot send its card, once in review, back to draft to edit it again.
    assert client.post(f"/api/v1/cards/{w['card']}/submit", headers=lead).status_code == 200
    res = client.post(f"/api/v1/cards/{w['card']}/request-changes", headers=lead, json={"reason": "encore"})
    assert res.status_code == 403
    # The lead still brings in contributors and viewers; the coordinator hands out the gate.
    assert client.post(members, headers=lead, json={"email": "friend@example.org", "role": "viewer"}).status_code == 201
    res = client.post(members, headers=bearer(app, w["coordinator"]),
                      json={"email": "friend@example.org", "role": "approver"})
    assert res.status_code == 201


def test_only_the_coordinator_removes_a_lead(client, app, card_world):
    w = card_world
    listing = client.get(f"/api/v1/cards/{w['card']}/members", headers=bearer(app, w["coordinator"])).json
    lead_assignment = next(m["id"] for m in listing if m["role"] == "lead")
    url = f"/api/v1/cards/{w['card']}/members/{lead_assignment}"
    res = client.delete(url, headers=bearer(app, w["co_lead"]))
    assert res.status_code == 403 and "coordinator" in res.json["message"]
    assert client.delete(url, headers=bearer(app, w["lead"])).status_code == 403
    assert client.delete(url, headers=bearer(app, w["coordinator"])).status_code == 204


def test_plan_roles_are_the_coordinators_alone(client, app, card_world):
    w = card_world
    coord = bearer(app, w["coordinator"])
    res = client.post(f"/api/v1/plans/{w['plan']}/members", headers=coord,
                      json={"email": "coordinator@example.org", "role": "steering"})
    assert res.status_code == 403 and "give themselves" in res.json["message"]
    res = client.post(f"/api/v1/plans/{w['plan']}/members", headers=coord,
                      json={"email": "friend@example.org", "role": "steering"})
    assert res.status_code == 201


def test_the_roles_page_refuses_a_self_grant_in_the_readers_language(client, auth, app, card_world):
    w = card_world
    auth.login("lead@example.org")
    res = client.post(f"/cards/{w['card']}/roles", data={"action": "grant", "email": "lead@example.org",
                                                         "role": "approver", "csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 403
    assert "لا يمكن لأحد أن يمنح نفسه دورا" in res.get_data(as_text=True)
    with app.app_context():
        roles = db.session().scalars(select(RoleAssignment.role).where(RoleAssignment.user_id == w["lead"])).all()
        assert roles == ["lead"]


def test_a_lead_cannot_read_emails_by_naming_ids(client, app, card_world):
    w = card_world
    lead = bearer(app, w["lead"])
    res = client.post(f"/api/v1/cards/{w['card']}/members", headers=lead,
                      json={"user_id": w["stranger"], "role": "viewer"})
    assert res.status_code == 403 and res.json["field"] == "user_id"
    assert "stranger@example.org" not in res.get_data(as_text=True)
    # Members who do not manage roles see names and organisations, not addresses.
    listing = client.get(f"/api/v1/cards/{w['card']}/members", headers=bearer(app, w["contributor"]))
    assert listing.status_code == 200 and "@example.org" not in listing.get_data(as_text=True)
    assert {m["user"]["name"] for m in listing.json} >= {"lead", "contributor"}
    assert "lead@example.org" in client.get(f"/api/v1/cards/{w['card']}/members", headers=lead).get_data(as_text=True)
    # The coordinator may name accounts by id.
    res = client.post(f"/api/v1/cards/{w['card']}/members", headers=bearer(app, w["coordinator"]),
                      json={"user_id": w["stranger"], "role": "viewer"})
    assert res.status_code == 201 and res.json["user"]["email"] == "stranger@example.org"


def test_a_grant_finds_its_account_the_same_way_through_the_api_and_the_page(client, auth, app, card_world):
    w = card_world
    lead = bearer(app, w["lead"])
    members = f"/api/v1/cards/{w['card']}/members"
    # Case and spaces around the address do not matter, on either side.
    res = client.post(members, headers=lead, json={"email": "  Friend@Example.ORG ", "role": "viewer"})
    assert res.status_code == 201 and res.json["user"]["id"] == w["friend"]
    for data, field in (({"email": "nobody@example.org", "role": "viewer"}, "user_id"),
                        ({"role": "viewer"}, "user_id"), ({"email": 7, "role": "viewer"}, "user_id")):
        res = client.post(members, headers=lead, json=data)
        assert res.status_code == 422 and res.json["field"] == field, data
    coordinator = bearer(app, w["coordinator"])
    for ident in (424242, "7", True, None):
        res = client.post(members, headers=coordinator, json={"user_id": ident, "role": "viewer"})
        assert res.status_code == 422 and res.json["field"] == "user_id", ident
    # An assignment is found only where it is: the card's lead holds no role on the plan itself.
    lead_role = next(m["id"] for m in client.get(members, headers=coordinator).json if m["role"] == "lead")
    res = client.delete(f"/api/v1/plans/{w['plan']}/members/{lead_role}", headers=coordinator)
    assert res.status_code == 404 and res.json["message"] == f"No role assignment {lead_role} here."
    # The page says it in the reader's language (Arabic here) and keeps the form.
    auth.login("lead@example.org")
    res = client.post(f"/cards/{w['card']}/roles", data={"action": "grant", "email": "nobody@example.org",
                                                         "role": "viewer", "csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 422 and "لا يوجد حساب بهذا البريد" in res.get_data(as_text=True)
    res = client.post(f"/cards/{w['card']}/roles", data={"action": "grant", "email": " STRANGER@example.org",
                                                         "role": "viewer", "csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 302
    with app.app_context():
        roles = db.session().scalars(select(RoleAssignment.role).where(RoleAssignment.user_id == w["stranger"])).all()
    assert roles == ["viewer"]


def test_the_roles_page_shows_emails_only_to_role_managers(client, auth, app, card_world):
    w = card_world
    auth.login("contributor@example.org")
    page = client.get(f"/cards/{w['card']}/roles").get_data(as_text=True)
    assert "<bdi translate=\"no\">lead</bdi>" in page and "lead@example.org" not in page
    assert 'value="revoke"' not in page and 'value="grant"' not in page
    client.post("/logout", data={"csrf_token": auth.headers()["X-CSRF-Token"]})
    auth.login("lead@example.org")
    page = client.get(f"/cards/{w['card']}/roles").get_data(as_text=True)
    assert "contributor@example.org" in page
    offered = set(re.findall(r'<option value="([a-z_]+)"', page))
    assert offered == {"contributor", "viewer"}  # the roles a lead may hand out


def test_non_members_learn_nothing_of_a_cards_status(client, app, card_world):
    w = card_world
    client.post(f"/api/v1/cards/{w['card']}/submit", headers=bearer(app, w["lead"]))
    stranger = bearer(app, w["stranger"])
    for move in ("submit", "request-changes", "signoffs", "versions"):
        res = client.post(f"/api/v1/cards/{w['card']}/{move}", headers=stranger, json={"reason": "x"})
        assert res.status_code == 404, move
        assert "in_review" not in res.json["message"] and "review" not in res.json["message"]
    assert client.get(f"/api/v1/cards/{w['card']}/members", headers=stranger).status_code == 403
    res = client.post(f"/api/v1/cards/{w['card']}/invitations", headers=stranger,
                      json={"email": "x@example.org", "role": "viewer"})
    assert res.status_code == 403


def test_committed_role_and_status_changes_reach_live_connections(client, auth, app, card_world, live):
    w = card_world
    coord = bearer(app, w["coordinator"])
    res = client.post(f"/api/v1/cards/{w['card']}/members", headers=coord,
                      json={"email": "friend@example.org", "role": "reviewer"})
    assert res.status_code == 201
    kind, cards, plan_id, user_id, committed = live.calls[-1]
    assert (kind, cards, plan_id, user_id) == ("rights", (w["card"],), None, w["friend"])
    assert (w["friend"], w["card"], "reviewer") in committed  # told after the commit
    client.delete(f"/api/v1/cards/{w['card']}/members/{res.json['id']}", headers=coord)
    kind, cards, plan_id, user_id, committed = live.calls[-1]
    assert (cards, user_id) == ((w["card"],), w["friend"]) and (w["friend"], w["card"], "reviewer") not in committed
    res = client.post(f"/api/v1/plans/{w['plan']}/members", headers=coord,
                      json={"email": "friend@example.org", "role": "steering"})
    assert live.calls[-1][:4] == ("rights", (), w["plan"], w["friend"])
    client.delete(f"/api/v1/plans/{w['plan']}/members/{res.json['id']}", headers=coord)
    assert live.calls[-1][:4] == ("rights", (), w["plan"], w["friend"])
    client.post(f"/api/v1/cards/{w['card']}/submit", headers=bearer(app, w["lead"]))
    assert live.calls[-1][:4] == ("rights", (w["card"],), None, None)
    # The roles pages too.
    auth.login("coordinator@example.org")
    csrf = auth.headers()["X-CSRF-Token"]
    client.post(f"/cards/{w['card']}/roles", data={"action": "grant", "email": "friend@example.org",
                                                   "role": "viewer", "csrf_token": csrf})
    assert live.calls[-1][:4] == ("rights", (w["card"],), None, w["friend"])
    with app.app_context():
        assignment = db.session().scalars(select(RoleAssignment.id).where(
            RoleAssignment.user_id == w["friend"], RoleAssignment.role == "viewer")).one()
    client.post(f"/cards/{w['card']}/roles", data={"action": "revoke", "assignment_id": assignment, "confirm": "yes",
                                                   "csrf_token": csrf})
    kind, cards, plan_id, user_id, committed = live.calls[-1]
    assert (cards, user_id) == ((w["card"],), w["friend"]) and (w["friend"], w["card"], "viewer") not in committed
    client.post(f"/plans/{w['plan']}/roles", data={"action": "grant", "email": "friend@example.org",
                                                   "role": "steering", "csrf_token": csrf})
    assert live.calls[-1][:4] == ("rights", (), w["plan"], w["friend"])


def test_role_refusals_on_pages_speak_the_readers_language(client, auth, factory, app):
    coordinator = factory.user(email="coord@example.org", admin=True, language="fr")
    plan = factory.plan(coordinator)
    auth.login("coord@example.org")
    with app.app_context():
        only = db.session().scalars(select(RoleAssignment.id).where(RoleAssignment.role == "coordinator")).one()
    res = client.post(f"/plans/{plan}/roles", data={"action": "revoke", "assignment_id": only, "confirm": "yes",
                                                    "csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 409 and "Un plan garde au moins un coordinateur." in res.get_data(as_text=True)
    res = client.post(f"/plans/{plan}/roles", data={"action": "invite", "email": "nope", "role": "steering",
                                                    "csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 422 and "Indiquez une adresse e-mail." in res.get_data(as_text=True)
    api = client.delete(f"/api/v1/plans/{plan}/members/{only}", headers=auth.headers())
    # The page's own API call reads as the page does; a script's token gets the API's English.
    assert api.status_code == 409 and api.json["message"] == "Un plan garde au moins un coordinateur."
    script = app.test_client().delete(f"/api/v1/plans/{plan}/members/{only}", headers=bearer(app, coordinator))
    assert script.status_code == 409 and script.json["message"] == "A plan keeps at least one coordinator."
