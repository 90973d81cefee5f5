"""Making a card from the dashboard, changing its lead and co-lead while it is a draft, and the
checklist's links and attestations: as plain HTML forms, in the user's language, refused to
whoever the policy does not allow."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from server import db
from server.models import AuditEvent, Card, Organisation
from tests.conftest import email_of


def _world(factory, language="ar"):
    admin = factory.user(admin=True)
    coordinator = factory.user(language=language)
    gov = factory.org("government", "Ministère de la Justice")
    ngo = factory.org("civil_society", "Association Adala")
    plan = factory.plan(admin)
    factory.grant(admin, coordinator, "coordinator", plan)
    axis = factory.axis(plan, admin)
    card = factory.card(plan, admin, number="1", axis_id=axis, lead_org_id=gov, co_lead_org_id=ngo)
    return {"admin": admin, "coordinator": coordinator, "gov": gov, "ngo": ngo, "plan": plan,
            "axis": axis, "card": card}


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where))


def _post(client, auth, url, **data):
    return client.post(url, data={"csrf_token": auth.headers()["X-CSRF-Token"], **data})


# --- creating a card ---------------------------------------------------------------------------

def test_the_coordinator_creates_a_card_from_the_dashboard_and_lands_in_its_editor(client, auth, factory, app):
    w = _world(factory)
    auth.login(email_of(app, w["coordinator"]))
    dashboard = client.get(f"/plans/{w['plan']}").get_data(as_text=True)
    assert f'href="/plans/{w["plan"]}/cards/new"' in dashboard and "بطاقة جديدة" in dashboard
    form = client.get(f"/plans/{w['plan']}/cards/new").get_data(as_text=True)
    assert 'value="2"' in form  # the next free number is offered
    lead_list = form[form.index('id="card-new-lead"'):form.index('id="card-new-co_lead"')]
    assert "مؤسسة Ministère de la Justice" in lead_list and "Association Adala" not in lead_list
    assert "مؤسسة Association Adala" in form[form.index('id="card-new-co_lead"'):]
    res = _post(client, auth, f"/plans/{w['plan']}/cards/new", number="2", axis_id=str(w["axis"]),
                lead=str(w["gov"]), co_lead=str(w["ngo"]))
    assert res.status_code == 302
    card_id = int(re.search(r"/cards/(\d+)$", res.headers["Location"])[1])
    with app.app_context():
        card = db.session().get(Card, card_id)
        assert (card.plan_id, card.number, card.axis_id, card.lead_org_id, card.co_lead_org_id, card.status) == (
            w["plan"], "2", w["axis"], w["gov"], w["ngo"], "draft")
    page = client.get(res.headers["Location"]).get_data(as_text=True)
    assert 'id="card-editor"' in page and 'data-can-edit="true"' in page and "أُنشئت البطاقة رقم 2" in page
    assert _count(app, AuditEvent, AuditEvent.action == "card.created", AuditEvent.card_id == card_id) == 1


def test_new_organisations_are_added_in_the_same_form_on_their_side(client, auth, factory, app):
    w = _world(factory)
    auth.login(email_of(app, w["coordinator"]))
    res = _post(client, auth, f"/plans/{w['plan']}/cards/new", number="7", lead="new",
                lead_name_ar="وزارة الانتقال الرقمي", lead_name_fr="Ministère de la Transition numérique",
                co_lead="new", co_lead_name_ar="جمعية الشفافية", co_lead_name_fr="Association Transparence")
    assert res.status_code == 302
    with app.app_context():
        card = db.session().scalars(select(Card).where(Card.plan_id == w["plan"], Card.number == "7")).one()
        assert (card.lead_org.kind, card.lead_org.name_ar, card.lead_org.name_fr) == (
            "government", "وزارة الانتقال الرقمي", "Ministère de la Transition numérique")
        assert (card.co_lead_org.kind, card.co_lead_org.name_fr) == ("civil_society", "Association Transparence")


def test_a_duplicate_number_says_so_in_the_users_language_and_keeps_what_was_typed(client, auth, factory, app):
    w = _world(factory)
    auth.login(email_of(app, w["coordinator"]))
    orgs = _count(app, Organisation)
    res = _post(client, auth, f"/plans/{w['plan']}/cards/new", number="1", lead="new",
                lead_name_ar="وزارة الصحة", lead_name_fr="Ministère de la Santé", co_lead=str(w["ngo"]))
    page = res.get_data(as_text=True)
    assert res.status_code == 409
    assert "الرقم 1 مستعمل من قبل لبطاقة أخرى في هذه الخطة" in page
    assert re.search(r'id="card-new-number" name="number"[^>]*value="1" aria-invalid="true"', page)
    assert 'value="وزارة الصحة"' in page and 'value="Ministère de la Santé"' in page
    assert re.search(rf'<option value="{w["ngo"]}" selected', page) and '<option value="new" selected' in page
    # Nothing half-made: neither the card nor the organisation typed beside it.
    assert _count(app, Card, Card.plan_id == w["plan"]) == 1 and _count(app, Organisation) == orgs


def test_french_labels_and_errors_for_a_french_coordinator(client, auth, factory, app):
    w = _world(factory, language="fr")
    auth.login(email_of(app, w["coordinator"]))
    form = client.get(f"/plans/{w['plan']}/cards/new").get_data(as_text=True)
    assert "Nouvelle fiche" in form and "Ajouter une nouvelle organisation" in form and "Nom en arabe" in form
    res = _post(client, auth, f"/plans/{w['plan']}/cards/new", number="3", lead="new", lead_name_ar="",
                lead_name_fr="Ministère sans nom arabe")
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "Le nom en arabe est obligatoire" in page
    assert re.search(r'name="lead_name_ar"[^>]*aria-invalid="true"', page)
    assert 'value="Ministère sans nom arabe"' in page


def test_bad_organisations_and_axes_are_refused_with_a_message(client, auth, factory, app):
    w = _world(factory)
    other_plan = factory.plan(w["admin"])
    foreign_axis = factory.axis(other_plan, w["admin"])
    auth.login(email_of(app, w["coordinator"]))
    url = f"/plans/{w['plan']}/cards/new"
    for data, message in [
        ({"lead": "424242"}, "هذه المؤسسة غير موجودة."),
        ({"lead": "abc"}, "هذه المؤسسة غير موجودة."),
        ({"lead": str(w["ngo"])}, "الجهة المسؤولة يجب أن تكون مؤسسة حكومية."),
        ({"co_lead": str(w["gov"])}, "الشريك الرائد يجب أن يكون من المجتمع المدني"),
        ({"axis_id": str(foreign_axis)}, "هذا المحور ليس من محاور هذه الخطة."),
        ({"number": "x" * 30}, "رقم الالتزام نص قصير"),
    ]:
        res = _post(client, auth, url, **{"number": "9", **data})
        assert res.status_code == 422, data
        assert message in res.get_data(as_text=True), data
    assert _count(app, Card, Card.plan_id == w["plan"]) == 1


def test_only_those_the_policy_allows_create_cards(client, auth, factory, app):
    w = _world(factory)
    people = {role: factory.user() for role in ("lead", "contributor", "steering")}
    for role in ("lead", "contributor"):
        factory.grant(w["admin"], people[role], role, w["plan"], w["card"])
    factory.grant(w["admin"], people["steering"], "steering", w["plan"])
    people["outsider"] = factory.user()
    url = f"/plans/{w['plan']}/cards/new"
    for role, person in people.items():
        auth.login(email_of(app, person))
        assert client.get(url).status_code == 403, role
        res = _post(client, auth, url, number="5", lead=str(w["gov"]))
        assert res.status_code == 403, role
        res = _post(client, auth, url, number="6", lead="new", lead_name_ar="وزارة", lead_name_fr="Ministère")
        assert res.status_code == 403, role
        if role != "outsider":
            assert 'id="new-card-link"' not in client.get(f"/plans/{w['plan']}").get_data(as_text=True), role
    assert _count(app, Card, Card.plan_id == w["plan"]) == 1
    assert _count(app, Organisation, Organisation.name_fr == "Ministère") == 0
    # Signed out: to the sign-in page; without the CSRF token: refused.
    client.post("/logout", data={"csrf_token": auth.headers()["X-CSRF-Token"]})
    assert client.post(url, data={"number": "5"}).status_code == 302
    auth.login(email_of(app, w["coordinator"]))
    assert client.post(url, data={"number": "5"}).status_code == 400
    assert _count(app, Card, Card.plan_id == w["plan"]) == 1


# --- lead and co-lead on the card page ---------------------------------------------------------

def test_the_coordinator_changes_lead_and_co_lead_of_a_draft(client, auth, factory, app):
    w = _world(factory)
    gov2 = factory.org("government", "Ministère de la Santé")
    auth.login(email_of(app, w["coordinator"]))
    page = client.get(f"/cards/{w['card']}").get_data(as_text=True)
    assert 'id="card-meta"' in page and '<select id="field-lead" name="lead">' in page
    assert re.search(rf'<option value="{w["gov"]}" selected', page)
    res = _post(client, auth, f"/cards/{w['card']}/metadata", lead=str(gov2), co_lead="")
    assert res.status_code == 302
    with app.app_context():
        card = db.session().get(Card, w["card"])
        assert (card.lead_org_id, card.co_lead_org_id) == (gov2, None)
        event = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "card.updated",
                                                              AuditEvent.card_id == w["card"])).one()
        assert event.actor_id == w["coordinator"] and event.details["changes"]["lead_org_id"] == gov2
    res = _post(client, auth, f"/cards/{w['card']}/metadata", lead=str(w["ngo"]), co_lead=str(w["ngo"]))
    assert res.status_code == 422 and "الجهة المسؤولة يجب أن تكون مؤسسة حكومية." in res.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(Card, w["card"]).lead_org_id == gov2


def test_leads_cannot_change_the_lead_and_nobody_can_outside_draft(client, auth, factory, app):
    w = _world(factory)
    lead = factory.user()
    factory.grant(w["admin"], lead, "lead", w["plan"], w["card"])
    gov2 = factory.org("government")
    auth.login(email_of(app, lead))
    assert 'id="card-meta"' not in client.get(f"/cards/{w['card']}").get_data(as_text=True)
    assert _post(client, auth, f"/cards/{w['card']}/metadata", lead=str(gov2)).status_code == 403
    auth.login(email_of(app, factory.user()))
    assert _post(client, auth, f"/cards/{w['card']}/metadata", lead=str(gov2)).status_code == 403
    with app.app_context():
        db.session().get(Card, w["card"]).status = "in_review"
        db.session().commit()
    auth.login(email_of(app, w["coordinator"]))
    page = client.get(f"/cards/{w['card']}").get_data(as_text=True)
    assert 'id="card-meta"' not in page and 'id="field-lead"' in page  # shown, not changeable
    assert _post(client, auth, f"/cards/{w['card']}/metadata", lead=str(gov2)).status_code == 403
    with app.app_context():
        assert db.session().get(Card, w["card"]).lead_org_id == w["gov"]


# --- the checklist ----------------------------------------------------------------------------

def test_a_failing_criterion_names_and_links_its_fields(client, auth, factory, app):
    w = _world(factory)
    bare = factory.card(w["plan"], w["admin"], number="2", fields={"title": "عنوان"})
    auth.login(email_of(app, w["coordinator"]))
    page = client.get(f"/cards/{bare}").get_data(as_text=True)
    required = page[page.index('data-criterion="required_fields"'):page.index('data-criterion="length_limits"')]
    assert '<a href="#field-lead" data-field="lead" data-path="lead">إلزامي: الجهة المسؤولة عن التنفيذ</a>' in required
    assert 'data-path="summary"' in required and 'data-path="title"' not in required  # the title is filled
    assert '<select id="field-lead" name="lead">' in page  # where the link leads, on this page
    assert 'id="field-summary"' in page  # the static content, before the editor takes over
    criteria = client.get(f"/api/v1/cards/{bare}/criteria").json["criteria"]
    lead = next(t for c in criteria if c["id"] == "required_fields" for t in c["targets"] if t["field"] == "lead")
    assert lead == {"path": "lead", "field": "lead", "row": None, "part": None,
                    "label": {"ar": "الجهة المسؤولة عن التنفيذ", "fr": "Institution chef de file", "en": "Lead institution"}}


def test_manual_attestations_are_ticked_on_the_card_page_by_those_allowed(client, auth, factory, app):
    w = _world(factory)
    lead, reviewer = factory.user(), factory.user()
    factory.grant(w["admin"], lead, "lead", w["plan"], w["card"])
    factory.grant(w["admin"], reviewer, "reviewer", w["plan"], w["card"])
    url = f"/cards/{w['card']}/attestations"

    def state() -> bool:
        return next(c for c in client.get(f"/api/v1/cards/{w['card']}/criteria").json["criteria"]
                    if c["id"] == "baseline_data")["passed"]

    auth.login(email_of(app, reviewer))
    assert 'class="attest"' not in client.get(f"/cards/{w['card']}").get_data(as_text=True)
    assert _post(client, auth, url, criterion="baseline_data", attested="true").status_code == 403
    auth.login(email_of(app, lead))
    page = client.get(f"/cards/{w['card']}").get_data(as_text=True)
    assert 'name="criterion" value="baseline_data"' in page and "أصرّح بذلك" in page
    assert not state()
    res = _post(client, auth, url, criterion="baseline_data", attested="true")
    assert res.status_code == 302 and res.headers["Location"].endswith("#criteria-heading")
    assert state() and "سحب التصريح" in client.get(f"/cards/{w['card']}").get_data(as_text=True)
    assert _post(client, auth, url, criterion="baseline_data", attested="false").status_code == 302
    assert not state()
    res = _post(client, auth, url, criterion="required_fields", attested="true")
    assert res.status_code == 422 and "هذا المعيار ليس تصريحا" in res.get_data(as_text=True)
