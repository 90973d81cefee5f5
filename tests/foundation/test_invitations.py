"""An invitation is for the address it was sent to, and its link never travels in a URL but its own."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server import db
from server.models import Invitation, RoleAssignment
from tests.conftest import Auth, email_of
from tests.foundation.test_accounts import invitation_path


@pytest.fixture
def invited(app, factory, client, auth):
    """A lead invitation for salma@example.org to a card, made on the roles page; then signed out."""
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin)
    auth.login(email_of(app, admin))
    res = client.post(f"/cards/{card}/roles", data={"action": "invite", "email": "salma@example.org",
                                                     "role": "lead", "csrf_token": auth.headers()["X-CSRF-Token"]})
    path = invitation_path(res)
    client.post("/logout", data={"csrf_token": auth.headers()["X-CSRF-Token"]})
    return {"admin": admin, "plan": plan, "card": card, "path": path}


def _roles_of(app, user_id: int) -> list[str]:
    with app.app_context():
        return db.session().scalars(select(RoleAssignment.role).where(RoleAssignment.user_id == user_id)).all()


def test_someone_signed_in_as_another_account_cannot_take_it(client, auth, factory, app, invited):
    reviewer = factory.user(email="reviewer@example.org", language="fr")
    factory.grant(invited["admin"], reviewer, "reviewer", invited["plan"], invited["card"])
    auth.login("reviewer@example.org")
    page = client.get(invited["path"])
    text = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "Cette invitation a été envoyée à une autre adresse e-mail" in text
    assert 'action="/logout"' in text and f'value="{invited["path"]}"' in text  # offered to sign out
    res = client.post(invited["path"], data={"csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 403
    assert _roles_of(app, reviewer) == ["reviewer"]
    with app.app_context():
        assert db.session().scalars(select(Invitation)).one().accepted_at is None
    # Signing out from there comes back to the invitation after signing in.
    res = client.post("/logout", data={"csrf_token": auth.headers()["X-CSRF-Token"], "next": invited["path"]})
    assert res.status_code == 302 and "next=" in res.headers["Location"]


def test_an_address_with_an_account_needs_that_accounts_sign_in(client, auth, factory, app, invited):
    salma = factory.user(email="salma@example.org")
    page = client.get(invited["path"])
    assert page.status_code == 200 and 'name="password"' not in page.get_data(as_text=True)
    res = client.post(invited["path"], data={"csrf_token": Auth(client).csrf()})
    assert res.status_code == 302 and "/login?next=" in res.headers["Location"]
    assert _roles_of(app, salma) == []
    auth.login("salma@example.org")
    res = client.post(invited["path"], data={"csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/cards/{invited['card']}")
    assert _roles_of(app, salma) == ["lead"]


def test_the_link_is_shown_once_and_never_put_in_a_url(client, auth, factory, app):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    auth.login(email_of(app, admin))
    res = client.post(f"/plans/{plan}/roles", data={"action": "invite", "email": "late@example.org",
                                                    "role": "steering", "csrf_token": auth.headers()["X-CSRF-Token"]})
    path = invitation_path(res)
    again = client.get(f"/plans/{plan}/roles").get_data(as_text=True)
    assert path not in again


def test_a_name_with_direction_overrides_is_refused(client, invited, app):
    res = client.post(invited["path"], data={"name": "Salma \u202egnp.exe", "password": "a long enough secret",
                                             "csrf_token": Auth(client).csrf()})
    assert res.status_code == 422 and "رموز التحكم في اتجاه النص" in res.get_data(as_text=True)
    res = client.post(invited["path"], data={"name": "\u200fسلمى Salma", "password": "a long enough secret",
                                             "csrf_token": Auth(client).csrf()})
    assert res.status_code == 302  # a plain direction mark is fine
    assert client.get("/api/v1/me").json["name"] == "\u200fسلمى Salma"  # and signed in
