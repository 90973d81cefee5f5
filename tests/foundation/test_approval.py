"""Approval through the API, as the parties would do it: submit, sign the content they read, go
back with a reason, sign again, and the card approves itself once the plan's policy is met."""
from __future__ import annotations



from server import db
from server.collab.wiring import documents
from server.models import AuditEvent, CardUpdate, CardVersion, Plan, Signoff, Thread, User
from server.services import dashboard

from tests.foundation import approval_world

FIELDS, ATTESTATIONS = approval_world.FIELDS, approval_world.ATTESTATIONS


def attest_all(as_, card):
    for criterion in ATTESTATIONS:
        assert as_("lead").call("PUT", f"/cards/{card}/attestations/{criterion}", {"attested": True}).status_code == 200


def sign(as_, name, card, decision="approve", note="", content_hash=None):
    content_hash = content_hash or as_(name).get(f"/cards/{card}").get_json()["content_hash"]
    return as_(name).post(f"/cards/{card}/signoffs", {"decision": decision, "content_hash": content_hash,
                                                       "note": note})


def status(as_, card):
    return as_("viewer").get(f"/cards/{card}").get_json()["status"]


def standing(as_, card):
    return as_("viewer").get(f"/cards/{card}/signoffs").get_json()


def test_the_whole_cycle_from_draft_to_approved_and_back(app, as_, world):
    card = world["card"]
    # The manual criteria are not attested: submit is refused, naming them.
    refused = as_("lead").post(f"/cards/{card}/submit")
    assert refused.status_code == 422 and refused.get_json()["error"] == "criteria_failing"
    assert {c["id"] for c in refused.get_json()["criteria"]} == set(ATTESTATIONS)
    assert status(as_, card) == "draft"

    attest_all(as_, card)
    assert as_("contributor").post(f"/cards/{card}/submit").status_code == 403
    submitted = as_("co_lead").post(f"/cards/{card}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["card"]["status"] == "in_review"
    # Nobody edits a card in review, not even its lead.
    assert as_("lead").call("PATCH", f"/cards/{card}/content", {"fields": {"title": "x"}}).status_code == 403

    # A signer who read an older text is refused and nothing is recorded.
    stale = sign(as_, "steering_gov", card, content_hash="0" * 64)
    assert stale.status_code == 409 and stale.get_json()["field"] == "content_hash"
    assert standing(as_, card)["signoffs"] == []

    assert sign(as_, "lead", card).status_code == 201
    assert sign(as_, "lead", card).status_code == 409  # already signed this content
    assert sign(as_, "steering_gov", card).status_code == 201
    assert sign(as_, "co_lead", card).status_code == 201
    before_last = standing(as_, card)
    assert [r["met"] for r in before_last["requirements"]] == [True, True, True, False]
    assert status(as_, card) == "in_review"
    # The last party the policy needs approves the card.
    last = sign(as_, "steering_cso", card)
    assert last.status_code == 201 and last.get_json()["card"]["status"] == "approved"
    assert last.get_json()["complete"] is True

    # Sent back with a reason; the reason is a thread on the card for its writers.
    assert as_("steering_cso").post(f"/cards/{card}/request-changes", {"reason": "  "}).status_code == 422
    back = as_("steering_cso").post(f"/cards/{card}/request-changes", {"reason": "Préciser l'indicateur 2"})
    assert back.status_code == 200 and back.get_json()["card"]["status"] == "draft"
    threads = as_("lead").get(f"/cards/{card}/threads").get_json()["threads"]
    assert any(t["field"] is None and "Préciser l'indicateur 2" in t["comments"][0]["body"] for t in threads)

    # An edit makes every earlier sign-off stale: kept, shown, but no longer counting.
    assert as_("contributor").call("PATCH", f"/cards/{card}/content",
                                   {"fields": {"title": "الحق في المعلومة: صيغة منقحة"}}).status_code == 200
    after_edit = standing(as_, card)
    assert len(after_edit["signoffs"]) == 4
    assert all(s["active"] and not s["current"] for s in after_edit["signoffs"])
    assert not any(r["met"] for r in after_edit["requirements"])

    assert as_("lead").post(f"/cards/{card}/submit").get_json()["card"]["status"] == "in_review"
    for name in ("lead", "co_lead", "steering_gov"):
        assert sign(as_, name, card).status_code == 201  # replaces their stale sign-off
    assert status(as_, card) == "in_review"
    assert sign(as_, "steering_cso", card).get_json()["card"]["status"] == "approved"

    with app.app_context():
        session = db.session()
        kinds = [v.kind for v in session.query(CardVersion).filter_by(card_id=card).order_by(CardVersion.id)]
        assert kinds[0] == "submitted" and kinds[-1] == "approved" and kinds.count("approved") == 2
        replaced = session.query(Signoff).filter(Signoff.card_id == card, Signoff.replaced_at.is_not(None)).count()
        assert replaced == 4
        actions = {e.action for e in session.query(AuditEvent).filter_by(card_id=card)}
        assert {"card.status_changed", "signoff.approve", "version.recorded"} <= actions


def test_current_sign_offs_still_count_after_a_rejection(app, as_, world):
    card = world["card"]
    attest_all(as_, card)
    as_("lead").post(f"/cards/{card}/submit")
    assert sign(as_, "lead", card).status_code == 201
    assert sign(as_, "steering_gov", card).status_code == 201
    assert sign(as_, "steering_cso", card, "reject").status_code == 422  # a rejection says why
    rejected = sign(as_, "steering_cso", card, "reject", note="الجدول الزمني غير واقعي")
    assert rejected.status_code == 201 and rejected.get_json()["card"]["status"] == "draft"
    with app.app_context():
        assert db.session().query(Thread).filter_by(card_id=card, field=None).count() == 1

    # Nothing changed: resubmitted, the two approvals still hold and count.
    as_("lead").post(f"/cards/{card}/submit")
    now = standing(as_, card)
    assert sum(1 for s in now["signoffs"] if s["current"] and s["decision"] == "approve") == 2
    assert [r["met"] for r in now["requirements"]] == [True, False, True, False]
    assert sign(as_, "co_lead", card).status_code == 201
    last = sign(as_, "steering_cso", card)
    assert last.status_code == 201, last.get_json()
    assert last.get_json()["card"]["status"] == "approved"


def test_who_may_sign_for_what(app, as_, world):
    card = world["card"]
    attest_all(as_, card)
    assert sign(as_, "lead", card).status_code == 403  # not in review yet
    as_("lead").post(f"/cards/{card}/submit")
    # The default policy names no approver: theirs would count for nothing.
    assert sign(as_, "approver", card).status_code == 403
    for name in ("contributor", "reviewer", "viewer", "coordinator"):
        assert sign(as_, name, card).status_code == 403, name
    assert sign(as_, "elsewhere", card, content_hash="0" * 64).status_code == 404
    # A role one does not hold is refused by name.
    h = as_("lead").get(f"/cards/{card}").get_json()["content_hash"]
    refused = as_("lead").post(f"/cards/{card}/signoffs", {"decision": "approve", "content_hash": h, "role": "steering"})
    assert refused.status_code == 403 and refused.get_json()["field"] == "role"
    for bad in ({"decision": "maybe", "content_hash": h}, {"decision": "approve", "content_hash": "abc"},
                {"decision": "approve", "content_hash": h, "note": 5}):
        assert as_("lead").post(f"/cards/{card}/signoffs", bad).status_code == 422
    assert standing(as_, card)["signoffs"] == []
    # Nobody moves a card to approved by hand any more.
    assert as_("coordinator").post(f"/cards/{card}/status", {"status": "approved"}).status_code in (404, 405)


def test_the_hash_read_before_a_change_cannot_sign_the_changed_card(app, as_, world):
    card = world["card"]
    attest_all(as_, card)
    as_("lead").post(f"/cards/{card}/submit")
    read_then = as_("steering_gov").get(f"/cards/{card}").get_json()["content_hash"]
    assert as_("steering_cso").post(f"/cards/{card}/request-changes", {"reason": "Dates à revoir"}).status_code == 200
    assert as_("contributor").call("PATCH", f"/cards/{card}/content",
                                   {"fields": {"title": "عنوان بعد الورشة"}}).status_code == 200
    assert as_("lead").post(f"/cards/{card}/submit").status_code == 200
    late = sign(as_, "steering_gov", card, content_hash=read_then)
    assert late.status_code == 409 and late.get_json()["field"] == "content_hash"
    assert standing(as_, card)["signoffs"] == []
    now = as_("steering_gov").get(f"/cards/{card}").get_json()["content_hash"]
    assert now != read_then and sign(as_, "steering_gov", card, content_hash=now).status_code == 201


def test_nobody_approves_past_the_policy(app, as_, world):
    card, plan = world["card"], world["plan"]
    attest_all(as_, card)
    as_("lead").post(f"/cards/{card}/submit")
    for name in ("lead", "co_lead", "steering_gov"):
        assert sign(as_, name, card).status_code == 201
    h = as_("lead").get(f"/cards/{card}").get_json()["content_hash"]
    # The civil-society steering sign-off is missing; every other way to "approved" is shut.
    assert as_("coordinator").post(f"/cards/{card}/status", {"status": "approved"}).status_code in (404, 405)
    as_("coordinator").call("PATCH", f"/cards/{card}", {"status": "approved"})
    for name, role in (("coordinator", "steering"), ("coordinator", None), ("lead", "co_lead"),
                       ("steering_gov", "steering")):
        data = {"decision": "approve", "content_hash": h, **({"role": role} if role else {})}
        assert as_(name).post(f"/cards/{card}/signoffs", data).status_code in (403, 409), (name, role)
    assert as_("coordinator").call("PUT", f"/plans/{plan}/approval-policy", {"parties": []}).status_code == 422
    assert as_("lead").post(f"/cards/{card}/submit").status_code in (403, 409)
    assert status(as_, card) == "in_review"
    assert [r["met"] for r in standing(as_, card)["requirements"]] == [True, True, True, False]
    with app.app_context():
        assert db.session().query(CardVersion).filter_by(card_id=card, kind="approved").count() == 0
        assert db.session().query(Signoff).filter_by(card_id=card).count() == 3


def test_a_sign_off_is_withdrawn_only_by_its_signer_while_in_review(app, as_, world):
    card = world["card"]
    attest_all(as_, card)
    as_("lead").post(f"/cards/{card}/submit")
    signed = sign(as_, "lead", card).get_json()["signoff_id"]
    assert as_("co_lead").call("DELETE", f"/signoffs/{signed}").status_code == 403
    assert as_("elsewhere").call("DELETE", f"/signoffs/{signed}").status_code == 404
    withdrawn = as_("lead").call("DELETE", f"/signoffs/{signed}")
    assert withdrawn.status_code == 200
    assert not withdrawn.get_json()["requirements"][0]["met"]
    assert as_("lead").call("DELETE", f"/signoffs/{signed}").status_code == 409
    assert sign(as_, "lead", card).status_code == 201  # may sign again


def test_the_policy_is_the_coordinators_and_changing_it_re_evaluates(app, as_, world):
    plan, card = world["plan"], world["card"]
    policy = as_("viewer").get(f"/plans/{plan}/approval-policy").get_json()
    assert [p["role"] for p in policy["parties"]] == ["lead", "co_lead", "steering", "steering"]
    attest_all(as_, card)
    as_("lead").post(f"/cards/{card}/submit")
    sign(as_, "lead", card)
    sign(as_, "co_lead", card)
    simpler = {"parties": [{"role": "lead", "kind": None, "count": 1},
                           {"role": "co_lead", "kind": "civil_society", "count": 1}]}
    assert as_("lead").call("PUT", f"/plans/{plan}/approval-policy", simpler).status_code == 403
    for bad in ({"parties": []}, {"parties": [{"role": "king", "count": 1}]},
                {"parties": [{"role": "lead", "count": 0}]}, {"parties": [{"role": "lead"}, {"role": "lead"}]},
                {"parties": [{"role": "lead", "kind": "aliens"}]}):
        assert as_("coordinator").call("PUT", f"/plans/{plan}/approval-policy", bad).status_code == 422, bad
    changed = as_("coordinator").call("PUT", f"/plans/{plan}/approval-policy", simpler)
    assert changed.status_code == 200 and changed.get_json()["approved_cards"] == [card]
    assert status(as_, card) == "approved"
    audit = as_("coordinator").get(f"/plans/{plan}/audit?kind=plan.approval_policy").get_json()
    assert len(audit) == 1 and audit[0]["details"]["policy"] == simpler


def test_counted_parties_from_each_side(app, as_, world, factory):
    plan, card = world["plan"], world["card"]
    two = {"parties": [{"role": "steering", "kind": None, "count": 2},
                       {"role": "steering", "kind": "civil_society", "count": 1}]}
    assert as_("coordinator").call("PUT", f"/plans/{plan}/approval-policy", two).status_code == 200
    attest_all(as_, card)
    as_("lead").post(f"/cards/{card}/submit")
    sign(as_, "steering_cso", card)
    # The civil-society member fills the civil-society party first, not "any steering member".
    reqs = standing(as_, card)["requirements"]
    assert [(r["obtained"], r["met"]) for r in reqs] == [(0, False), (1, True)]
    sign(as_, "steering_gov", card)
    assert status(as_, card) == "in_review"  # two "any" still needed: one obtained


def test_a_blocking_thread_holds_approval_back(app, as_, world):
    plan, card = world["plan"], world["card"]
    as_("coordinator").call("PUT", f"/plans/{plan}/approval-policy",
                            {"parties": [{"role": "approver", "kind": None, "count": 1}]})
    attest_all(as_, card)
    thread = as_("reviewer").post(f"/cards/{card}/threads", {"body": "المؤشر 2 غير قابل للقياس"}).get_json()
    assert as_("reviewer").post(f"/threads/{thread['id']}/blocking", {"blocking": True}).status_code == 403
    assert as_("elsewhere").post(f"/threads/{thread['id']}/blocking", {"blocking": True}).status_code == 404
    assert as_("approver").post(f"/threads/{thread['id']}/blocking", {"blocking": "yes"}).status_code == 422
    marked = as_("approver").post(f"/threads/{thread['id']}/blocking", {"blocking": True})
    assert marked.status_code == 200 and marked.get_json()["blocking"] is True
    as_("lead").post(f"/cards/{card}/submit")
    signed = sign(as_, "approver", card).get_json()
    assert signed["complete"] is True and signed["blocking_threads"] == [thread["id"]]
    assert signed["card"]["status"] == "in_review"
    # Resolving the blocking thread lets the card through.
    assert as_("lead").post(f"/threads/{thread['id']}/resolve").status_code == 200
    assert status(as_, card) == "approved"


def test_versions_named_listed_opened_and_restored(app, as_, world):
    card = world["card"]
    assert as_("reviewer").post(f"/cards/{card}/versions", {"name": "x"}).status_code == 403
    assert as_("contributor").post(f"/cards/{card}/versions", {"name": " "}).status_code == 422
    saved = as_("contributor").post(f"/cards/{card}/versions", {"name": "قبل ورشة الرباط"})
    assert saved.status_code == 201
    version = saved.get_json()
    original_hash = as_("viewer").get(f"/cards/{card}").get_json()["content_hash"]
    assert version["content_hash"] == original_hash
    rows = as_("lead").get(f"/cards/{card}").get_json()["content"]["fields"]["milestones"]
    as_("lead").call("PATCH", f"/cards/{card}/content", {"fields": {
        "title": "عنوان آخر", "milestones": [rows[1], {**rows[0], "activity": "نشاط معدل"}, *rows[2:]]}})
    assert as_("viewer").get(f"/cards/{card}").get_json()["content_hash"] != original_hash

    changes = as_("viewer").get(f"/cards/{card}/diff?from={version['id']}&to=current").get_json()
    fields = {f["id"]: f for f in changes["fields"]}
    assert changes["changed"] and fields["title"]["changed"] and not fields["problem"]["changed"]
    assert any(s["op"] == "insert" and "آخر" in s["text"] for s in fields["title"]["segments"])
    table = fields["milestones"]
    moved = table.get("moved") or [r["id"] for r in table["rows"] if r.get("state") == "moved" or r.get("moved")]
    assert len(moved) == 1
    assert as_("viewer").get(f"/cards/{card}/diff?from=abc").status_code == 422
    listed = as_("viewer").get(f"/cards/{card}/versions").get_json()
    assert [v["name"] for v in listed] == ["قبل ورشة الرباط"]
    opened = as_("viewer").get(f"/cards/{card}/versions/{version['id']}").get_json()
    assert opened["content"]["fields"]["title"] == FIELDS["title"]
    assert as_("elsewhere").get(f"/cards/{card}/versions/{version['id']}").status_code == 404
    assert as_("viewer").get(f"/cards/{world['other']}/versions/{version['id']}").status_code in (403, 404)

    assert as_("contributor").post(f"/cards/{card}/versions/{version['id']}/restore").status_code == 403
    restored = as_("lead").post(f"/cards/{card}/versions/{version['id']}/restore")
    assert restored.status_code == 201
    # Exactly the saved content, the moved row back in its place; the present was kept first.
    assert as_("viewer").get(f"/cards/{card}").get_json()["content_hash"] == original_hash
    kinds = [v["kind"] for v in as_("viewer").get(f"/cards/{card}/versions").get_json()]
    assert kinds[:3] == ["restored", "before_restore", "named"]


def test_the_audit_log_filters_and_downloads(app, as_, world):
    plan, card = world["plan"], world["card"]
    attest_all(as_, card)
    as_("lead").post(f"/cards/{card}/submit")
    sign(as_, "lead", card)
    assert as_("reviewer").get(f"/plans/{plan}/audit").status_code == 403
    everything = as_("steering_gov").get(f"/plans/{plan}/audit").get_json()
    assert {"signoff.approve", "card.status_changed", "criterion.attested"} <= {e["action"] for e in everything}
    signoffs = as_("steering_gov").get(f"/plans/{plan}/audit?kind=signoff").get_json()
    assert [e["action"] for e in signoffs] == ["signoff.approve"]
    by_lead = as_("steering_gov").get(f"/plans/{plan}/audit?user={world['lead']}").get_json()
    assert by_lead and all(e["actor"]["id"] == world["lead"] for e in by_lead)
    assert as_("steering_gov").get(f"/plans/{plan}/audit?since=2999-01-01").get_json() == []
    assert as_("steering_gov").get(f"/plans/{plan}/audit?since=yesterday").status_code == 422
    csv = as_("coordinator").get(f"/plans/{plan}/audit.csv?kind=signoff")
    assert csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert text.startswith("\ufeffid,at,action") and "signoff.approve" in text
    card_log = as_("coordinator").get(f"/cards/{card}/audit").get_json()
    assert card_log and all(e["card"]["id"] == card for e in card_log)


def test_the_council_document_annex_lists_the_real_sign_offs(app, as_, world):
    import io

    import docx

    plan, card = world["plan"], world["card"]
    attest_all(as_, card)
    as_("lead").post(f"/cards/{card}/submit")
    for name in ("lead", "co_lead", "steering_gov"):
        sign(as_, name, card)
    signed = standing(as_, card)["signoffs"]
    as_("steering_cso").post(f"/cards/{card}/request-changes", {"reason": "à revoir"})
    as_("lead").call("PATCH", f"/cards/{card}/content", {"fields": {"title": "Titre révisé"}})
    response = as_("coordinator").get(f"/plans/{plan}/export.docx?lang=fr")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    cells = [" ".join(c.text for c in row.cells) for t in document.tables for row in t.rows]
    for signoff in signed:
        row = next(r for r in cells if signoff["user"]["name"] in r)
        assert signoff["content_hash"][:12] in row
        assert signoff["content_hash"][12:24] not in row  # the first 12 characters only
    # The card changed after they signed: the annex says none of them holds any more.
    assert all("antérieure" in r for r in cells if any(s["content_hash"][:12] in r for s in signed))
    card_doc = docx.Document(io.BytesIO(as_("lead").get(f"/cards/{card}/export.docx?lang=ar").data))
    card_cells = " ".join(c.text for t in card_doc.tables for row in t.rows for c in row.cells)
    assert all(s["content_hash"][:12] in card_cells for s in signed)


def dashboard_rows(app, world, who="coordinator"):
    with app.app_context():
        session = db.session()
        found = dashboard.plan_rows(session, documents(app), session.get(User, world[who]),
                                    session.get(Plan, world["plan"]))
        return {r["card"].id: r for r in found}


def test_dashboard_rows_follow_edits_and_sign_offs(app, as_, world):
    card = world["card"]
    first = dashboard_rows(app, world)[card]
    assert first["title"] and first["signoffs"] == {"obtained": 0, "required": 4, "stale": 0, "blocking": 0}
    assert dashboard_rows(app, world)[card]["title"] == first["title"]  # read again: the same
    as_("lead").call("PATCH", f"/cards/{card}/content", {"fields": {"title": "عنوان جديد للبطاقة"}})
    assert dashboard_rows(app, world)[card]["title"] == "عنوان جديد للبطاقة"
    attest_all(as_, card)
    as_("lead").post(f"/cards/{card}/submit")
    sign(as_, "lead", card)
    sign(as_, "steering_gov", card)
    assert dashboard_rows(app, world)[card]["signoffs"]["obtained"] == 2
    as_("steering_cso").post(f"/cards/{card}/request-changes", {"reason": "à revoir"})
    as_("lead").call("PATCH", f"/cards/{card}/content", {"fields": {"title": "صيغة ثالثة"}})
    after = dashboard_rows(app, world)[card]
    assert after["title"] == "صيغة ثالثة" and after["signoffs"]["obtained"] == 0 and after["signoffs"]["stale"] == 2
    # Someone who holds no role on a card sees its row without being able to open it.
    assert dashboard_rows(app, world, "elsewhere")[card]["can_view"] is False
    assert dashboard_rows(app, world, "elsewhere")[world["other"]]["can_view"] is True


def test_an_unreadable_card_spoils_only_its_own_dashboard_row(app, world):
    with app.app_context():
        session = db.session()
        session.add(CardUpdate(card_id=world["other"], data=b"\x00 not an update"))
        session.commit()
    found = dashboard_rows(app, world)
    assert found[world["other"]]["error"] == "unreadable"
    assert found[world["card"]]["error"] is None and found[world["card"]]["title"]
