"""A plan's and an axis's English name, and the French one standing in where none was given."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.migrate import upgrade
from tests.conftest import email_of
from tests.foundation.test_api import bearer


@pytest.fixture
def plan(app, client, factory):
    admin = factory.user(admin=True, language="en")
    h = bearer(app, admin)
    made = client.post("/api/v1/plans", headers=h, json={
        "title_ar": "خطة تجريبية", "title_fr": "Plan d'essai", "period_start": "2024-01", "period_end": "2027-12"})
    assert made.status_code == 201, made.json
    named = client.post(f"/api/v1/plans/{made.json['id']}/axes", headers=h, json={
        "title_ar": "الشفافية", "title_fr": "Transparence", "title_en": "Transparency"}).json
    unnamed = client.post(f"/api/v1/plans/{made.json['id']}/axes", headers=h, json={
        "title_ar": "المشاركة", "title_fr": "Participation citoyenne", "title_en": "  "}).json
    return {"admin": admin, "h": h, "plan": made.json, "axes": (named, unnamed)}


def test_the_api_gives_the_english_name_or_null(client, plan):
    assert plan["plan"]["title_en"] is None
    named, unnamed = plan["axes"]
    assert named["title_en"] == "Transparency" and unnamed["title_en"] is None  # blank is none
    patched = client.patch(f"/api/v1/plans/{plan['plan']['id']}", headers=plan["h"],
                           json={"title_en": "Trial plan"}).json
    assert patched["title_en"] == "Trial plan" and patched["title_fr"] == "Plan d'essai"
    cleared = client.patch(f"/api/v1/plans/{plan['plan']['id']}", headers=plan["h"], json={"title_en": ""})
    assert cleared.json["title_en"] is None
    bad = client.patch(f"/api/v1/plans/{plan['plan']['id']}", headers=plan["h"], json={"title_en": "a\nb"})
    assert bad.status_code == 422 and bad.json["field"] == "title_en"


def test_the_english_interface_shows_the_english_name_else_the_french(app, client, auth, factory, plan):
    named, unnamed = plan["axes"]
    for axis in (named, unnamed):
        factory.card(plan["plan"]["id"], plan["admin"], axis_id=axis["id"])
    auth.login(email_of(app, plan["admin"]))
    page = client.get(f"/plans/{plan['plan']['id']}").get_data(as_text=True)
    assert "<h1>Plan d&#39;essai</h1>" in page  # no English name: the French one
    assert "1. Transparency" in page and "2. Participation citoyenne" in page and "1. Transparence" not in page

    client.patch(f"/api/v1/plans/{plan['plan']['id']}", headers=plan["h"], json={"title_en": "Trial plan"})
    assert "<h1>Trial plan</h1>" in client.get(f"/plans/{plan['plan']['id']}").get_data(as_text=True)
    for lang, title, axis in (("fr", "Plan d&#39;essai", "1. Transparence"), ("ar", "خطة تجريبية", "1. الشفافية")):
        client.post("/language", data={"lang": lang, "csrf_token": auth.headers()["X-CSRF-Token"]})
        page = client.get(f"/plans/{plan['plan']['id']}").get_data(as_text=True)
        assert f"<h1>{title}</h1>" in page and axis in page, lang


def test_the_cards_content_names_its_axis_in_english_or_french(client, factory, plan):
    named, unnamed = plan["axes"]
    for axis, english in ((named, "Transparency"), (unnamed, "Participation citoyenne")):
        card = client.post(f"/api/v1/plans/{plan['plan']['id']}/cards", headers=plan["h"],
                           json={"axis_id": axis["id"]}).json
        content = client.get(f"/api/v1/cards/{card['id']}", headers=plan["h"]).json["content"]
        assert content["card"]["axis"] == {"ar": axis["title_ar"], "fr": axis["title_fr"], "en": english}


def test_plans_and_axes_from_before_the_migration_have_no_english_name(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0006")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO plans (title_ar, title_fr, period_start, period_end, template_id, template_version, "
            "criteria, approval_policy, final, stage, stage_history, council_reference, created_at) "
            "VALUES ('خطة', 'Plan', '2024-01', '2027-12', 'ogp-card', 1, '{}', '{}', false, 'drafting', '[]', '', "
            "CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO axes (plan_id, number, title_ar, title_fr) VALUES (1, 1, 'محور', 'Axe')"))
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT title_en FROM plans")).scalar_one() == ""
        assert conn.execute(sa.text("SELECT title_en FROM axes")).scalar_one() == ""
    engine.dispose()
