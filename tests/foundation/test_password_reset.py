"""Forgotten passwords: a mailed link when SMTP is configured, else the coordinator issues one;
a link is signed, expires, works once, ends the account's other sessions, and the request form
neither tells which addresses have accounts nor floods anyone's mailbox."""
from __future__ import annotations

import html
import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from server.services import mail
from server.services import password_reset
from tests.conftest import PASSWORD, Auth
from tests.foundation.test_accounts import invitation_path

NEW = "a brand new secret"


@pytest.fixture
def mailbox(app, monkeypatch):
    sent: list[tuple[str, str, str]] = []
    app.config["SMTP_HOST"] = "mail.example.org"
    monkeypatch.setattr(mail, "send", lambda config, to, subject, text: sent.append((to, subject, text)) or True)
    return sent


@pytest.fixture
def world(app, factory):
    admin = factory.user(email="admin@example.org", admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin)
    other_plan = factory.plan(admin)
    people = {name: factory.user(email=f"{name}@example.org", language="fr" if name == "amina" else "ar")
              for name in ("coordinator", "amina", "lead", "busy", "stranger", "other_admin")}
    factory.grant(admin, people["coordinator"], "coordinator", plan)
    factory.grant(admin, people["amina"], "contributor", plan, card)
    factory.grant(admin, people["lead"], "lead", plan, card)
    factory.grant(admin, people["busy"], "viewer", plan, card)
    factory.grant(admin, people["busy"], "steering", other_plan)  # also works on a plan not theirs
    factory.grant(admin, people["stranger"], "steering", other_plan)
    return {"admin": admin, "plan": plan, "card": card, "other_plan": other_plan, **people}


def _forgot(client, email: str):
    return client.post("/password/forgot", data={"email": email, "csrf_token": Auth(client).csrf()})


def _link_path(text: str) -> str:
    return "/password/reset/" + re.search(r"/password/reset/([A-Za-z0-9_.\-]+)", html.unescape(text))[1]


def _csrf(client) -> str:
    with client.session_transaction() as sess:
        return sess["csrf"]


def test_the_login_page_offers_it(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "نسيت كلمة المرور؟" in page


def test_without_smtp_the_page_says_to_ask_the_coordinator(client, app, world, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "send", lambda *a: sent.append(a) or True)
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "اطلب من منسق خطتك" in page and 'name="email"' not in page
    res = _forgot(client, "amina@example.org")
    assert res.status_code == 200 and "اطلب من منسق خطتك" in res.get_data(as_text=True)
    assert sent == []


def test_the_answer_never_tells_whether_the_address_has_an_account(client, app, world, mailbox):
    known = _forgot(client, "Amina@example.org")
    unknown = _forgot(client, "nobody@example.org")
    strip = lambda res: re.sub(r'name="csrf[-_]token" (?:value|content)="[^"]+"', "", res.get_data(as_text=True))  # noqa: E731
    assert known.status_code == unknown.status_code == 200
    assert strip(known) == strip(unknown)
    assert "إذا كان لهذا العنوان حساب" in strip(known)
    assert [to for to, _, _ in mailbox] == ["amina@example.org"]
    to, subject, text = mailbox[0]
    assert "réinitialisation" in subject and "60 minutes" in text  # in the account's language


def test_a_mailed_link_sets_the_password_once_and_ends_other_sessions(client, app, world, mailbox, live):
    other = app.test_client()  # amina, signed in elsewhere
    Auth(other).login("amina@example.org")
    assert other.get("/api/v1/me").status_code == 200
    _forgot(client, "amina@example.org")
    path = _link_path(mailbox[0][2])
    page = client.get(path)
    assert page.status_code == 200 and "amina@example.org" in page.get_data(as_text=True)
    res = client.post(path, data={"password": NEW, "confirm": NEW + "x", "csrf_token": _csrf(client)})
    assert res.status_code == 422 and "غير متطابقتين" in res.get_data(as_text=True)
    res = client.post(path, data={"password": "short", "confirm": "short", "csrf_token": _csrf(client)})
    assert res.status_code == 422 and "10" in res.get_data(as_text=True)
    res = client.post(path, data={"password": NEW, "confirm": NEW})  # no CSRF token
    assert res.status_code == 400
    res = client.post(path, data={"password": NEW, "confirm": NEW, "csrf_token": _csrf(client)})
    assert res.status_code == 302
    assert client.get("/api/v1/me").json["email"] == "amina@example.org"  # this browser is signed in
    assert other.get("/api/v1/me").status_code == 401  # the other session has ended
    assert ("credentials", world["amina"]) in live.calls
    fresh = app.test_client()
    assert Auth(fresh).login("amina@example.org", PASSWORD).status_code == 401
    assert Auth(fresh).login("amina@example.org", NEW).status_code == 302
    # The same link again: used, said in French (amina's language is not known to a stranger's
    # browser, so the page speaks the browser's choice).
    again = app.test_client()
    again.post("/language", data={"lang": "fr", "csrf_token": Auth(again).csrf()})
    res = again.get(path)
    assert res.status_code == 403 and "déjà servi" in html.unescape(res.get_data(as_text=True))
    res = again.post(path, data={"password": "another new secret", "confirm": "another new secret",
                                 "csrf_token": _csrf(again)})
    assert res.status_code == 403
    assert Auth(app.test_client()).login("amina@example.org", NEW).status_code == 302


def test_expired_and_forged_links_are_refused_with_a_clear_message(client, app, world, mailbox):
    _forgot(client, "amina@example.org")
    path = _link_path(mailbox[0][2])
    app.config["PASSWORD_RESET_SECONDS"] = -1  # every link is now older than allowed
    res = client.get(path)
    assert res.status_code == 403 and "انتهت صلاحية رابط إعادة تعيين كلمة المرور" in res.get_data(as_text=True)
    res = client.post(path, data={"password": NEW, "confirm": NEW, "csrf_token": Auth(client).csrf()})
    assert res.status_code == 403
    app.config["PASSWORD_RESET_SECONDS"] = 3600
    token = path.rsplit("/", 1)[1]
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature tampered
        URLSafeTimedSerializer("another key", salt=password_reset.SALT).dumps([world["amina"], "x" * 32]),
        URLSafeTimedSerializer("test-secret", salt=password_reset.SALT).dumps([world["admin"], "x" * 32]),
    ]
    for bad in forged:
        res = client.get(f"/password/reset/{bad}")
        assert res.status_code in (403, 404), bad
        assert "كلمة المرور" in res.get_data(as_text=True) and 'name="password"' not in res.get_data(as_text=True)
    # An invitation's link is signed with the same key but is no reset link.
    auth = Auth(client)
    auth.login("coordinator@example.org")
    invite = client.post(f"/plans/{world['plan']}/roles", data={"action": "invite", "email": "x@example.org",
                                                                "role": "steering", "csrf_token": _csrf(client)})
    res = client.get("/password/reset/" + invitation_path(invite).rsplit("/", 1)[1])
    assert res.status_code == 404 and "غير صالح" in res.get_data(as_text=True)
    assert Auth(app.test_client()).login("admin@example.org", PASSWORD).status_code == 302


def test_the_form_cannot_flood_a_mailbox(client, app, world, mailbox):
    for _ in range(3):
        assert _forgot(client, "amina@example.org").status_code == 200
    res = _forgot(client, "amina@example.org")
    assert res.status_code == 429 and "طلبات كثيرة" in res.get_data(as_text=True) and res.headers["Retry-After"]
    assert len(mailbox) == 3
    # An address without an account is limited the same way: the limit tells nothing either.
    for _ in range(3):
        _forgot(client, "nobody@example.org")
    assert _forgot(client, "nobody@example.org").status_code == 429
    # Another person is not held back by it.
    assert _forgot(client, "lead@example.org").status_code == 200 and mailbox[-1][0] == "lead@example.org"


def test_one_address_cannot_spray_requests_over_many_accounts(client, app, world, mailbox):
    limit = app.config["RESET_REQUESTS_PER_ADDRESS"]
    for i in range(limit):
        _forgot(client, f"n{i}@example.org")
    assert _forgot(client, "amina@example.org").status_code == 429
    assert mailbox == []


def _issue(client, plan: int, email: str):
    return client.post(f"/plans/{plan}/roles", data={"action": "reset_link", "email": email, "csrf_token": _csrf(client)})


def test_the_coordinator_issues_a_link_for_a_member(client, app, world, live):
    Auth(client).login("coordinator@example.org")
    page = client.get(f"/plans/{world['plan']}/roles").get_data(as_text=True)
    assert 'value="reset_link"' in page
    res = _issue(client, world["plan"], "amina@example.org")
    text = res.get_data(as_text=True)
    assert res.status_code == 201
    notice = re.search(r'<div class="notice" id="reset-issued".*?</div>', text, re.S)[0]
    assert "amina@example.org" in notice and 'data-copy="reset-link"' in notice
    path = _link_path(notice)
    assert path not in client.get(f"/plans/{world['plan']}/roles").get_data(as_text=True)  # shown once
    amina = app.test_client()
    res = amina.post(path, data={"password": NEW, "confirm": NEW, "csrf_token": Auth(amina).csrf()})
    assert res.status_code == 302
    assert Auth(app.test_client()).login("amina@example.org", NEW).status_code == 302


def test_a_coordinator_cannot_reach_accounts_beyond_their_plans(client, app, world):
    Auth(client).login("coordinator@example.org")
    for email, message in (("stranger@example.org", "لا يوجد عضو في هذه الخطة"),  # only in another plan
                           ("nobody@example.org", "لا يوجد عضو في هذه الخطة"),  # no account: same answer
                           ("busy@example.org", "خطط أخرى لا تنسقها"),  # here and on another plan
                           ("admin@example.org", "إلا من طرف مدير")):  # an administrator
        res = _issue(client, world["plan"], email)
        text = res.get_data(as_text=True)
        assert res.status_code == 403 and message in text, email
        assert "/password/reset/" not in text, email
    # Not on another plan's page either (no role there), nor from a card's roles page.
    assert _issue(client, world["other_plan"], "stranger@example.org").status_code == 403
    res = client.post(f"/cards/{world['card']}/roles", data={"action": "reset_link", "email": "amina@example.org",
                                                             "csrf_token": _csrf(client)})
    assert res.status_code == 400 and "/password/reset/" not in res.get_data(as_text=True)


def test_a_lead_cannot_issue_reset_links(client, app, world):
    Auth(client).login("lead@example.org")
    assert 'value="reset_link"' not in client.get(f"/plans/{world['plan']}/roles").get_data(as_text=True)
    res = _issue(client, world["plan"], "amina@example.org")
    assert res.status_code == 403 and "/password/reset/" not in res.get_data(as_text=True)


def test_an_administrator_may_issue_one_for_anyone(client, app, world):
    Auth(client).login("admin@example.org")
    res = _issue(client, world["plan"], "busy@example.org")
    assert res.status_code == 201 and "/password/reset/" in res.get_data(as_text=True)
