"""Where users reach the exports: download endpoints, Word import, the audit trail."""
from __future__ import annotations

import io
import json
import zipfile

import jsonschema
import pytest
from docx import Document
from sqlalchemy import func, select

import exports
from server import db
from server.auth.tokens import create_token
from server.models import AuditEvent, Card, User

FIELDS = {
    "title": "نشر الميزانية المواطنة",
    "problem": [{"type": "paragraph", "content": [
        {"type": "text", "text": "لا يطلع المواطنون على الميزانية. "},
        {"type": "text", "text": "Le budget citoyen reste peu connu.", "marks": [{"type": "italic"}]}]}],
    "milestones": [{"activity": "إعداد الدليل", "deliverable": "دليل منشور", "start": "2024-03",
                    "end": "2024-09", "responsible": "وزارة الاقتصاد والمالية"}],
    "ogp_values": {"transparency": {"selected": True, "justification": "نشر المعطيات"}},
}


def _bearer(app, user_id):
    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, user_id))
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(app, factory):
    admin = factory.user(admin=True)
    plan = factory.plan(admin, coordinator_org_id=factory.org("government", "Ministère"))
    axis = factory.axis(plan, admin)
    card = factory.card(plan, admin, axis_id=axis, fields=FIELDS)
    reviewer = factory.user()
    factory.grant(admin, reviewer, "reviewer", plan, card)
    return {"plan": plan, "card": card, "axis": axis, "h": _bearer(app, admin), "reviewer": _bearer(app, reviewer)}


def _bidi_paragraphs(data: bytes) -> tuple[int, int]:
    doc = Document(io.BytesIO(data))
    paragraphs = [p for p in doc.element.body.iter() if p.tag.endswith("}p")]
    with_bidi = [p for p in paragraphs if p.find(".//{*}bidi") is not None]
    return len(with_bidi), len(paragraphs)


def test_card_docx_in_arabic_and_french(client, world):
    res = client.get(f"/api/v1/cards/{world['card']}/export.docx?lang=ar", headers=world["h"])
    assert res.status_code == 200
    assert res.headers["Content-Disposition"] == 'attachment; filename="iltizam-card-1-ar.docx"'
    bidi, total = _bidi_paragraphs(res.data)
    assert total > 10 and bidi == total
    text = "\n".join(p.text for p in Document(io.BytesIO(res.data)).paragraphs)
    tables_text = zipfile.ZipFile(io.BytesIO(res.data)).read("word/document.xml").decode()
    assert "دليل منشور" in tables_text and "نشر الميزانية المواطنة" in text + tables_text
    fr = client.get(f"/api/v1/cards/{world['card']}/export.docx?lang=fr", headers=world["h"])
    assert "Jalons et activités" in zipfile.ZipFile(io.BytesIO(fr.data)).read("word/document.xml").decode()


def test_markdown_and_open_data(client, world):
    md = client.get(f"/api/v1/cards/{world['card']}/export.md?lang=fr", headers=world["h"])
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    assert "| Activité |" in md.get_data(as_text=True)
    js = client.get(f"/api/v1/plans/{world['plan']}/export.json", headers=world["h"])
    data = json.loads(js.data)
    jsonschema.validate(data, exports.open_data_schema())


def test_open_data_lists_each_cards_real_sign_offs_without_e_mail_addresses(client, app, factory):
    from server.collab.wiring import documents
    from server.services import exports as export_service
    from tests.foundation import approval_world

    people = approval_world.build(factory)
    card, plan = people["card"], people["plan"]
    h = {name: _bearer(app, people[name]) for name in ("lead", "co_lead", "steering_gov", "coordinator")}
    for criterion in approval_world.ATTESTATIONS:
        res = client.put(f"/api/v1/cards/{card}/attestations/{criterion}", json={"attested": True}, headers=h["lead"])
        assert res.status_code == 200, res.json
    assert client.post(f"/api/v1/cards/{card}/submit", json={}, headers=h["lead"]).status_code == 200
    shown = client.get(f"/api/v1/cards/{card}", headers=h["lead"]).json["content_hash"]
    for name, decision, note in (("steering_gov", "approve", ""), ("co_lead", "reject", "الشركاء غير مذكورين")):
        res = client.post(f"/api/v1/cards/{card}/signoffs", headers=h[name],
                          json={"decision": decision, "content_hash": shown, "note": note})
        assert res.status_code == 201, res.json
    with app.app_context():
        annex = export_service.signoff_entries(db.session(), documents(app), [db.session().get(Card, card)])
        emails = [db.session().get(User, people[n]).email for n in ("steering_gov", "co_lead", "lead")]
    assert {s["role"] for s in annex} == {"steering", "co_lead"}

    card_file = client.get(f"/api/v1/cards/{card}/export.json", headers=h["lead"])
    plan_file = client.get(f"/api/v1/plans/{plan}/export.json", headers=h["coordinator"])
    for res in (card_file, plan_file):
        assert res.status_code == 200
        jsonschema.validate(res.json, exports.open_data_schema())
        text = res.get_data(as_text=True)
        assert not [e for e in emails if e in text]
    commitment = card_file.json["commitment"]
    in_plan = next(c for a in plan_file.json["plan"]["axes"] for c in a["commitments"]
                   if c["number"] == commitment["number"])
    for listed, lang in ((commitment["signoffs"], card_file.json["language"]),
                         (in_plan["signoffs"], plan_file.json["language"])):
        assert sorted((s["role"], s["decision"], s["name"], s["date"], s["hash"], s["current"]) for s in listed) == \
            sorted((s["role"], s["decision"], s["name"], s["date"], s["hash"], s["current"]) for s in annex)
        steering = next(s for s in listed if s["role"] == "steering")
        party = next(s["party"] for s in annex if s["role"] == "steering")
        assert steering["party"] == ({lang: party[lang]} if lang else party)
        assert steering["organisation"] and steering["hash"] == shown and steering["current"] is True


def test_plan_docx_is_audited_and_needs_the_plan_role(client, world, app):
    res = client.get(f"/api/v1/plans/{world['plan']}/export.docx?lang=ar", headers=world["h"])
    assert res.status_code == 200 and res.data[:2] == b"PK"
    assert client.get(f"/api/v1/plans/{world['plan']}/export.docx", headers=world["reviewer"]).status_code == 403
    assert client.get(f"/api/v1/cards/{world['card']}/export.md", headers=world["reviewer"]).status_code == 200
    assert client.get(f"/api/v1/cards/{world['card']}/export.docx?lang=de", headers=world["h"]).status_code == 422
    with app.app_context():
        events = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert [(e.details["format"], e.card_id is None) for e in events] == [("docx", True), ("md", False)]


def test_word_round_trip_through_the_api(client, world, app):
    docx = client.get(f"/api/v1/cards/{world['card']}/export.docx?lang=ar", headers=world["h"]).data
    res = client.post(f"/api/v1/plans/{world['plan']}/import", headers=world["h"],
                      data={"file": (io.BytesIO(docx), "card.docx"), "axis_id": str(world["axis"])},
                      content_type="multipart/form-data")
    assert res.status_code == 201, res.json
    assert any(r["field"] == "milestones" and r["status"] == "mapped" for r in res.json["report"])
    new = client.get(f"/api/v1/cards/{res.json['card']['id']}", headers=world["h"]).json["content"]["fields"]
    old = client.get(f"/api/v1/cards/{world['card']}", headers=world["h"]).json["content"]["fields"]
    assert new["title"] == old["title"]
    assert new["problem"] == old["problem"]
    strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
    assert strip(new["milestones"]) == strip(old["milestones"])
    with app.app_context():
        assert db.session().scalars(select(AuditEvent.action).where(AuditEvent.action == "card.imported")).one()


@pytest.mark.parametrize("payload,code,status", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 600,
     "encrypted", 422),
    (b"this is not a word document at all", "not_docx", 422),
    (b"PK\x03\x04" + b"\0" * 40, "corrupt", 422),
    (b"PK" + b"\0" * 5000, "too_large", 413),
])
def test_bad_uploads_create_nothing(client, world, app, payload, code, status, monkeypatch):
    # A small limit stands in for the real 10 MiB so the test does not upload megabytes.
    monkeypatch.setattr("server.services.imports.MAX_UPLOAD", 4096)
    res = client.post(f"/api/v1/plans/{world['plan']}/import", headers=world["h"],
                      data={"file": (io.BytesIO(payload), "x.docx")}, content_type="multipart/form-data")
    assert res.status_code == status and res.json["error"] == code, res.json
    assert res.json["message"]
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Card)) == 1


NO_AXIS = {"ar": "بدون محور", "fr": "Sans axe", "en": "Without axis"}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_cards_without_an_axis_are_grouped_under_their_own_heading(client, world, factory, lang):
    # Cards created through the API or imported with the default axis have none.
    res = client.post(f"/api/v1/plans/{world['plan']}/cards", headers=world["h"],
                      json={"fields": {"title": "Carte sans axe"}})
    assert res.status_code == 201, res.json
    for fmt in ("docx", "md", "json"):
        res = client.get(f"/api/v1/plans/{world['plan']}/export.{fmt}?lang={lang}", headers=world["h"])
        assert res.status_code == 200, (fmt, res.data[:300])
        if fmt == "docx":
            text = "\n".join(p.text for p in Document(io.BytesIO(res.data)).paragraphs)
        else:
            text = res.get_data(as_text=True)
        assert "Carte sans axe" in text and FIELDS["title"] in text
        assert NO_AXIS[lang] in text, fmt
    data = client.get(f"/api/v1/plans/{world['plan']}/export.json", headers=world["h"]).json
    jsonschema.validate(data, exports.open_data_schema())
    last = data["plan"]["axes"][-1]
    assert last["number"] is None and last["title"] == {"ar": NO_AXIS["ar"]}
    assert [c["title"] for c in last["commitments"]] == ["Carte sans axe"]


def test_export_errors_are_named_4xx_answers(client, world, monkeypatch):
    def broken(*args, **kwargs):
        raise exports.UnknownNodeError("script", "docx")

    monkeypatch.setitem(__import__("server.api.downloads", fromlist=["CARD_WRITERS"]).CARD_WRITERS, "docx", broken)
    res = client.get(f"/api/v1/cards/{world['card']}/export.docx?lang=fr", headers=world["h"])
    assert res.status_code == 422 and res.json["error"] == "content_not_exportable"
    assert "script" in res.json["message"]
    res = client.get(f"/api/v1/cards/{world['card']}/export.md?lang=de", headers=world["h"])
    assert res.status_code == 422 and res.json["error"] == "invalid" and res.json["field"] == "lang"
