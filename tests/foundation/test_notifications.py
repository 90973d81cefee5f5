"""The inbox as people see it (bell, notifications page, dashboard count) and the grouped mail."""
from __future__ import annotations

import re

from datetime import timedelta

import pytest

from server import db
from server.models import Notification, User, utcnow
from server.services import mail, notifications
from tests.conftest import email_of


@pytest.fixture
def world(app, factory):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin, fields={"title": "الحق في المعلومة"})
    lead = factory.user(language="fr")
    reviewer = factory.user()
    factory.grant(admin, lead, "lead", plan, card)
    factory.grant(admin, reviewer, "reviewer", plan, card)
    with app.app_context():
        session = db.session()
        session.get(User, reviewer).name = '<script>alert("x")</script> Salma'
        session.commit()
    return {"plan": plan, "card": card, "lead": lead, "reviewer": reviewer}


def _comment(client, auth, app, world, body="Une question"):
    auth.login(email_of(app, world["reviewer"]))
    answer = client.post(f"/api/v1/cards/{world['card']}/threads", json={"body": body}, headers=auth.headers())
    assert answer.status_code == 201
    return answer.get_json()


def test_the_bell_counts_and_the_page_lists_with_names_inert(app, client, auth, world):
    thread = _comment(client, auth, app, world)
    auth.login(email_of(app, world["lead"]))
    page = client.get(f"/plans/{world['plan']}").get_data(as_text=True)
    assert 'class="bell bell-unread"' in page and '<span class="bell-count" aria-hidden="true">1</span>' in page
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "<script>alert" not in inbox and "&lt;script&gt;" in inbox
    assert "a ouvert une discussion sur votre fiche" in inbox  # the lead reads French
    dashboard = client.get(f"/plans/{world['plan']}").get_data(as_text=True)
    assert re.search(r'class="open-threads"[^>]*>1<', dashboard)
    with app.app_context():
        note_id = db.session().query(Notification.id).filter_by(user_id=world["lead"]).scalar()
    opened = client.get(f"/notifications/{note_id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/cards/{world['card']}#thread-{thread['id']}")
    assert "bell-count" not in client.get("/notifications").get_data(as_text=True)


def test_someone_elses_notification_is_not_theirs_to_open(app, client, auth, world):
    _comment(client, auth, app, world)
    with app.app_context():
        note_id = db.session().query(Notification.id).filter_by(user_id=world["lead"]).scalar()
    auth.login(email_of(app, world["reviewer"]))
    assert client.get(f"/notifications/{note_id}").headers["Location"].endswith("/notifications")
    with app.app_context():
        assert db.session().get(Notification, note_id).read_at is None
    other = client.post("/api/v1/notifications/read", json={"ids": [note_id]}, headers=auth.headers()).get_json()
    assert other["marked"] == 0


def test_mail_is_grouped_per_card_and_spaced_out(app, client, auth, world, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "send", lambda config, to, subject, text: sent.append((to, subject, text)) or True)
    config = {"SMTP_HOST": "mail.example.org", "PUBLIC_URL": "https://iltizam.example.ma"}
    thread = _comment(client, auth, app, world)
    client.post(f"/api/v1/threads/{thread['id']}/comments", json={"body": "Et une autre"}, headers=auth.headers())
    auth.login(email_of(app, world["lead"]))
    client.post(f"/api/v1/threads/{thread['id']}/comments", json={"body": "Je regarde"}, headers=auth.headers())
    auth.login(email_of(app, world["reviewer"]))
    client.post(f"/api/v1/threads/{thread['id']}/comments", json={"body": "Merci !"}, headers=auth.headers())
    with app.app_context():
        session = db.session()
        assert notifications.send_due(session, config) == 2  # the lead and the reviewer, one mail each
        assert sorted(to for to, _s, _t in sent) == sorted([email_of(app, world["lead"]), email_of(app, world["reviewer"])])
        lead_mail = next(text for to, _s, text in sent if to == email_of(app, world["lead"]))
        assert "https://iltizam.example.ma/cards/" in lead_mail and "Merci !" in lead_mail
        assert notifications.send_due(session, config) == 0
    auth.login(email_of(app, world["lead"]))
    client.post(f"/api/v1/threads/{thread['id']}/comments", json={"body": "Encore"}, headers=auth.headers())
    with app.app_context():
        session = db.session()
        assert notifications.send_due(session, config) == 0  # within ten minutes of the last mail
        assert notifications.send_due(session, config, utcnow() + timedelta(minutes=11)) == 1


def test_mail_can_be_turned_off(app, client, auth, world, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "send", lambda config, to, subject, text: sent.append(to) or True)
    auth.login(email_of(app, world["lead"]))
    client.post("/notifications", data={"action": "mail", "csrf_token": auth.csrf()})
    _comment(client, auth, app, world)
    with app.app_context():
        assert notifications.send_due(db.session(), {"SMTP_HOST": "mail.example.org"}) == 0
    assert sent == []
