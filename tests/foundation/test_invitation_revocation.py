"""The invitation link says what it is for; pending invitations are listed and withdrawn by whoever
may grant their role, and a withdrawn link says so; removing a role asks first."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server import db
from server.i18n import translate
from server.models import AuditEvent, Card, Invitation, RoleAssignment
from tests.conftest import Auth
from tests.foundation.test_accounts import invitation_path
from tests.foundation.test_api import bearer


@pytest.fixture
def world(app, factory):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin)
    other_card = factory.card(plan, admin)
    people = {name: factory.user(email=f"{name}@example.org") for name in
              ("coordinator", "lead", "contributor", "stranger")}
    factory.grant(admin, people["coordinator"], "coordinator", plan)
    factory.grant(admin, people["lead"], "lead", plan, card)
    factory.grant(admin, people["contributor"], "contributor", plan, card)
    return {"admin": admin, "plan": plan, "card": card, "other_card": other_card, **people}


def _csrf(auth: Auth) -> str:
    return auth.headers()["X-CSRF-Token"]


def _invite(client, auth, card: int, email: str, role: str):
    return client.post(f"/cards/{card}/roles", data={"action": "invite", "email": email, "role": role,
                                                     "csrf_token": _csrf(auth)})


def _pending_rows(page: str) -> list[str]:
    table = re.search(r'<table class="grid" id="pending".*?</table>', page, re.S)[0]
    return re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]


def _invitation_id(app, email: str) -> int:
    with app.app_context():
        return db.session().scalars(select(Invitation.id).where(Invitation.email == email)).one()


def test_the_link_names_who_what_where_and_when_with_a_copy_button(client, auth, app, world):
    auth.login("coordinator@example.org")
    res = _invite(client, auth, world["card"], "salma@example.org", "reviewer")
    page = res.get_data(as_text=True)
    notice = re.search(r'<div class="notice" id="invited".*?</div>', page, re.S)[0]
    with app.app_context():
        invitation = db.session().scalars(select(Invitation)).one()
        number = db.session().get(Card, world["card"]).number
    assert "salma@example.org" in notice and "مراجع" in notice  # the role, in Arabic
    assert f"{translate('card.number', 'ar')} {number}" in notice  # which card
    assert invitation.expires_at.strftime("%Y-%m-%d %H:%M") in notice  # when it expires
    assert re.search(r'<button type="button" data-copy="invitation-link"', notice)
    assert "/static/js/copy.js" in page
    # The pending list has it: address, role, card, expiry; the link itself is not shown again.
    again = client.get(f"/cards/{world['card']}/roles").get_data(as_text=True)
    rows = _pending_rows(again)
    assert len(rows) == 1
    assert "salma@example.org" in rows[0] and "مراجع" in rows[0] and number in rows[0]
    assert invitation.expires_at.strftime("%Y-%m-%d %H:%M") in rows[0] and 'value="revoke_invitation"' in rows[0]
    assert invitation_path(res) not in again


def test_a_withdrawn_invitation_link_says_so_in_the_readers_language(client, auth, app, world):
    auth.login("coordinator@example.org")
    path = invitation_path(_invite(client, auth, world["card"], "salma@example.org", "reviewer"))
    ident = _invitation_id(app, "salma@example.org")
    res = client.post(f"/cards/{world['card']}/roles", data={"action": "revoke_invitation", "invitation_id": ident,
                                                             "csrf_token": _csrf(auth)})
    assert res.status_code == 302
    page = client.get(f"/cards/{world['card']}/roles").get_data(as_text=True)
    assert "سُحبت الدعوة" in page and "salma@example.org" not in page
    with app.app_context():
        assert db.session().scalars(select(AuditEvent.action).where(
            AuditEvent.action == "invitation.revoked")).one()
    client.post("/logout", data={"csrf_token": _csrf(auth)})
    answer = client.get(path)
    assert answer.status_code == 403 and "سُحبت هذه الدعوة" in answer.get_data(as_text=True)
    client.post("/language", data={"lang": "fr", "csrf_token": Auth(client).csrf()})
    answer = client.post(path, data={"name": "Salma", "password": "a long enough secret",
                                     "csrf_token": Auth(client).csrf()})
    assert answer.status_code == 403 and "Cette invitation a été retirée" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalars(select(RoleAssignment).where(RoleAssignment.role == "reviewer")).first() is None


def test_a_reused_id_does_not_revive_a_withdrawn_link(client, auth, app, world):
    # SQLite may give the next invitation the id of the one just withdrawn.
    auth.login("coordinator@example.org")
    old = invitation_path(_invite(client, auth, world["card"], "first@example.org", "viewer"))
    client.post(f"/cards/{world['card']}/roles", data={"action": "revoke_invitation", "csrf_token": _csrf(auth),
                                                       "invitation_id": _invitation_id(app, "first@example.org")})
    new = invitation_path(_invite(client, auth, world["card"], "second@example.org", "viewer"))
    client.post("/logout", data={"csrf_token": _csrf(auth)})
    assert client.get(old).status_code == 403
    page = client.get(new)
    assert page.status_code == 200 and "second@example.org" in page.get_data(as_text=True)


def test_only_those_who_may_grant_the_role_withdraw_it(client, auth, app, world):
    auth.login("coordinator@example.org")
    _invite(client, auth, world["card"], "gate@example.org", "reviewer")
    _invite(client, auth, world["card"], "helper@example.org", "contributor")
    client.post("/logout", data={"csrf_token": _csrf(auth)})
    gate, helper = _invitation_id(app, "gate@example.org"), _invitation_id(app, "helper@example.org")
    # The lead sees both, with a withdraw button only for the role a lead hands out.
    auth.login("lead@example.org")
    rows = _pending_rows(client.get(f"/cards/{world['card']}/roles").get_data(as_text=True))
    by_email = {("gate" if "gate@" in r else "helper"): r for r in rows}
    assert 'value="revoke_invitation"' not in by_email["gate"]
    assert 'value="revoke_invitation"' in by_email["helper"]
    res = client.post(f"/cards/{world['card']}/roles", data={"action": "revoke_invitation", "invitation_id": gate,
                                                             "csrf_token": _csrf(auth)})
    assert res.status_code == 403 and "وحده منسق الخطة" in res.get_data(as_text=True)
    api = client.delete(f"/api/v1/cards/{world['card']}/invitations/{gate}", headers=bearer(app, world["lead"]))
    assert api.status_code == 403
    # Without the session's CSRF token nothing happens.
    res = client.post(f"/cards/{world['card']}/roles", data={"action": "revoke_invitation", "invitation_id": helper})
    assert res.status_code == 400
    res = client.post(f"/cards/{world['card']}/roles", data={"action": "revoke_invitation", "invitation_id": helper,
                                                             "csrf_token": _csrf(auth)})
    assert res.status_code == 302
    with app.app_context():
        assert set(db.session().scalars(select(Invitation.email))) == {"gate@example.org"}


def test_outsiders_and_members_without_role_rights_cannot_list_or_withdraw(client, auth, app, world):
    auth.login("coordinator@example.org")
    _invite(client, auth, world["card"], "salma@example.org", "viewer")
    client.post("/logout", data={"csrf_token": _csrf(auth)})
    ident = _invitation_id(app, "salma@example.org")
    for who in ("stranger", "contributor"):
        h = bearer(app, world[who])
        assert client.get(f"/api/v1/cards/{world['card']}/invitations", headers=h).status_code == 403, who
        assert client.delete(f"/api/v1/cards/{world['card']}/invitations/{ident}", headers=h).status_code == 403, who
        auth.login(f"{who}@example.org")
        res = client.post(f"/cards/{world['card']}/roles", data={"action": "revoke_invitation", "invitation_id": ident,
                                                                 "csrf_token": _csrf(auth)})
        assert res.status_code == 403, who
        page = client.get(f"/cards/{world['card']}/roles").get_data(as_text=True)
        assert "salma@example.org" not in page, who
        client.post("/logout", data={"csrf_token": _csrf(auth)})
    # The card's own roles page cannot reach another card's invitation.
    coord = bearer(app, world["coordinator"])
    assert client.delete(f"/api/v1/cards/{world['other_card']}/invitations/{ident}", headers=coord).status_code == 404
    assert client.delete(f"/api/v1/plans/{world['plan']}/invitations/{ident}", headers=coord).status_code == 404
    with app.app_context():
        assert db.session().scalars(select(Invitation.email)).all() == ["salma@example.org"]


def test_the_api_lists_and_withdraws_pending_invitations(client, app, world):
    coord = bearer(app, world["coordinator"])
    made = client.post(f"/api/v1/plans/{world['plan']}/invitations", headers=coord,
                       json={"email": "steer@example.org", "role": "steering"})
    assert made.status_code == 201
    listing = client.get(f"/api/v1/plans/{world['plan']}/invitations", headers=coord)
    assert listing.status_code == 200
    assert [(i["email"], i["role"], i["card_id"]) for i in listing.json] == [("steer@example.org", "steering", None)]
    assert listing.json[0]["expires_at"]
    assert client.get(f"/api/v1/cards/{world['card']}/invitations", headers=coord).json == []
    res = client.delete(f"/api/v1/plans/{world['plan']}/invitations/{made.json['id']}", headers=coord)
    assert res.status_code == 204
    assert client.get(f"/api/v1/plans/{world['plan']}/invitations", headers=coord).json == []
    path = "/invitations/" + made.json["link"].split("/invitations/")[1]
    res = client.get(path)
    assert res.status_code == 403 and "سُحبت هذه الدعوة" in res.get_data(as_text=True)


def test_removing_a_role_asks_first(client, auth, app, world):
    auth.login("coordinator@example.org")
    with app.app_context():
        ident = db.session().scalars(select(RoleAssignment.id).where(
            RoleAssignment.user_id == world["contributor"])).one()
    res = client.post(f"/cards/{world['card']}/roles", data={"action": "revoke", "assignment_id": ident,
                                                             "csrf_token": _csrf(auth)})
    page = res.get_data(as_text=True)
    assert res.status_code == 200
    confirm = re.search(r'<form method="post" class="notice stack" id="confirm-revoke">.*?</form>', page, re.S)[0]
    assert "contributor" in confirm and 'name="confirm" value="yes"' in confirm
    assert f'value="{ident}"' in confirm and "إلغاء" in confirm  # a way back
    with app.app_context():  # nothing removed yet
        assert db.session().get(RoleAssignment, ident) is not None
    res = client.post(f"/cards/{world['card']}/roles", data={"action": "revoke", "assignment_id": ident,
                                                             "confirm": "yes", "csrf_token": _csrf(auth)})
    assert res.status_code == 302
    with app.app_context():
        assert db.session().get(RoleAssignment, ident) is None
