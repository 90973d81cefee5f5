"""Signing in and out, cookies, throttling, invitations, the interface language."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from server import db
from server.models import Invitation, RoleAssignment, User
from tests.conftest import PASSWORD, email_of


def invitation_path(res) -> str:
    """The invitation link the roles page shows once in its answer, as a path; never in a URL."""
    assert res.status_code == 201 and "Location" not in res.headers
    link = html.unescape(re.search(r'value="(https?://[^"]+/invitations/[^"]+)"', res.get_data(as_text=True))[1])
    return "/invitations/" + link.split("/invitations/")[1]


def test_login_logout_and_cookie_flags(client, auth, factory, app):
    uid = factory.user(email="amina@example.org")
    res = auth.login("amina@example.org")
    assert res.status_code == 302
    cookie = res.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200
    with app.app_context():
        assert db.session().get(User, uid).password_hash.startswith("$argon2id$")
    res = client.post("/logout", data={"csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_wrong_password_then_throttled(client, auth, factory):
    factory.user(email="karim@example.org")
    for _ in range(5):
        assert auth.login("karim@example.org", "wrong password!").status_code == 401
    res = auth.login("karim@example.org")  # even the right password waits now
    assert res.status_code == 429
    assert "محاولات كثيرة" in res.get_data(as_text=True)


def test_login_form_without_csrf_is_refused(client, factory):
    factory.user(email="x@example.org")
    res = client.post("/login", data={"email": "x@example.org", "password": PASSWORD})
    assert res.status_code == 400


def test_open_redirects_are_refused(client, auth, factory):
    factory.user(email="y@example.org")
    token = auth.csrf()
    res = client.post("/login", data={"email": "y@example.org", "password": PASSWORD, "csrf_token": token,
                                      "next": "//evil.example/"})
    assert res.headers["Location"] == "/"


@pytest.mark.parametrize("target,expected", [
    ("/\t/evil.example", "/"), ("/\n/evil.example", "/"), ("/\r\n/evil.example", "/"),
    ("/\\evil.example", "/evil.example"), ("\\/evil.example", "/evil.example"),
    ("/\\/evil.example", "/"), ("/\x00/evil.example", "/"),
    ("https://evil.example/", "/"), ("//evil.example", "/"), (" //evil.example", "/"),
    ("/%09/evil.example", "/%09/evil.example"), ("evil.example", "/"), ("/\u2028/evil.example", "/"),
    ("/plans/1?x=1#top", "/plans/1?x=1#top"), ("", "/"),
])
def test_after_sign_in_only_same_site_paths(client, auth, factory, target, expected):
    factory.user(email="z@example.org")
    token = auth.csrf()
    res = client.post("/login", data={"email": "z@example.org", "password": PASSWORD, "csrf_token": token,
                                      "next": target})
    assert res.status_code == 302 and res.headers["Location"] == expected


def test_language_choice_persists_on_the_account(client, auth, factory, app):
    uid = factory.user(email="fr@example.org")
    auth.login("fr@example.org")
    client.post("/language", data={"lang": "fr", "next": "/", "csrf_token": auth.headers()["X-CSRF-Token"]})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page and "Plans d&#39;action" in page
    with app.app_context():
        assert db.session().get(User, uid).language == "fr"


def test_invitation_creates_account_and_role(client, auth, factory, app):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin)
    auth.login(email_of(app, admin))
    res = client.post(f"/cards/{card}/roles", data={"action": "invite", "email": "Salma@Example.org",
                                                     "role": "contributor", "csrf_token": auth.headers()["X-CSRF-Token"]})
    path = invitation_path(res)
    client.post("/logout", data={"csrf_token": auth.headers()["X-CSRF-Token"]})
    page = client.get(path)
    assert page.status_code == 200 and "salma@example.org" in page.get_data(as_text=True)
    token = auth.csrf()
    res = client.post(path, data={"name": "سلمى", "password": "short", "csrf_token": token})
    assert res.status_code == 422
    res = client.post(path, data={"name": "سلمى", "password": "a long enough secret", "csrf_token": token})
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/cards/{card}")
    with app.app_context():
        user = db.session().scalars(select(User).where(User.email == "salma@example.org")).one()
        roles = db.session().scalars(select(RoleAssignment.role).where(RoleAssignment.user_id == user.id)).all()
        assert roles == ["contributor"]
    assert client.get(path).status_code == 409  # used once only


def test_tampered_and_expired_invitations(client, auth, factory, app):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    assert client.get("/invitations/not-a-token").status_code == 404
    auth.login(email_of(app, admin))
    res = client.post(f"/plans/{plan}/roles", data={"action": "invite", "email": "late@example.org",
                                                    "role": "steering", "csrf_token": auth.headers()["X-CSRF-Token"]})
    path = invitation_path(res)
    with app.app_context():
        inv = db.session().scalars(select(Invitation)).one()
        inv.expires_at = inv.expires_at - timedelta(days=30)
        db.session().commit()
    res = client.get(path)
    assert res.status_code == 403 and "انتهت صلاحية هذه الدعوة" in res.get_data(as_text=True)
