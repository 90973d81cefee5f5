"""Text that no field may hold is refused where it enters, naming the field, and nothing is written."""
from __future__ import annotations

import pytest

from server import db
from server.auth.tokens import create_token
from server.models import User


@pytest.fixture
def world(app, factory):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin, fields={"title": "Titre", "summary": "Résumé\nsur deux lignes"})
    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, admin))
        session.commit()
    return {"plan": plan, "card": card, "h": {"Authorization": f"Bearer {secret}"}}


def _fields(client, world):
    return client.get(f"/api/v1/cards/{world['card']}", headers=world["h"]).get_json()["content"]["fields"]


@pytest.mark.parametrize("fields, named", [
    # Refused as the request body is read (no text of it is valid), named by its place in the body.
    ({"summary": "OK ", "title": "x\ud800"}, "fields.title"),
    ({"summary": "OK ", "title": "nul\x00"}, "title"),
    ({"summary": "OK ", "title": "deux\nlignes"}, "title"),
    ({"summary": "del\x7f"}, "summary"),
    ({"summary": "c1\x85"}, "summary"),
    ({"milestones": [{"activity": "a\x1b[31m"}]}, "milestones[0].activity"),
    ({"start_date": "2024-03\n"}, "start_date"),
    ({"ogp_values": {"transparency": {"selected": True, "justification": "\x0c"}}}, "ogp_values.transparency.justification"),
    ({"problem": [{"type": "paragraph", "content": [{"type": "text", "text": "bell\x07"}]}]}, "problem[0].content[0]"),
    ({"problem": [{"type": "orderedList", "attrs": {"start": "²"}, "content": []}]}, "problem[0]"),
    ({"problem": [{"type": "paragraph", "content": [{"type": "paragraph"}]}]}, "problem[0].content[0]"),
])
def test_bad_text_is_refused_naming_the_field_and_nothing_is_written(client, world, fields, named):
    before = _fields(client, world)
    res = client.patch(f"/api/v1/cards/{world['card']}/content", headers=world["h"], json={"fields": fields})
    assert res.status_code == 422, res.data[:300]
    assert res.get_json()["field"] == named
    assert res.get_json()["message"]
    assert _fields(client, world) == before


def test_multi_line_text_keeps_its_line_breaks_and_tabs(client, world):
    res = client.patch(f"/api/v1/cards/{world['card']}/content", headers=world["h"],
                       json={"fields": {"summary": "une\n\tdeux", "milestones": [{"activity": "a\nb"}]}})
    assert res.status_code == 200, res.get_json()
    fields = _fields(client, world)
    assert fields["summary"] == "une\n\tdeux" and fields["milestones"][0]["activity"] == "a\nb"


def test_plan_and_axis_titles_refuse_control_characters(client, world):
    res = client.post(f"/api/v1/plans/{world['plan']}/axes", headers=world["h"],
                      json={"title_ar": "محور\x00", "title_fr": "Axe"})
    assert res.status_code == 422 and res.get_json()["field"] == "title_ar"
    res = client.patch(f"/api/v1/plans/{world['plan']}", headers=world["h"], json={"title_fr": "Plan\u0085"})
    assert res.status_code == 422 and res.get_json()["field"] == "title_fr"
