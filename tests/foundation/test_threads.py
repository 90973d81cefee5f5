"""Review threads through the API: who may comment, anchors by quote and by offsets, detaching,
mentions, notifications, and hostile bodies."""
from __future__ import annotations

import pytest

from server import db
from server.collab.wiring import documents
from server.content import write
from server.models import Card
from server.services import exports

from tests.conftest import email_of

PROBLEM = [
    {"type": "paragraph", "content": [{"type": "text", "text": "يعاني المواطنون من صعوبة الوصول إلى المعلومات."}]},
    {"type": "paragraph", "content": [{"type": "text", "text": "Les délais de réponse dépassent souvent 60 jours."}]},
]
FIELDS = {"title": "الحق في الحصول على المعلومات", "problem": PROBLEM,
          "milestones": [{"id": "a1b2c3d4e5f6", "activity": "Former 200 agents", "deliverable": "Guide publié",
                          "start": "2025-01", "end": "2025-06", "responsible": "Ministère"}]}


@pytest.fixture
def world(app, factory):
    admin = factory.user(admin=True)
    org = factory.org()
    plan = factory.plan(admin)
    card = factory.card(plan, admin, fields=FIELDS)
    other = factory.card(plan, admin)
    people = {"admin": admin}
    for role in ("lead", "reviewer", "viewer", "contributor"):
        people[role] = factory.user(org_id=org)
        factory.grant(admin, people[role], role, plan, card)
    people["coordinator"] = factory.user(org_id=org)
    factory.grant(admin, people["coordinator"], "coordinator", plan)
    people["elsewhere"] = factory.user(org_id=org)
    factory.grant(admin, people["elsewhere"], "lead", plan, other)
    return {"plan": plan, "card": card, "other": other, **people}


def as_user(client, auth, app, user_id):
    auth.login(email_of(app, user_id))
    return auth.headers()


def post(client, headers, url, data):
    return client.post(url, json=data, headers=headers)


def test_a_reviewer_comments_on_a_quote_and_everyone_on_the_card_reads_it(app, client, auth, world):
    headers = as_user(client, auth, app, world["reviewer"])
    answer = post(client, headers, f"/api/v1/cards/{world['card']}/threads",
                  {"field": "problem", "quote": "الوصول إلى المعلومات", "body": "هل لدينا أرقام؟"})
    assert answer.status_code == 201, answer.get_json()
    thread = answer.get_json()
    assert thread["kind"] == "range" and thread["status"] == "open" and not thread["detached"]
    assert thread["quote"] == thread["current_text"] == "الوصول إلى المعلومات"
    text = "يعاني المواطنون من صعوبة الوصول إلى المعلومات."
    assert thread["start"] == text.index("الوصول") and thread["end"] == thread["start"] + len("الوصول إلى المعلومات")
    assert thread["comments"][0]["html"] == "<p>هل لدينا أرقام؟</p>\n"
    as_user(client, auth, app, world["viewer"])
    listed = client.get(f"/api/v1/cards/{world['card']}/threads").get_json()["threads"]
    assert [t["id"] for t in listed] == [thread["id"]]


def test_offsets_and_table_cells_anchor_too(app, client, auth, world):
    headers = as_user(client, auth, app, world["lead"])
    second = PROBLEM[1]["content"][0]["text"]
    base = len(PROBLEM[0]["content"][0]["text"]) + 1  # blocks are joined by one line break
    start = base + second.index("60 jours")
    answer = post(client, headers, f"/api/v1/cards/{world['card']}/threads",
                  {"field": "problem", "start": start, "end": start + 8, "body": "Source ?"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["current_text"] == "60 jours"
    cell = post(client, headers, f"/api/v1/cards/{world['card']}/threads",
                {"field": "milestones", "row": "a1b2c3d4e5f6", "column": "activity", "quote": "200 agents",
                 "body": "Combien de régions ?"})
    assert cell.status_code == 201, cell.get_json()
    assert (cell.get_json()["row"], cell.get_json()["current_text"]) == ("a1b2c3d4e5f6", "200 agents")
    whole = post(client, headers, f"/api/v1/cards/{world['card']}/threads", {"field": "title", "body": "Titre trop long"})
    assert whole.status_code == 201 and whole.get_json()["kind"] == "field"
    card = post(client, headers, f"/api/v1/cards/{world['card']}/threads", {"body": "Fiche prête ?"})
    assert card.status_code == 201 and card.get_json()["kind"] == "card"


@pytest.mark.parametrize("data,field", [
    ({"field": "problem", "quote": "nowhere in the text", "body": "x"}, "quote"),
    ({"field": "problem", "start": 5, "end": 5, "body": "x"}, "start"),
    ({"field": "problem", "start": 0, "end": 10_000, "body": "x"}, "start"),
    ({"field": "nope", "body": "x"}, "field"),
    ({"field": "milestones", "row": "000000000000", "column": "activity", "quote": "x", "body": "x"}, "row"),
    ({"field": "problem", "quote": "المعلومات", "body": ""}, "body"),
    ({"field": "problem", "quote": "المعلومات", "body": "x" * 10_001}, "body"),
    ({"field": "problem", "quote": "المعلومات", "body": "bell \u0007"}, "body"),
])
def test_impossible_anchors_and_bodies_are_refused_by_name(app, client, auth, world, data, field):
    headers = as_user(client, auth, app, world["reviewer"])
    answer = post(client, headers, f"/api/v1/cards/{world['card']}/threads", data)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["field"] == field
    as_user(client, auth, app, world["viewer"])
    assert client.get(f"/api/v1/cards/{world['card']}/threads").get_json()["threads"] == []


def test_who_may_comment_read_or_not_even_see(app, client, auth, world):
    url = f"/api/v1/cards/{world['card']}/threads"
    for role in ("lead", "contributor", "reviewer", "coordinator"):
        headers = as_user(client, auth, app, world[role])
        assert post(client, headers, url, {"body": f"from {role}"}).status_code == 201, role
    headers = as_user(client, auth, app, world["viewer"])
    refused = post(client, headers, url, {"body": "a viewer"})
    assert refused.status_code == 403
    assert client.get(url).status_code == 200
    headers = as_user(client, auth, app, world["elsewhere"])
    assert client.get(url).status_code == 404
    assert post(client, headers, url, {"body": "outsider"}).status_code == 404


def test_outsiders_get_404_on_every_thread_route(app, client, auth, world):
    headers = as_user(client, auth, app, world["reviewer"])
    thread = post(client, headers, f"/api/v1/cards/{world['card']}/threads", {"body": "مرحبا"}).get_json()
    comment_id = thread["comments"][0]["id"]
    headers = as_user(client, auth, app, world["elsewhere"])
    assert client.get(f"/api/v1/threads/{thread['id']}").status_code == 404
    assert post(client, headers, f"/api/v1/threads/{thread['id']}/comments", {"body": "x"}).status_code == 404
    assert post(client, headers, f"/api/v1/threads/{thread['id']}/resolve", {}).status_code == 404
    assert client.patch(f"/api/v1/comments/{comment_id}", json={"body": "x"}, headers=headers).status_code == 404
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=headers).status_code == 404
    # Someone else's comment on a card one may comment on: refused, and kept.
    headers = as_user(client, auth, app, world["lead"])
    assert client.patch(f"/api/v1/comments/{comment_id}", json={"body": "x"}, headers=headers).status_code == 403
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/threads/{thread['id']}").get_json()["comments"][0]["body"] == "مرحبا"


def test_replies_edits_deletes_resolve_and_reopen(app, client, auth, world):
    headers = as_user(client, auth, app, world["reviewer"])
    thread = post(client, headers, f"/api/v1/cards/{world['card']}/threads",
                  {"field": "title", "body": "Premier"}).get_json()
    headers = as_user(client, auth, app, world["lead"])
    replied = post(client, headers, f"/api/v1/threads/{thread['id']}/comments", {"body": "Réponse"})
    assert replied.status_code == 201 and len(replied.get_json()["comments"]) == 2
    mine = replied.get_json()["comments"][1]["id"]
    edited = client.patch(f"/api/v1/comments/{mine}", json={"body": "Réponse corrigée"}, headers=headers).get_json()
    assert edited["comments"][1]["body"] == "Réponse corrigée" and edited["comments"][1]["edited_at"]
    deleted = client.delete(f"/api/v1/comments/{mine}", headers=headers).get_json()
    assert deleted["comments"][1] == {**deleted["comments"][1], "deleted": True, "body": "", "html": ""}
    assert len(deleted["comments"]) == 2  # the thread keeps its place
    resolved = post(client, headers, f"/api/v1/threads/{thread['id']}/resolve", {}).get_json()
    assert resolved["status"] == "resolved" and resolved["resolved_by"]["id"] == world["lead"]
    listed = client.get(f"/api/v1/cards/{world['card']}/threads?status=open").get_json()["threads"]
    assert listed == []
    reopened = post(client, headers, f"/api/v1/threads/{thread['id']}/reopen", {}).get_json()
    assert reopened["status"] == "open" and reopened["resolved_by"] is None


def test_deleting_the_quoted_text_detaches_and_restoring_it_reattaches(app, client, auth, world):
    headers = as_user(client, auth, app, world["reviewer"])
    thread = post(client, headers, f"/api/v1/cards/{world['card']}/threads",
                  {"field": "problem", "quote": "souvent 60 jours", "body": "Source ?"}).get_json()
    with app.app_context():
        template = exports.template_for(db.session().get(Card, world["card"]))
        changed = [PROBLEM[0], {"type": "paragraph", "content": [{"type": "text", "text": "Les délais varient."}]}]
        documents(app).edit(world["card"], lambda doc: write.write_fields(doc, template, {"problem": changed}))
    detached = client.get(f"/api/v1/threads/{thread['id']}").get_json()
    assert detached["detached"] and detached["current_text"] is None and detached["quote"] == "souvent 60 jours"
    assert [t["id"] for t in client.get(f"/api/v1/cards/{world['card']}/threads?status=detached").get_json()["threads"]] \
        == [thread["id"]]
    with app.app_context():
        documents(app).edit(world["card"], lambda doc: write.write_fields(doc, template, {"problem": PROBLEM}))
    back = client.get(f"/api/v1/threads/{thread['id']}").get_json()
    assert not back["detached"] and back["current_text"] == "souvent 60 jours"
    # Found again from its quote, the range got new positions, which editors follow.
    assert back["anchor"] != thread["anchor"]
    assert client.get(f"/api/v1/threads/{thread['id']}").get_json()["anchor"] == back["anchor"]


def test_mentions_notify_members_and_refuse_strangers(app, client, auth, world):
    headers = as_user(client, auth, app, world["reviewer"])
    stranger = post(client, headers, f"/api/v1/cards/{world['card']}/threads",
                    {"body": f"@[X](mention:{world['elsewhere']}) regarde"})
    assert stranger.status_code == 422 and stranger.get_json()["field"] == "body"
    thread = post(client, headers, f"/api/v1/cards/{world['card']}/threads",
                  {"field": "problem", "quote": "المعلومات", "body": f"@[Faux nom](mention:{world['contributor']}) ?"})
    assert thread.status_code == 201
    html = thread.get_json()["comments"][0]["html"]
    name = email_of(app, world["contributor"]).split("@")[0]
    assert f"<bdi>{name}</bdi>" in html and "Faux nom" not in html
    as_user(client, auth, app, world["contributor"])
    inbox = client.get("/api/v1/notifications?unread=1").get_json()
    assert inbox["unread"] == 1 and inbox["notifications"][0]["kind"] == "mention"
    as_user(client, auth, app, world["lead"])
    inbox = client.get("/api/v1/notifications").get_json()
    assert [n["kind"] for n in inbox["notifications"]] == ["new_thread"]
    headers = auth.headers()
    assert post(client, headers, "/api/v1/notifications/read", {}).get_json()["unread"] == 0
    as_user(client, auth, app, world["reviewer"])
    assert client.get("/api/v1/notifications").get_json()["unread"] == 0  # nobody hears of their own doing


@pytest.mark.parametrize("body", [
    "<script>alert(1)</script>", "[click](javascript:alert(1))", '<img src=x onerror="alert(1)">',
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
])
def test_hostile_bodies_come_out_inert(app, client, auth, world, body):
    headers = as_user(client, auth, app, world["reviewer"])
    html = post(client, headers, f"/api/v1/cards/{world['card']}/threads", {"body": body}).get_json()["comments"][0]["html"]
    assert "<script" not in html and "<img" not in html and "javascript:" not in html.replace("(javascript:", "")
    assert 'href="javascript' not in html and 'href="data' not in html


def test_comments_close_with_the_review(app, client, auth, world):
    headers = as_user(client, auth, app, world["reviewer"])
    thread = post(client, headers, f"/api/v1/cards/{world['card']}/threads", {"body": "avant"}).get_json()
    with app.app_context():
        session = db.session()
        session.get(Card, world["card"]).status = "approved"
        session.commit()
    assert post(client, headers, f"/api/v1/threads/{thread['id']}/comments", {"body": "après"}).status_code == 403
    assert post(client, headers, f"/api/v1/cards/{world['card']}/threads", {"body": "après"}).status_code == 403
    assert client.get(f"/api/v1/threads/{thread['id']}").status_code == 200


def test_a_flood_of_comments_is_refused_and_others_carry_on(app, client, auth, world):
    app.config["REVIEW_WRITES_PER_MINUTE"] = 5
    headers = as_user(client, auth, app, world["reviewer"])
    url = f"/api/v1/cards/{world['card']}/threads"
    answers = [post(client, headers, url, {"body": f"n° {i}"}).status_code for i in range(7)]
    assert answers == [201] * 5 + [429] * 2
    refused = post(client, headers, url, {"body": "encore"})
    assert refused.headers["Retry-After"].isdigit() and refused.get_json()["error"] == "too_many_requests"
    headers = as_user(client, auth, app, world["lead"])
    assert post(client, headers, url, {"body": "moi aussi"}).status_code == 201
    assert len(client.get(url).get_json()["threads"]) == 6


def test_comments_of_an_imported_word_file_become_threads(app, client, auth, world):
    from server.models import User
    from server.services import threads as thread_service

    comments = [
        {"field": "problem", "quote": "60 jours", "author": "Karim *Alaoui*", "date": "2026-11-02T10:00:00Z",
         "body": "Chiffre de quelle année ?", "replies": [{"author": "سلمى", "body": "2023"}], "resolved": True},
        {"field": "problem", "quote": "not in the text any more", "author": "", "body": "Reformuler"},
        {"field": "nope", "quote": "x", "author": "A", "body": "<script>alert(1)</script>"},
    ]
    with app.app_context():
        session = db.session()
        card = session.get(Card, world["card"])
        actor = session.get(User, world["lead"])
        assert thread_service.import_threads(session, documents(app), card, actor, comments) == 3
        session.commit()
    as_user(client, auth, app, world["viewer"])
    listed = {t["comments"][0]["text"]: t for t in client.get(f"/api/v1/cards/{world['card']}/threads").get_json()["threads"]}
    ranged = listed["Karim *Alaoui* — Chiffre de quelle année ?"]
    assert (ranged["kind"], ranged["current_text"], ranged["status"]) == ("range", "60 jours", "resolved")
    assert [c["text"] for c in ranged["comments"]] == ["Karim *Alaoui* — Chiffre de quelle année ?", "سلمى — 2023"]
    assert listed["Reformuler"]["kind"] == "field" and listed["Reformuler"]["quote"] == "not in the text any more"
    hostile = next(t for t in listed.values() if t["field"] is None)
    assert "<script" not in hostile["comments"][0]["html"]


def test_listing_reads_the_same_few_queries_however_many_threads_and_people(app, client, auth, world):
    """Comments and their authors, creators, resolvers and mentioned people are read in a fixed
    number of queries (no query per thread or comment), and each comes out as before."""
    from sqlalchemy import event

    url = f"/api/v1/cards/{world['card']}/threads"
    mention = f"@[x](mention:{world['contributor']}) voir"

    def listing():
        statements = []
        engine = app.extensions["iltizam.engine"]
        count = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", count)
        try:
            answer = client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert answer.status_code == 200
        return answer.get_json()["threads"], len(statements)

    headers = as_user(client, auth, app, world["reviewer"])
    first = post(client, headers, url, {"field": "problem", "quote": "المعلومات", "body": "Premier"}).get_json()["id"]
    headers = as_user(client, auth, app, world["lead"])
    post(client, headers, f"/api/v1/threads/{first}/comments", {"body": mention})
    listed, few = listing()
    later = []
    for role in ("lead", "contributor", "coordinator", "admin"):
        headers = as_user(client, auth, app, world[role])
        later.append(post(client, headers, url, {"field": "title", "body": f"par {role}"}).get_json()["id"])
    post(client, headers, url, {"body": "toute la fiche"})
    headers = as_user(client, auth, app, world["reviewer"])
    for thread in later:
        post(client, headers, f"/api/v1/threads/{thread}/comments", {"body": mention})
        post(client, headers, f"/api/v1/threads/{thread}/resolve", {})
    listed, many = listing()
    assert len(listed) == 6 and many == few
    by_id = {t["id"]: t for t in listed}
    assert [c["author"]["id"] for c in by_id[first]["comments"]] == [world["reviewer"], world["lead"]]
    name = email_of(app, world["contributor"]).split("@")[0]
    assert f"<bdi>{name}</bdi>" in by_id[first]["comments"][1]["html"]
    assert by_id[first]["created_by"]["organisation"] is not None and by_id[first]["resolved_by"] is None
    resolved = [by_id[t] for t in later]
    assert {t["status"] for t in resolved} == {"resolved"}
    assert {t["resolved_by"]["id"] for t in resolved} == {world["reviewer"]}
    assert [t["created_by"]["id"] for t in resolved] == [world[r] for r in ("lead", "contributor", "coordinator", "admin")]
    assert [[c["author"]["id"] for c in t["comments"]] for t in resolved] == \
        [[world[r], world["reviewer"]] for r in ("lead", "contributor", "coordinator", "admin")]
    # And one thread alone (what a room event carries) reads the same as in the listing.
    assert client.get(f"/api/v1/threads/{first}").get_json() == by_id[first]


def _statements(app, fn):
    """What `fn` returns, and the SQL statements it ran."""
    from sqlalchemy import event

    statements = []
    engine = app.extensions["iltizam.engine"]
    count = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", count)
    try:
        return fn(), statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_listing_is_kept_only_while_the_threads_people_and_document_stay_the_same(app, client, auth, world):
    """The second listing of an unchanged card reads neither threads nor comments; a write by
    another process, a renamed person, a keystroke before a range and a write rolled back each
    show (or not) in the very next listing."""
    from sqlalchemy.orm import Session

    from server.models import Comment, Thread, User
    from server.services import thread_listing

    url = f"/api/v1/cards/{world['card']}/threads"
    headers = as_user(client, auth, app, world["reviewer"])
    made = post(client, headers, url, {"field": "problem", "quote": "60 jours", "body": "Source ?"}).get_json()
    first, statements = _statements(app, lambda: client.get(url).get_json()["threads"])
    assert [t["id"] for t in first] == [made["id"]] and any("FROM threads" in s for s in statements)
    again, statements = _statements(app, lambda: client.get(url).get_json()["threads"])
    assert again == first
    assert not any("FROM threads" in s or "FROM comments" in s for s in statements), statements

    # Another process writes through its own session: the card's review version changes with it.
    engine = app.extensions["iltizam.engine"]
    with Session(engine) as other:
        other.add(Comment(thread_id=made["id"], author_id=world["lead"], body="Vu ailleurs"))
        other.get(User, world["lead"]).name = "Nadia B."
        other.commit()
    listed = client.get(url).get_json()["threads"]
    assert [c["text"] for c in listed[0]["comments"]] == ["Source ?", "Vu ailleurs"]
    assert listed[0]["comments"][1]["author"]["name"] == "Nadia B."
    with Session(engine) as other:  # a rename alone changes no thread, and shows too
        other.get(User, world["lead"]).name = "Nadia Benali"
        other.commit()
    assert client.get(url).get_json()["threads"][0]["comments"][1]["author"]["name"] == "Nadia Benali"

    # A keystroke before the range: the same threads, placed anew in the live document.
    def type_before(doc):
        from pycrdt import XmlFragment, XmlText

        paragraph = list(doc.get("problem", type=XmlFragment).children)[1]
        next(c for c in paragraph.children if isinstance(c, XmlText)).insert(0, "Hélas, ")

    with app.app_context():
        documents(app).edit(world["card"], type_before)
    placed, statements = _statements(app, lambda: client.get(url).get_json()["threads"])
    assert placed[0]["current_text"] == "60 jours" and placed[0]["start"] == listed[0]["start"] + len("Hélas, ")
    assert not any("FROM threads" in s or "FROM comments" in s for s in statements)

    # A write rolled back leaves nothing behind, even after the session that made it listed it.
    with app.app_context():
        session = db.session()
        card = session.get(Card, world["card"])
        session.add(Comment(thread_id=made["id"], author_id=world["lead"], body="jamais enregistré"))
        session.flush()
        seen = thread_listing.list_threads(session, documents(app), card)
        assert [c["text"] for c in seen[0]["comments"]][-1] == "jamais enregistré"
        session.rollback()
    assert [c["text"] for c in client.get(url).get_json()["threads"][0]["comments"]] == ["Source ?", "Vu ailleurs"]
    with app.app_context():
        assert db.session().get(Thread, made["id"]).card_id == world["card"]
