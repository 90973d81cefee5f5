"""Approval on the pages: the card's approval section and its forms, versions and restore, the
plan's approval policy, the audit log and the dashboard's counts, in Arabic, French and English."""
from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape

from server.models import Signoff

from tests.conftest import email_of
from tests.foundation import approval_world

FIELDS, ATTESTATIONS = approval_world.FIELDS, approval_world.ATTESTATIONS
XSS = '<script>alert("x")</script>'


@pytest.fixture
def world(app, factory):
    return approval_world.build(factory, {"coordinator": "fr", "steering_cso": "fr"})


class Browser:
    """The test client as one of the world's people: pages read, forms posted with the CSRF token."""

    def __init__(self, app, client, auth, world) -> None:
        self.app, self.client, self.auth, self.world = app, client, auth, world
        self.who = None

    def __call__(self, name: str) -> Browser:
        if name != self.who:
            self.auth.login(email_of(self.app, self.world[name]))
            self.who = name
        return self

    def get(self, url: str):
        return self.client.get(url)

    def text(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def post(self, url: str, data: dict | None = None):
        return self.client.post(url, data={**(data or {}), "csrf_token": self.auth.headers()["X-CSRF-Token"]})

    def api(self, method: str, url: str, data=None):
        return self.client.open(f"/api/v1{url}", method=method, json=data, headers=self.auth.headers())


@pytest.fixture
def as_(app, client, auth, world):
    return Browser(app, client, auth, world)


def submitted(as_, card):
    for criterion in ATTESTATIONS:
        assert as_("lead").api("PUT", f"/cards/{card}/attestations/{criterion}", {"attested": True}).status_code == 200
    response = as_("lead").post(f"/cards/{card}/submit")
    assert response.status_code == 302, response.get_data(as_text=True)


def page_hash(page: str) -> str:
    return re.search(r'name="content_hash" value="([0-9a-f]{64})"', page).group(1)


def sign(as_, name, card, decision="approve", note="", content_hash=None):
    content_hash = content_hash or page_hash(as_(name).text(f"/cards/{card}"))
    return as_(name).post(f"/cards/{card}/sign", {"decision": decision, "content_hash": content_hash, "note": note})


def signoff_count(app, card) -> int:
    with app.app_context():
        from server import db
        return db.session().query(Signoff).filter_by(card_id=card).count()


def status(as_, card) -> str:
    return as_("viewer").api("GET", f"/cards/{card}").get_json()["status"]


def test_submit_is_disabled_with_the_failing_criteria_listed(as_, world):
    card = world["card"]
    page = as_("lead").text(f"/cards/{card}")
    assert re.search(r'<button class="primary" id="submit-for-review" disabled', page)
    blocked = page.split('id="submit-blocked"')[1].split("</div>")[0]
    assert all(f'data-criterion="{c}"' in blocked for c in ATTESTATIONS)
    # Posting anyway is refused on the page with the translated message, in Arabic.
    refused = as_("lead").post(f"/cards/{card}/submit")
    assert refused.status_code == 422 and "لا يمكن إرسال البطاقة للمراجعة الآن" in refused.get_data(as_text=True)
    assert status(as_, card) == "draft"
    # A reviewer may not submit: no button.
    assert 'id="submit-for-review"' not in as_("reviewer").text(f"/cards/{card}")


def test_the_card_page_shows_requirements_and_the_approve_form_to_a_steering_member(as_, world):
    card = world["card"]
    submitted(as_, card)
    current = as_("viewer").api("GET", f"/cards/{card}").get_json()["content_hash"]
    page = as_("steering_gov").text(f"/cards/{card}")
    assert 'id="approval"' in page
    requirements = page.split('class="requirements"')[1].split("</ul>")[0]
    assert requirements.count("<li") == 4
    assert "عضو لجنة القيادة" in requirements or "لجنة" in requirements
    assert "الحكومة" in requirements and "المجتمع المدني" in requirements and "0 من 1" in requirements
    form = page.split('id="sign-form"')[1].split("</form>")[0]
    assert f'name="content_hash" value="{current}"' in form
    assert 'value="approve"' in form and 'value="reject"' in form
    assert f'<code dir="ltr">{current[:12]}</code>' in form
    # A reviewer reads the requirements but gets no sign form.
    reviewer = as_("reviewer").text(f"/cards/{card}")
    assert 'class="requirements"' in reviewer and 'id="sign-form"' not in reviewer
    assert 'name="content_hash"' not in reviewer


def test_signing_through_the_page_records_and_the_last_one_approves(app, as_, world):
    card = world["card"]
    submitted(as_, card)
    first = sign(as_, "steering_gov", card)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/cards/{card}#approval")
    assert signoff_count(app, card) == 1
    page = as_("steering_gov").text(f"/cards/{card}")
    assert "سُجّل توقيعك" in page  # the flash, in the signer's language
    assert "1 من 1" in page.split('class="requirements"')[1].split("</ul>")[0]
    # Signing the same text again: 409, said so, nothing recorded.
    again = sign(as_, "steering_gov", card)
    assert again.status_code == 409 and "سبق أن وقّعت على هذا النص" in again.get_data(as_text=True)
    # A rejection needs a note: 422, the page says so.
    refused = sign(as_, "steering_cso", card, "reject")
    assert refused.status_code == 422 and "Dites pourquoi vous rejetez la fiche" in refused.get_data(as_text=True)
    for name in ("lead", "co_lead"):
        assert sign(as_, name, card).status_code == 302
    assert status(as_, card) == "in_review"
    last = sign(as_, "steering_cso", card, note="Validé par le bureau")
    assert last.status_code == 302
    page = as_("steering_cso").text(f"/cards/{card}")
    assert "la fiche est approuvée" in page and 'id="sign-form"' not in page
    assert status(as_, card) == "approved"
    assert signoff_count(app, card) == 4


def test_a_stale_hash_answers_409_with_the_translated_message_and_records_nothing(app, as_, world):
    card = world["card"]
    submitted(as_, card)
    for name, text in (("steering_gov", "تغيّرت البطاقة منذ أن فتحتها؛ اقرأها من جديد ثم وقّع."),
                       ("steering_cso", "La fiche a changé depuis que vous l'avez ouverte ; relisez-la puis signez.")):
        response = sign(as_, name, card, note="ملاحظتي", content_hash="0" * 64)
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert escape(text) in page
        assert "ملاحظتي" in page.split('id="sign-note"')[1].split("</textarea>")[0]  # what was typed is kept
        # The re-rendered form carries the text as it is now, to read and sign.
        assert page_hash(page) == as_("viewer").api("GET", f"/cards/{card}").get_json()["content_hash"]
    assert signoff_count(app, card) == 0


def test_a_stale_sign_off_is_struck_with_a_link_to_what_changed(app, as_, world):
    card = world["card"]
    submitted(as_, card)
    assert sign(as_, "steering_gov", card).status_code == 302
    assert as_("steering_cso").post(f"/cards/{card}/request-changes", {"reason": " "}).status_code == 422
    back = as_("steering_cso").post(f"/cards/{card}/request-changes", {"reason": "Préciser l'indicateur 2"})
    assert back.status_code == 302 and status(as_, card) == "draft"
    assert as_("lead").api("PATCH", f"/cards/{card}/content", {"fields": {"title": "عنوان منقح"}}).status_code == 200
    page = as_("lead").text(f"/cards/{card}")
    item = page.split('class="signoff signoff-approve signoff-stale"')[1].split("</li>")[0]
    assert "<s>" in item and "</s>" in item and "وُقّع على نسخة سابقة" in item
    with app.app_context():
        from server import db
        version = db.session().query(Signoff).filter_by(card_id=card).one().version_id
    link = f"/cards/{card}/diff?from={version}&amp;to=current"
    assert link in item
    diff = as_("lead").text(html.unescape(link))
    assert f'<option value="{version}" selected>' in diff and '<option value="current" selected>' in diff
    assert "<ins>" in diff and "منقح" in diff.split('id="diff"')[1]


def test_withdraw_from_the_page(app, as_, world):
    card = world["card"]
    submitted(as_, card)
    sign(as_, "lead", card)
    page = as_("lead").text(f"/cards/{card}")
    signoff = re.search(r'action="/signoffs/(\d+)/withdraw"', page).group(1)
    assert 'action="/signoffs/' not in as_("co_lead").text(f"/cards/{card}")
    assert as_("co_lead").post(f"/signoffs/{signoff}/withdraw").status_code == 403
    assert as_("lead").post(f"/signoffs/{signoff}/withdraw").status_code == 302
    assert "signoff-withdrawn" in as_("lead").text(f"/cards/{card}")
    assert as_("lead").post(f"/signoffs/{signoff}/withdraw").status_code == 409


def test_the_approval_section_alone_is_what_an_open_page_reads_again(as_, world):
    """The section an open card page puts in place of its own on a room event: as that person
    sees it (their sign form, their withdraw button), with the newest versions."""
    card = world["card"]
    submitted(as_, card)
    steering = as_("steering_gov").get(f"/cards/{card}/approval")
    assert steering.status_code == 200 and steering.headers["Cache-Control"] == "no-store"
    section = steering.get_data(as_text=True)
    assert '<section class="approval" id="approval"' in section
    assert 'id="sign-form"' in section and "<html" not in section
    assert 'data-kind="submitted"' in section.split('id="recent-versions"')[1]
    assert sign(as_, "steering_gov", card).status_code == 302
    mine = as_("steering_gov").text(f"/cards/{card}/approval")
    assert 'class="withdraw"' in mine
    newest = mine.split('id="recent-versions"')[1].split("</li>")[0]
    assert 'data-kind="signed"' in newest and "النسخة 2" in newest
    others = as_("reviewer").text(f"/cards/{card}/approval")
    assert 'class="withdraw"' not in others and 'id="sign-form"' not in others and 'data-kind="signed"' in others
    assert as_("elsewhere").get(f"/cards/{card}/approval").status_code in (403, 404)


def test_blocking_threads_are_listed_with_links(as_, world):
    card = world["card"]
    thread = as_("reviewer").api("POST", f"/cards/{card}/threads", {"body": "المؤشر 2 غير قابل للقياس"}).get_json()
    assert as_("steering_gov").api("POST", f"/threads/{thread['id']}/blocking", {"blocking": True}).status_code == 200
    page = as_("lead").text(f"/cards/{card}")
    assert f'href="#thread-{thread["id"]}"' in page.split('id="blocking-threads"')[1]


def test_the_versions_page_lists_and_the_restore_needs_the_confirmation(app, as_, world):
    card = world["card"]
    assert as_("reviewer").post(f"/cards/{card}/versions", {"name": "x"}).status_code == 403
    empty = as_("contributor").post(f"/cards/{card}/versions", {"name": "  "})
    assert empty.status_code == 422 and "أعطِ النسخة اسمًا" in empty.get_data(as_text=True)
    saved = as_("contributor").post(f"/cards/{card}/versions", {"name": XSS})
    assert saved.status_code == 302
    original = as_("viewer").api("GET", f"/cards/{card}").get_json()["content_hash"]
    as_("lead").api("PATCH", f"/cards/{card}/content", {"fields": {"title": "عنوان آخر"}})
    page = as_("viewer").text(f"/cards/{card}/versions")
    assert XSS not in page and escape(XSS) in page
    assert f'<code dir="ltr">{original[:12]}</code>' in page and "نسخة مسمّاة" in page
    version = re.search(rf'href="/cards/{card}/versions/(\d+)"', page).group(1)
    opened = as_("viewer").text(f"/cards/{card}/versions/{version}")
    assert FIELDS["title"] in opened and 'class="card-static"' in opened
    assert 'id="restore-confirm"' not in opened  # a viewer does not restore
    lead_view = as_("lead").text(f"/cards/{card}/versions/{version}")
    assert 'id="restore-confirm"' in lead_view and f"/cards/{card}/diff?from={version}&amp;to=current" in lead_view
    # The first press only asks; nothing changed.
    asked = as_("lead").post(f"/cards/{card}/versions/{version}/restore")
    assert asked.status_code == 200 and "<details class=\"restore\" id=\"restore\" open>" in asked.get_data(as_text=True)
    assert as_("viewer").api("GET", f"/cards/{card}").get_json()["content_hash"] != original
    assert as_("contributor").post(f"/cards/{card}/versions/{version}/restore", {"confirm": "yes"}).status_code == 403
    done = as_("lead").post(f"/cards/{card}/versions/{version}/restore", {"confirm": "yes"})
    assert done.status_code == 302
    assert as_("viewer").api("GET", f"/cards/{card}").get_json()["content_hash"] == original
    assert as_("viewer").get(f"/cards/{card}/versions/999999").status_code == 404
    assert as_("viewer").get(f"/cards/{world['other']}/versions/{version}").status_code in (403, 404)


def test_the_policy_page_saves_and_refuses_bad_input(app, as_, world):
    plan, card = world["plan"], world["card"]
    view = as_("viewer").text(f"/plans/{plan}/approval-policy")
    assert 'id="policy-form"' not in view and view.count("<tr>") == 5  # header + the four default parties
    assert as_("lead").post(f"/plans/{plan}/approval-policy", {"role-0": "lead", "count-0": "1"}).status_code == 403
    form = as_("coordinator").text(f"/plans/{plan}/approval-policy")
    assert 'id="policy-form"' in form and 'name="role-4"' in form and 'name="role-5"' not in form
    bad = as_("coordinator").post(f"/plans/{plan}/approval-policy", {
        "role-0": "lead", "kind-0": "", "count-0": "1", "role-1": "steering", "kind-1": "civil_society",
        "count-1": "11", "role-2": "", "count-2": "1", "action": "save"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Ligne 2 : le nombre est un entier de 1 à 10." in text
    assert 'name="count-1" type="number" min="1" max="10" inputmode="numeric" dir="ltr" value="11"' in text
    assert 'value="civil_society" selected' in text
    duplicate = as_("coordinator").post(f"/plans/{plan}/approval-policy", {
        "role-0": "lead", "count-0": "1", "role-1": "lead", "count-1": "2", "action": "save"})
    assert duplicate.status_code == 422 and "augmentez plutôt son nombre" in duplicate.get_data(as_text=True)
    nothing = as_("coordinator").post(f"/plans/{plan}/approval-policy", {"role-0": "lead", "count-0": "1",
                                                                        "remove-0": "1", "action": "save"})
    assert nothing.status_code == 422
    added = as_("coordinator").post(f"/plans/{plan}/approval-policy", {"role-0": "lead", "count-0": "1",
                                                                      "action": "add"})
    assert added.status_code == 200 and 'name="role-2"' in added.get_data(as_text=True)

    # A card in review signed by its lead is approved at once by a policy asking only for the lead.
    submitted(as_, card)
    sign(as_, "lead", card)
    saved = as_("coordinator").post(f"/plans/{plan}/approval-policy", {
        "role-0": "lead", "kind-0": "", "count-0": "1", "role-1": "steering", "kind-1": "government",
        "count-1": "1", "remove-1": "1", "role-2": "", "count-2": "1", "action": "save"})
    assert saved.status_code == 302
    after = as_("coordinator").text(f"/plans/{plan}/approval-policy")
    assert "Règle de validation enregistrée." in after and "Approuvé aussitôt selon la nouvelle règle : engagement " in after
    assert as_("viewer").api("GET", f"/plans/{plan}/approval-policy").get_json()["parties"] == [
        {"role": "lead", "kind": None, "count": 1}]
    assert status(as_, card) == "approved"


def test_the_audit_page_filters_and_is_refused_to_a_reviewer(app, as_, world):
    plan, card = world["plan"], world["card"]
    submitted(as_, card)
    sign(as_, "lead", card, note=XSS)
    assert as_("reviewer").get(f"/plans/{plan}/audit").status_code == 403
    assert as_("reviewer").get(f"/cards/{card}/audit").status_code == 403
    page = as_("steering_gov").text(f"/plans/{plan}/audit")
    assert 'data-action="signoff.approve"' in page and 'data-action="card.status_changed"' in page
    assert "توقيع بالموافقة" in page and "مسودة ← قيد المراجعة" in page
    assert XSS not in page and escape(XSS) in page
    assert f'href="/plans/{plan}/audit">' in as_("steering_gov").text(f"/plans/{plan}")
    only = as_("steering_gov").text(f"/plans/{plan}/audit?kind=signoff")
    assert re.findall(r'data-action="([a-z_.]+)"', only) == ["signoff.approve"]
    assert f'href="/api/v1/plans/{plan}/audit.csv?kind=signoff"' in only
    by_lead = as_("steering_gov").text(f"/plans/{plan}/audit?user={world['lead']}")
    assert f'<option value="{world["lead"]}" selected>' in by_lead
    assert "criterion.attested" in by_lead and "signoff.approve" in by_lead
    assert 'data-action="' in by_lead
    assert as_("steering_gov").text(f"/plans/{plan}/audit?since=2999-01-01").count('data-action="') == 0
    wrong = as_("steering_gov").get(f"/plans/{plan}/audit?since=yesterday")
    assert wrong.status_code == 422 and "أدخل التاريخ بالصيغة" in wrong.get_data(as_text=True)
    card_log = as_("coordinator").text(f"/cards/{card}/audit?kind=version")
    assert "Version enregistrée" in card_log and f"/api/v1/cards/{card}/audit?format=csv&amp;kind=version" in card_log
    csv = as_("coordinator").get(f"/api/v1/cards/{card}/audit?format=csv&kind=version")
    assert csv.mimetype == "text/csv" and "version.recorded" in csv.get_data(as_text=True)


def test_the_dashboard_counts_sign_offs_and_shows_the_progress(app, as_, world, factory):
    plan, card = world["plan"], world["card"]
    submitted(as_, card)
    sign(as_, "lead", card)
    sign(as_, "steering_gov", card)
    page = as_("coordinator").text(f"/plans/{plan}")
    row = page.split(f'href="/cards/{card}"')[1].split("</tr>")[0]
    assert '<bdi dir="ltr" class="signoff-ratio" aria-hidden="true">2 / 4</bdi>' in row
    assert "Signatures requises : 2 sur 4" in row
    assert '<progress id="plan-progress-bar" max="2" value="0">' in page
    assert f'href="/plans/{plan}/approval-policy"' in page and f'href="/plans/{plan}/audit"' in page
    # A change after the sign-offs: the row warns they are on an earlier version.
    as_("steering_cso").post(f"/cards/{card}/request-changes", {"reason": "à revoir"})
    as_("lead").api("PATCH", f"/cards/{card}/content", {"fields": {"title": "Titre révisé"}})
    thread = as_("reviewer").api("POST", f"/cards/{card}/threads", {"body": "bloquant"}).get_json()
    as_("steering_gov").api("POST", f"/threads/{thread['id']}/blocking", {"blocking": True})
    row = as_("coordinator").text(f"/plans/{plan}").split(f'href="/cards/{card}"')[1].split("</tr>")[0]
    assert ">0 / 4<" in row and "2 signatures sur une version antérieure" in row and "Bloquée par 1 fil" in row
    # The reviewer sees no audit link.
    assert f'href="/plans/{plan}/audit"' not in as_("reviewer").text(f"/plans/{plan}")


def test_the_dashboard_progress_counts_approved_cards(app, as_, world):
    plan, card = world["plan"], world["card"]
    as_("coordinator").post(f"/plans/{plan}/approval-policy", {"role-0": "lead", "count-0": "1", "action": "save"})
    submitted(as_, card)
    sign(as_, "lead", card)
    page = as_("coordinator").text(f"/plans/{plan}")
    assert '<progress id="plan-progress-bar" max="2" value="1">' in page and "1 sur 2 approuvées ou publiées" in page


def test_notes_and_names_come_out_escaped(app, as_, world):
    card = world["card"]
    submitted(as_, card)
    assert sign(as_, "steering_cso", card, "reject", note=XSS).status_code == 302
    page = as_("lead").text(f"/cards/{card}")
    assert XSS not in page and "&lt;script&gt;alert(" in page
    assert f"<blockquote class=\"signoff-note\"><bdi translate=\"no\">{escape(XSS)}</bdi></blockquote>" in page


def test_pages_in_english_and_for_strangers(app, as_, world, factory):
    card, plan = world["card"], world["plan"]
    stranger = factory.user(language="en")
    world["stranger"] = stranger
    for url in (f"/cards/{card}/versions", f"/cards/{card}/diff", f"/plans/{plan}/approval-policy",
                f"/plans/{plan}/audit", f"/cards/{card}/audit"):
        assert as_("stranger").get(url).status_code == 403, url
    as_.client.post("/language", data={"lang": "en", "csrf_token": as_.auth.headers()["X-CSRF-Token"]})
    as_.who = None
    as_("coordinator")
    as_.client.post("/language", data={"lang": "en", "csrf_token": as_.auth.headers()["X-CSRF-Token"]})
    for url, words in ((f"/cards/{card}", "Sign-offs the plan requires"), (f"/cards/{card}/versions", "Versions"),
                       (f"/cards/{card}/diff", "Compare versions"), (f"/plans/{plan}/approval-policy", "Approval policy"),
                       (f"/plans/{plan}/audit", "Audit log")):
        page = as_("coordinator").text(url)
        assert '<html lang="en" dir="ltr">' in page and words in page, url
