"""Publishing cards: the public sees a frozen version, republishing adds one, unpublishing hides it;
the plan's lifecycle keeps the Council document byte for byte and adoption removes the DRAFT mark."""
from __future__ import annotations

import hashlib
import io

import docx

from server import db
from server.models import AuditEvent

from tests.foundation.publication_world import approve, open_consultation, publish


def public(app):
    """A visitor without an account: a client of its own, no cookie."""
    return app.test_client()


def test_publishing_freezes_what_the_public_sees_until_published_again(app, as_, world):
    card, visitor = world["card"], public(app)
    assert visitor.get(f"/public/cards/{card}").status_code == 404
    approve(as_, card)
    assert visitor.get(f"/public/cards/{card}").status_code == 404  # approved is not published
    assert as_("lead").post(f"/cards/{card}/publish").status_code == 403
    first = publish(as_, card)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["card"]["status"] == "published"
    assert first.get_json()["publication"]["number"] == 1
    assert first.get_json()["url"].endswith(f"/public/cards/{card}")
    assert publish(as_, card).status_code == 409  # already published
    title = as_("viewer").get(f"/cards/{card}").get_json()["content"]["fields"]["title"]
    page = visitor.get(f"/public/cards/{card}")
    assert page.status_code == 200 and title in page.get_data(as_text=True)

    # Reopened after the consultation and edited: the public page does not move.
    back = as_("coordinator").post(f"/cards/{card}/request-changes", {"reason": "أخذ ملاحظات الاستشارة بعين الاعتبار"})
    assert back.status_code == 200 and back.get_json()["card"]["status"] == "draft"
    new_title = title + " — صيغة ما بعد الاستشارة"
    edited = as_("lead").call("PATCH", f"/cards/{card}/content", {"fields": {"title": new_title}})
    assert edited.status_code == 200, edited.get_json()
    shown = visitor.get(f"/public/cards/{card}").get_data(as_text=True)
    assert title in shown and "صيغة ما بعد الاستشارة" not in shown
    api = visitor.get(f"/api/v1/public/cards/{card}").get_json()
    assert api["content"]["fields"]["title"] == title and api["publication"]["number"] == 1

    # Approved and published again: version 2, and what changed between the two.
    approve(as_, card)
    assert "صيغة ما بعد الاستشارة" not in visitor.get(f"/public/cards/{card}").get_data(as_text=True)
    second = publish(as_, card)
    assert second.status_code == 201 and second.get_json()["publication"]["number"] == 2
    shown = visitor.get(f"/public/cards/{card}").get_data(as_text=True)
    assert "صيغة ما بعد الاستشارة" in shown
    api = visitor.get(f"/api/v1/public/cards/{card}").get_json()
    assert [v["number"] for v in api["versions"]] == [1, 2]
    assert all(f"/public/cards/{card}/versions/{v['number']}?" in v["url"] for v in api["versions"])
    old = visitor.get(f"/public/cards/{card}/versions/1").get_data(as_text=True)
    assert title in old and "صيغة ما بعد الاستشارة" not in old
    diff = visitor.get(f"/public/cards/{card}/diff?from=1&to=2").get_data(as_text=True)
    assert "<ins>" in diff and "صيغة ما بعد الاستشارة" in diff
    assert visitor.get(f"/public/cards/{card}/versions/3").status_code == 404


def test_unpublishing_needs_a_reason_hides_the_card_and_is_audited(app, as_, world):
    card, visitor = world["card"], public(app)
    approve(as_, card)
    publish(as_, card)
    assert as_("steering_gov").post(f"/cards/{card}/unpublish", {"reason": "x"}).status_code == 403
    assert as_("coordinator").post(f"/cards/{card}/unpublish", {"reason": " "}).status_code == 422
    assert visitor.get(f"/public/cards/{card}").status_code == 200
    done = as_("coordinator").post(f"/cards/{card}/unpublish", {"reason": "معطيات شخصية في جدول الشركاء"})
    assert done.status_code == 200 and done.get_json()["card"]["status"] == "approved"
    assert done.get_json()["withdrawn"][0]["withdraw_reason"] == "معطيات شخصية في جدول الشركاء"
    assert visitor.get(f"/public/cards/{card}").status_code == 404
    assert visitor.get(f"/api/v1/public/cards/{card}").status_code == 404
    assert visitor.get(f"/public/cards/{card}/versions/1").status_code == 404
    assert as_("coordinator").post(f"/cards/{card}/unpublish", {"reason": "again"}).status_code == 409
    with app.app_context():
        actions = [e.action for e in db.session().query(AuditEvent).order_by(AuditEvent.id)]
    assert "card.published" in actions and "card.unpublished" in actions
    # Published again later: the count goes on, the withdrawn version stays hidden.
    assert publish(as_, card).get_json()["publication"]["number"] == 2
    assert visitor.get(f"/public/cards/{card}/versions/1").status_code == 404
    assert visitor.get(f"/public/cards/{card}/versions/2").status_code == 200


def test_public_pages_are_conditional(app, as_, world):
    card, plan, visitor = world["card"], world["plan"], public(app)
    approve(as_, card)
    publish(as_, card)
    first = visitor.get(f"/public/plans/{plan}")
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert "Set-Cookie" not in first.headers
    again = visitor.get(f"/public/plans/{plan}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    french = visitor.get(f"/public/plans/{plan}?lang=fr", headers={"If-None-Match": first.headers["ETag"]})
    assert french.status_code == 200 and 'lang="fr"' in french.get_data(as_text=True)
    # A change the page shows makes a new ETag.
    open_consultation(as_, plan)
    changed = visitor.get(f"/public/plans/{plan}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_the_plan_lifecycle_keeps_the_council_document_and_adoption_removes_the_draft_mark(app, as_, world):
    plan, card, visitor = world["plan"], world["card"], public(app)
    approve(as_, card)
    publish(as_, card)
    assert as_("lead").post(f"/plans/{plan}/transition", {"to": "finalising"}).status_code == 403
    assert as_("coordinator").post(f"/plans/{plan}/transition", {"to": "adopted"}).status_code == 409
    assert as_("coordinator").post(f"/plans/{plan}/transition", {"to": "nowhere"}).status_code == 422
    assert open_consultation(as_, plan).get_json()["plan"]["stage"] == "consultation"
    assert as_("coordinator").post(f"/plans/{plan}/transition", {"to": "finalising"}).status_code == 200
    submitted = as_("coordinator").post(f"/plans/{plan}/transition", {"to": "submitted", "lang": "ar"})
    assert submitted.status_code == 200, submitted.get_json()
    kept = submitted.get_json()["document"]
    url = f"/plans/{plan}/documents/{kept['id']}.docx"
    first, second = as_("coordinator").get(url), as_("coordinator").get(url)
    assert first.status_code == 200 and first.get_data() == second.get_data()
    assert hashlib.sha256(first.get_data()).hexdigest() == kept["sha256"] == first.headers["X-Content-SHA256"]
    assert visitor.get(f"/api/v1{url}").status_code == 401
    # Later edits change nothing in the kept document.
    assert as_("coordinator").post(f"/cards/{card}/request-changes", {"reason": "ملاحظة المجلس"}).status_code == 200
    assert as_("lead").call("PATCH", f"/cards/{card}/content", {"fields": {"title": "عنوان آخر"}}).status_code == 200
    assert as_("coordinator").get(url).get_data() == first.get_data()

    assert as_("coordinator").post(f"/plans/{plan}/transition", {"to": "adopted"}).status_code == 422
    adopted = as_("coordinator").post(f"/plans/{plan}/transition", {"to": "adopted", "decision_date": "2026-12-10",
                                                                     "reference": "م.ح 2.26.812"})
    assert adopted.status_code == 200 and adopted.get_json()["plan"]["final"] is True
    stages = [s["stage"] for s in adopted.get_json()["timeline"] if s["at"]]
    assert stages == ["drafting", "consultation", "finalising", "submitted", "adopted"]
    page = visitor.get(f"/public/plans/{plan}").get_data(as_text=True)
    assert "م.ح 2.26.812" in page and 'aria-current="step"' in page
    published = visitor.get(f"/public/plans/{plan}/plan.docx")
    assert published.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(published.get_data())).paragraphs)
    assert "مسودة" not in text and "عنوان آخر" not in text
    with app.app_context():
        moves = [e.details for e in db.session().query(AuditEvent).filter_by(action="plan.stage_changed")]
    assert [m["stage"] for m in moves] == ["finalising", "submitted", "adopted"]


def test_the_coordinator_publishes_from_the_card_page(app, client, auth, as_, world):
    card = world["card"]
    approve(as_, card)
    as_("lead")
    page = client.get(f"/cards/{card}").get_data(as_text=True)
    assert 'id="publish-card"' not in page
    refused = client.post(f"/cards/{card}/publish", data={"csrf_token": auth.headers()["X-CSRF-Token"], "back": "card"})
    assert refused.status_code == 302
    assert as_("viewer").get(f"/cards/{card}").get_json()["status"] == "approved"
    as_("coordinator")
    assert 'id="publish-card"' in client.get(f"/cards/{card}").get_data(as_text=True)
    done = client.post(f"/cards/{card}/publish", data={"csrf_token": auth.headers()["X-CSRF-Token"], "back": "card"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cards/{card}#approval")
    page = client.get(f"/cards/{card}").get_data(as_text=True)
    assert 'id="public-version"' in page and f"/public/cards/{card}" in page
    assert 'id="publish-card"' not in page
