"""A card whose document holds what the editor never writes still works for everyone.

Each poison is written straight into the card's stored document with pycrdt, as a hostile client
could over the live socket; then every way people read the card and its plan must answer.
"""
from __future__ import annotations

import io
import json

import jsonschema
import pytest
from docx import Document
from pycrdt import XmlElement, XmlFragment, XmlText

import exports
from server import db
from server.auth.tokens import create_token
from server.collab.wiring import documents
from server.models import User
from tests.conftest import email_of

TITLE = "نشر الميزانية المواطنة"
FIELDS = {"title": TITLE,
          "problem": [{"type": "paragraph", "content": [{"type": "text", "text": "Le budget citoyen."}]}]}


def _deep(fragment: XmlFragment) -> None:
    # 3,000 nested paragraphs, built one level at a time as a stream of socket updates would.
    node = fragment.children.append(XmlElement("paragraph"))
    for _ in range(3000):
        node = node.children.append(XmlElement("paragraph"))
    node.children.append(XmlText("kept at the bottom"))


def _script(fragment: XmlFragment) -> None:
    script = fragment.children.append(XmlElement("script"))
    script.children.append(XmlText("kept from script"))


def _text_style(fragment: XmlFragment) -> None:
    para = fragment.children.append(XmlElement("paragraph"))
    text = para.children.append(XmlText())
    text.insert(0, "kept in colour", {"textStyle": {"color": "red"}})


def _start(fragment: XmlFragment) -> None:
    ordered = fragment.children.append(XmlElement("orderedList", {"start": "²"}))
    item = ordered.children.append(XmlElement("listItem"))
    para = item.children.append(XmlElement("paragraph"))
    para.children.append(XmlText("kept in a list"))


def _nul(fragment: XmlFragment) -> None:
    para = fragment.children.append(XmlElement("paragraph"))
    para.children.append(XmlText("kept\x00 after NUL\x07"))


def _javascript(fragment: XmlFragment) -> None:
    para = fragment.children.append(XmlElement("paragraph"))
    text = para.children.append(XmlText())
    text.insert(0, "kept link text", {"link": {"href": "javascript:alert(1)"}})


POISONS = {"deep": (_deep, "kept at the bottom"), "script": (_script, "kept from script"),
           "textStyle": (_text_style, "kept in colour"), "start": (_start, "kept in a list"),
           "nul": (_nul, "kept after NUL"), "javascript": (_javascript, "kept link text")}


@pytest.fixture
def world(app, factory, auth):
    admin = factory.user(admin=True)
    plan = factory.plan(admin, coordinator_org_id=factory.org("government", "Ministère"))
    axis = factory.axis(plan, admin)
    card = factory.card(plan, admin, axis_id=axis, fields=FIELDS)
    healthy = factory.card(plan, admin, axis_id=axis, fields={"title": "Une carte saine"})
    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, admin))
        session.commit()
    auth.login(email_of(app, admin))
    return {"plan": plan, "card": card, "healthy": healthy, "h": {"Authorization": f"Bearer {secret}"}}


def _poison(app, card_id: int, poison) -> None:
    with app.app_context():
        documents(app).edit(card_id, lambda doc: poison(doc.get("problem", type=XmlFragment)))


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)


@pytest.mark.parametrize("name", sorted(POISONS))
def test_a_poisoned_card_still_reads_and_exports(app, client, world, name):
    poison, kept = POISONS[name]
    _poison(app, world["card"], poison)
    card, plan, h = world["card"], world["plan"], world["h"]

    res = client.get(f"/api/v1/cards/{card}", headers=h)
    assert res.status_code == 200, res.data[:300]
    body = res.get_json()
    assert body["content"]["fields"]["title"] == TITLE
    dumped = json.dumps(body["content"], ensure_ascii=False)
    assert kept in dumped and "Le budget citoyen." in dumped
    assert "javascript:" not in dumped and "\x00" not in dumped and "textStyle" not in dumped
    assert "²" not in dumped
    # The API says what it had to leave out, so a script sees the card is not as it was written.
    assert body["problems"] and all(p["code"] and p["field"] for p in body["problems"])

    page = client.get(f"/cards/{card}")
    assert page.status_code == 200
    assert TITLE in page.get_data(as_text=True)

    for fmt in ("docx", "md", "json"):
        res = client.get(f"/api/v1/cards/{card}/export.{fmt}?lang=fr", headers=h)
        assert res.status_code == 200, (fmt, res.data[:300])
        text = _docx_text(res.data) if fmt == "docx" else res.get_data(as_text=True)
        assert TITLE in text and kept in text, fmt
        assert "javascript:" not in text
        res = client.get(f"/api/v1/plans/{plan}/export.{fmt}?lang=ar", headers=h)
        assert res.status_code == 200, (fmt, res.data[:300])
        text = _docx_text(res.data) if fmt == "docx" else res.get_data(as_text=True)
        assert TITLE in text and "Une carte saine" in text and kept in text, fmt
        assert "javascript:" not in text

    dashboard = client.get(f"/plans/{plan}")
    assert dashboard.status_code == 200
    assert TITLE in dashboard.get_data(as_text=True) and "Une carte saine" in dashboard.get_data(as_text=True)


def test_what_was_dropped_is_reported_on_the_card_page(app, client, world):
    _poison(app, world["card"], _script)
    page = client.get(f"/cards/{world['card']}").get_data(as_text=True)
    assert "content-problems" in page and 'data-code="unknown_node"' in page
    assert "عنصر غير معروف أُزيل مع الإبقاء على نصه" in page  # the signed-in admin reads Arabic
    clean = client.get(f"/cards/{world['healthy']}").get_data(as_text=True)
    assert "content-problems" not in clean
    dashboard = client.get(f"/plans/{world['plan']}").get_data(as_text=True)
    assert dashboard.count("content-problem-count") == 1


def test_a_card_that_cannot_be_read_degrades_only_its_own_row_and_entry(app, client, world, monkeypatch):
    from server.services import cards as card_service

    real = card_service.content_and_problems

    def failing(documents_, card):
        if card.id == world["card"]:
            raise RuntimeError("the stored document is damaged")
        return real(documents_, card)

    monkeypatch.setattr(card_service, "content_and_problems", failing)
    dashboard = client.get(f"/plans/{world['plan']}")
    assert dashboard.status_code == 200
    page = dashboard.get_data(as_text=True)
    assert "card-unreadable" in page and "Une carte saine" in page
    for fmt in ("docx", "md", "json"):
        res = client.get(f"/api/v1/plans/{world['plan']}/export.{fmt}?lang=fr", headers=world["h"])
        assert res.status_code == 200, (fmt, res.data[:300])
        text = _docx_text(res.data) if fmt == "docx" else res.get_data(as_text=True)
        assert "Une carte saine" in text and "Cette fiche n'a pas pu être lue" in text or fmt == "json", fmt
    data = client.get(f"/api/v1/plans/{world['plan']}/export.json?lang=fr", headers=world["h"]).get_json()
    entries = [c for axis in data["plan"]["axes"] for c in axis["commitments"]]
    assert [bool(c.get("error")) for c in entries] == [True, False]
    jsonschema.validate(data, exports.open_data_schema())
    assert "RuntimeError" in entries[0]["error"]
