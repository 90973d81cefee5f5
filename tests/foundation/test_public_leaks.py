"""Only published content reaches the public: a crawl of every public link from the plan page
finds none of the texts planted in drafts, live edits, threads, unpublished versions, pending or
rejected contributions, moderators' notes, reviewers' names or anyone's e-mail; every internal
object tried anonymously is not found."""
from __future__ import annotations

import io
import json
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import docx

from server import db
from server.models import Card, Thread, User

from tests.foundation.publication_world import approve, contribution, open_consultation, publish

SECRETS = ("SECRET-DRAFT", "SECRET-LIVE", "SECRET-THREAD", "SECRET-PENDING", "SECRET-REJECTED", "SECRET-NOTE")
HREF = re.compile(r'(?:href|src)="([^"#]+)')
MAX_PAGES = 400


def plant(app, as_, world) -> None:
    """The published card is reopened and edited, commented on; a draft card holds a secret;
    contributions wait or are rejected with a note."""
    card, other, plan = world["card"], world["other"], world["plan"]
    approve(as_, card)
    publish(as_, card)
    open_consultation(as_, plan)
    visitor = app.test_client()
    pending = visitor.post(f"/api/v1/public/cards/{card}/contributions",
                           json=contribution(body="SECRET-PENDING", email="pending@example.org")).get_json()
    rejected = visitor.post(f"/api/v1/public/cards/{card}/contributions",
                            json=contribution(body="SECRET-REJECTED", email="rejected@example.org")).get_json()
    shown = visitor.post(f"/api/v1/public/cards/{card}/contributions",
                         json=contribution(body="Public remark", email="shown@example.org")).get_json()
    assert as_("coordinator").post(f"/contributions/{rejected['id']}/moderate",
                                   {"decision": "reject", "reason": "abusive", "note": "SECRET-NOTE"}).status_code == 200
    assert as_("coordinator").post(f"/contributions/{shown['id']}/moderate",
                                   {"decision": "publish", "note": "SECRET-NOTE"}).status_code == 200
    assert pending["state"] == "pending"
    assert as_("coordinator").post(f"/cards/{card}/request-changes", {"reason": "SECRET-THREAD reason"}).status_code == 200
    assert as_("lead").call("PATCH", f"/cards/{card}/content", {"fields": {"summary": "SECRET-LIVE"}}).status_code == 200
    assert as_("reviewer").post(f"/cards/{card}/threads", {"field": None, "body": "SECRET-THREAD"}).status_code == 201
    assert as_("coordinator").call("PATCH", f"/cards/{other}/content",
                                   {"fields": {"title": "SECRET-DRAFT"}}).status_code == 200


def texts(response) -> str:
    kind = response.headers.get("Content-Type", "")
    if "wordprocessingml" in kind:
        document = docx.Document(io.BytesIO(response.get_data()))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return response.get_data(as_text=True)


def links(base: str, response) -> list[str]:
    kind = response.headers.get("Content-Type", "")
    body = response.get_data(as_text=True) if "wordprocessingml" not in kind else ""
    found = HREF.findall(body)
    if "json" in kind:
        found += re.findall(r'"(?:url|plan_url|report)": "([^"]+)"', body)
        found += [u for u in json.loads(body).get("downloads", {}).values()] if body.startswith("{") else []
    if "xml" in kind:
        found += re.findall(r"<loc>([^<]+)</loc>", body) + re.findall(r'href="([^"]+)"', body)
    out = []
    for link in found:
        url = urljoin(base, link.replace("&amp;", "&"))
        path = urlsplit(url).path
        if path.startswith(("/public/", "/api/v1/public/", "/sitemap.xml")):
            out.append(urlsplit(url)._replace(scheme="", netloc="").geturl())
    return out


def test_a_crawl_of_the_public_side_finds_nothing_unpublished(app, as_, world):
    plant(app, as_, world)
    with app.app_context():
        session = db.session()
        people = list(session.query(User))
        reviewer_name = session.get(User, world["reviewer"]).name
        assert session.query(Thread).filter(Thread.card_id == world["card"]).count() >= 2
    forbidden = [*SECRETS, reviewer_name, *(u.email for u in people), "pending@example.org", "rejected@example.org",
                 "shown@example.org", "souad@example.org"]
    visitor = app.test_client()
    start = [f"/public/plans/{world['plan']}?lang={lang}" for lang in ("ar", "fr", "en")]
    start += ["/sitemap.xml", f"/api/v1/public/plans/{world['plan']}", f"/api/v1/public/cards/{world['card']}"]
    queue, seen = deque(start), set(start)
    crawled = 0
    while queue and crawled < MAX_PAGES:
        url = queue.popleft()
        response = visitor.get(url)
        crawled += 1
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        text = texts(response)
        for secret in forbidden:
            assert secret not in text, f"{secret!r} appears on {url}"
        for link in links("http://iltizam.test" + url, response):
            if link not in seen and "/contribute" not in link:
                seen.add(link)
                queue.append(link)
    assert crawled >= 15, f"the crawl reached only {crawled} pages"
    assert "Public remark" in visitor.get(f"/public/cards/{world['card']}").get_data(as_text=True)


def test_every_internal_object_is_not_found_anonymously(app, as_, world, factory):
    plant(app, as_, world)
    unpublished_plan = factory.plan(world["admin"])
    visitor = app.test_client()
    with app.app_context():
        card_ids = [c.id for c in db.session().query(Card)]
    for card_id in card_ids:
        if card_id == world["card"]:
            continue
        for url in (f"/public/cards/{card_id}", f"/api/v1/public/cards/{card_id}", f"/public/cards/{card_id}/diff",
                    f"/public/cards/{card_id}/versions/1", f"/public/cards/{card_id}/card.json"):
            assert visitor.get(url).status_code == 404, url
        assert visitor.post(f"/api/v1/public/cards/{card_id}/contributions", json=contribution()).status_code == 404
    for url in (f"/public/plans/{unpublished_plan}", f"/api/v1/public/plans/{unpublished_plan}",
                f"/public/plans/{unpublished_plan}/plan.json", f"/public/plans/{unpublished_plan}/report",
                f"/public/cards/{world['card']}/versions/2", "/public/cards/99999", "/public/plans/2147483648"):
        assert visitor.get(url).status_code == 404, url
    sitemap = visitor.get("/sitemap.xml").get_data(as_text=True)
    assert f"/public/plans/{unpublished_plan}" not in sitemap
    # The people's side stays closed without an account.
    for url in (f"/api/v1/plans/{world['plan']}/contributions", f"/api/v1/cards/{world['card']}",
                f"/api/v1/plans/{world['plan']}/documents"):
        assert visitor.get(url).status_code == 401, url
    assert visitor.get(f"/plans/{world['plan']}/public-side").status_code == 302
