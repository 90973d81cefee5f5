"""The public consultation: its window, what anyone may send and what is refused, moderation,
answers and counts, as a visitor and the people running the plan would see them."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from server import db
from server.models import Consultation, Contribution, utcnow
from server.services import consultation as consultation_service

from tests.foundation.publication_world import approve, contribution, open_consultation, publish


@pytest.fixture
def published(as_, world):
    approve(as_, world["card"])
    assert publish(as_, world["card"]).status_code == 201
    return world["card"]


def send(visitor, card, lang="ar", **data):
    return visitor.post(f"/api/v1/public/cards/{card}/contributions?lang={lang}", json=contribution(**data))


def stored(app) -> list[Contribution]:
    with app.app_context():
        found = list(db.session().query(Contribution).order_by(Contribution.id))
        db.session().expunge_all()
        return found


def test_the_window_opens_extends_and_closes(app, as_, world, published):
    plan, visitor = world["plan"], app.test_client()
    assert send(visitor, published).status_code == 409  # no consultation yet
    assert as_("lead").post(f"/plans/{plan}/consultation", {"action": "open", "closes_at": "2099-01-01"}).status_code == 403
    past = as_("coordinator").post(f"/plans/{plan}/consultation", {"action": "open", "closes_at": "2020-01-01"})
    assert past.status_code == 422 and past.get_json()["field"] == "closes_at"
    opened = open_consultation(as_, plan, days=10)
    assert opened.status_code == 200 and opened.get_json()["consultation"]["state"] == "open"
    assert open_consultation(as_, plan).status_code == 409  # one at a time
    last_day = opened.get_json()["consultation"]["last_day"]
    page = visitor.get(f"/public/cards/{published}").get_data(as_text=True)
    assert last_day in page and 'id="contribute"' in page
    earlier = as_("coordinator").post(f"/plans/{plan}/consultation", {"action": "extend", "closes_at": "2020-01-01"})
    assert earlier.status_code == 422
    later = (date.today() + timedelta(days=200)).isoformat()
    extended = as_("coordinator").post(f"/plans/{plan}/consultation", {"action": "extend", "closes_at": later})
    assert extended.status_code == 200 and extended.get_json()["consultation"]["last_day"] == later
    too_long = (date.today() + timedelta(days=400)).isoformat()
    assert as_("coordinator").post(f"/plans/{plan}/consultation",
                                   {"action": "extend", "closes_at": too_long}).status_code == 422
    assert send(visitor, published).status_code == 201

    # After its end a contribution is refused, in the visitor's language.
    with app.app_context():
        found = db.session().query(Consultation).one()
        found.closes_at = utcnow() - timedelta(seconds=1)
        db.session().commit()
    late = send(visitor, published, lang="fr", email="late@example.org")
    assert late.status_code == 409 and "consultation publique n'est pas ouverte" in late.get_json()["message"]
    assert len(stored(app)) == 1
    page = visitor.get(f"/public/cards/{published}").get_data(as_text=True)
    assert 'id="contribute"' not in page


def test_what_a_visitor_sends_is_checked_in_their_language_and_nothing_bad_is_kept(app, as_, world, published):
    open_consultation(as_, world["plan"])
    visitor = app.test_client()
    refusals = {
        "consent": dict(consent=False),
        "email": dict(email="not-an-address"),
        "name": dict(name="  "),
        "body": dict(body=""),
        "website": dict(website="http://spam.example"),  # the honeypot
        "field": dict(field="reviewers"),
    }
    for field, data in refusals.items():
        answer = send(visitor, published, **data)
        assert answer.status_code == 422 and answer.get_json()["field"] == field, (field, answer.get_json())
    override = send(visitor, published, name="\u202eأحمد")
    assert override.status_code == 422 and override.get_json()["field"] == "name"
    assert "اتجاه الكتابة" in override.get_json()["message"]  # Arabic by default
    french = send(visitor, published, lang="fr", consent=False)
    assert "publication de votre contribution" in french.get_json()["message"]
    huge = visitor.post(f"/api/v1/public/cards/{published}/contributions", json=contribution(body="x" * 1_000_000))
    assert huge.status_code == 413
    too_long = send(visitor, published, body="ب" * 5001)
    assert too_long.status_code == 422 and too_long.get_json()["field"] == "body"
    assert stored(app) == []

    # Script in a contribution is text on the page, never markup.
    sent = send(visitor, published, body="<script>alert(1)</script> [x](javascript:alert(1)) **مهم**")
    assert sent.status_code == 201 and sent.get_json()["state"] == "pending"
    assert "email" not in sent.get_json()
    (item,) = stored(app)
    assert as_("coordinator").post(f"/contributions/{item.id}/moderate", {"decision": "publish"}).status_code == 200
    page = visitor.get(f"/public/cards/{published}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page and "<strong>مهم</strong>" in page
    assert "souad@example.org" not in page


def test_the_html_form_keeps_what_was_written_after_a_refusal(app, as_, world, published):
    open_consultation(as_, world["plan"])
    visitor = app.test_client()
    form = {"name": "Karim", "email": "karim@example.org", "body": "Ajouter un jalon sur les données budgétaires.",
            "field": "milestones"}
    refused = visitor.post(f"/public/cards/{published}/contribute?lang=fr", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'role="alert"' in text
    assert "Ajouter un jalon sur les données budgétaires." in text and 'value="karim@example.org"' in text
    assert '<option value="milestones" selected>' in text
    sent = visitor.post(f"/public/cards/{published}/contribute?lang=fr", data={**form, "consent": "yes"})
    assert sent.status_code == 303 and "sent=1" in sent.headers["Location"]
    assert "Merci" in visitor.get(sent.headers["Location"]).get_data(as_text=True)
    (item,) = stored(app)
    assert item.field == "milestones" and item.lang == "fr" and item.state == "pending"


def test_a_flood_from_one_address_or_one_email_is_held_back(app, as_, world, published):
    open_consultation(as_, world["plan"])
    visitor = app.test_client()
    for _ in range(consultation_service.PER_EMAIL):
        assert send(visitor, published).status_code == 201
    refused = send(visitor, published)
    assert refused.status_code == 429 and refused.get_json()["error"] == "rate_limited"
    for n in range(consultation_service.PER_ADDRESS - consultation_service.PER_EMAIL):
        assert send(visitor, published, email=f"p{n}@example.org").status_code == 201
    assert send(visitor, published, email="another@example.org").status_code == 429
    # Another address is not held back by this one.
    other = visitor.post(f"/api/v1/public/cards/{published}/contributions", json=contribution(email="x@example.org"),
                         environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 201


def test_moderation_answers_and_counts(app, as_, world, published):
    plan, visitor = world["plan"], app.test_client()
    open_consultation(as_, plan)
    ids = [send(visitor, published, email=f"c{n}@example.org", body=f"مساهمة رقم {n}").get_json()["id"]
           for n in range(3)]
    on_plan = visitor.post(f"/api/v1/public/plans/{plan}/contributions",
                           json=contribution(email="plan@example.org", body="ملاحظة حول الخطة ككل")).get_json()["id"]
    queue = as_("steering_cso").get(f"/plans/{plan}/contributions?state=pending").get_json()["contributions"]
    assert [c["id"] for c in queue] == [*ids, on_plan] and queue[0]["email"] == "c0@example.org"
    assert as_("lead").get(f"/plans/{plan}/contributions?state=pending").status_code == 403
    assert as_("lead").post(f"/contributions/{ids[0]}/moderate", {"decision": "publish"}).status_code == 403
    assert visitor.post(f"/api/v1/contributions/{ids[0]}/moderate", json={"decision": "publish"}).status_code == 401
    bad = as_("steering_gov").post(f"/contributions/{ids[1]}/moderate", {"decision": "reject", "reason": "boring"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "reason"
    for cid in (ids[0], ids[2], on_plan):
        assert as_("steering_gov").post(f"/contributions/{cid}/moderate", {"decision": "publish"}).status_code == 200
    rejected = as_("coordinator").post(f"/contributions/{ids[1]}/moderate",
                                       {"decision": "reject", "reason": "off_topic", "note": "لا علاقة لها بالبطاقة"})
    assert rejected.status_code == 200 and rejected.get_json()["contribution"]["state"] == "rejected"
    assert as_("coordinator").post(f"/contributions/{ids[1]}/moderate", {"decision": "publish"}).status_code == 409

    # The lead answers on its card; the plan as a whole is the coordinator's to answer.
    assert as_("lead").post(f"/contributions/{ids[1]}/answer", {"outcome": "partly", "answer": "x"}).status_code == 409
    assert as_("contributor").post(f"/contributions/{ids[0]}/answer",
                                   {"outcome": "partly", "answer": "x"}).status_code == 403
    assert as_("lead").post(f"/contributions/{ids[0]}/answer", {"outcome": "maybe", "answer": "x"}).status_code == 422
    assert as_("lead").post(f"/contributions/{ids[0]}/answer", {"outcome": "partly", "answer": " "}).status_code == 422
    answered = as_("lead").post(f"/contributions/{ids[0]}/answer",
                                {"outcome": "taken_into_account", "answer": "أضفنا مؤشرا فصليا."})
    assert answered.status_code == 200
    assert as_("lead").post(f"/contributions/{on_plan}/answer", {"outcome": "partly", "answer": "x"}).status_code == 403
    assert as_("coordinator").post(f"/contributions/{on_plan}/answer",
                                   {"outcome": "out_of_scope", "answer": "يخص الخطة المقبلة."}).status_code == 200

    card_page = visitor.get(f"/public/cards/{published}").get_data(as_text=True)
    assert "مساهمة رقم 0" in card_page and "أضفنا مؤشرا فصليا." in card_page and "أُخذت بعين الاعتبار" in card_page
    assert "مساهمة رقم 1" not in card_page and "لا علاقة لها" not in card_page
    api = visitor.get(f"/api/v1/public/plans/{plan}").get_json()
    row = api["axes"][0]["cards"][0]
    assert row["contributions"] == 2  # the rejected one is not counted
    assert [c["answer"] for c in api["contributions"]] == ["يخص الخطة المقبلة."]
    report = visitor.get(f"/public/plans/{plan}/report").get_data(as_text=True)
    assert "مساهمة رقم 0" in report and "مساهمة رقم 1" not in report and "يخص الخطة المقبلة." in report
    csv_text = visitor.get(f"/public/plans/{plan}/report.csv?lang=fr").get_data(as_text=True)
    assert "Prise en compte" in csv_text and "مساهمة رقم 1" not in csv_text and "c0@example.org" not in csv_text
    report_docx = visitor.get(f"/public/plans/{plan}/report.docx")
    assert report_docx.status_code == 200 and report_docx.get_data()[:2] == b"PK"
    # Rejected after publication: hidden again, and no longer counted.
    as_("coordinator").post(f"/contributions/{ids[2]}/moderate", {"decision": "reject", "reason": "duplicate"})
    assert visitor.get(f"/api/v1/public/plans/{plan}").get_json()["axes"][0]["cards"][0]["contributions"] == 1


def test_with_mail_a_contribution_waits_for_its_sender_to_confirm(app, as_, world, published, monkeypatch):
    sent = []
    monkeypatch.setattr("server.services.mail.send", lambda config, to, subject, text: sent.append((to, text)) or True)
    app.config["SMTP_HOST"] = "mail.example.org"
    open_consultation(as_, world["plan"])
    visitor = app.test_client()
    item = send(visitor, published).get_json()
    assert item["state"] == "unconfirmed"
    assert as_("coordinator").get(f"/plans/{world['plan']}/contributions?state=pending").get_json()["contributions"] == []
    (to, text), = sent
    link = next(line for line in text.splitlines() if "/public/contributions/confirm/" in line)
    assert to == "souad@example.org"
    forged = link.replace("http://iltizam.test", "").replace("/confirm/", "/confirm/x")
    assert visitor.get(forged).status_code == 400
    assert visitor.get(link.replace("http://iltizam.test", "")).status_code == 200
    pending = as_("coordinator").get(f"/plans/{world['plan']}/contributions?state=pending").get_json()["contributions"]
    assert [c["id"] for c in pending] == [item["id"]]
    as_("coordinator").post(f"/contributions/{item['id']}/moderate", {"decision": "publish"})
    as_("lead").post(f"/contributions/{item['id']}/answer", {"outcome": "not_retained", "answer": "خارج الميزانية."})
    assert sent[-1][0] == "souad@example.org" and "خارج الميزانية." in sent[-1][1]
