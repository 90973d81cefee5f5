"""The pages people see: plans, the dashboard, a card, roles; in Arabic and in French."""
from __future__ import annotations

from tests.conftest import email_of


def _plan_with_card(app, factory):
    admin = factory.user(admin=True)
    gov = factory.org("government", "Ministère de la Justice")
    ngo = factory.org("civil_society", "Association Adala")
    plan = factory.plan(admin)
    axis = factory.axis(plan, admin)
    card = factory.card(plan, admin, axis_id=axis, lead_org_id=gov, co_lead_org_id=ngo,
                        fields={"title": "العدالة المنفتحة"})
    return admin, plan, card


def test_dashboard_lists_cards_with_their_criteria(client, auth, factory, app):
    admin, plan, card = _plan_with_card(app, factory)
    auth.login(email_of(app, admin))
    page = client.get(f"/plans/{plan}").get_data(as_text=True)
    assert "العدالة المنفتحة" in page
    assert "مؤسسة Ministère de la Justice" in page and "مسودة" in page
    assert '<meter min="0" max="' in page


def test_card_page_in_french_and_read_only_for_a_reviewer(client, auth, factory, app):
    admin, plan, card = _plan_with_card(app, factory)
    reviewer = factory.user(language="fr")
    factory.grant(admin, reviewer, "reviewer", plan, card)
    auth.login(email_of(app, reviewer))
    page = client.get(f"/cards/{card}").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page
    assert "Lecture seule" in page and "Votre rôle ne permet pas cette action." in page
    assert 'data-can-edit="false"' in page and 'data-can-comment="true"' in page
    assert "Problématique" in page  # labels from the template, in French
    assert client.get(f"/cards/{card}/roles").status_code == 200
    res = client.post(f"/cards/{card}/roles", data={"action": "grant", "email": "x@y.z", "role": "viewer",
                                                     "csrf_token": auth.headers()["X-CSRF-Token"]})
    assert res.status_code == 403


def test_strangers_get_403_and_unknown_cards_404(client, auth, factory, app):
    admin, plan, card = _plan_with_card(app, factory)
    auth.login(email_of(app, factory.user()))
    assert client.get(f"/cards/{card}").status_code == 403
    assert client.get(f"/plans/{plan}").status_code == 403
    assert client.get("/cards/424242").status_code == 404


def test_pages_need_sign_in(client, factory, app):
    admin, plan, card = _plan_with_card(app, factory)
    res = client.get(f"/cards/{card}")
    assert res.status_code == 302 and "/login?next=" in res.headers["Location"]
