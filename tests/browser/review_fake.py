"""An in-browser stand-in for the review API (threads, comments, mentions), answering the card
page's requests through Playwright's request routing, to the contract the editor is built on
(editor/src/review/api.js). The live room events it would send are handed to the other pages
on `deliver()`, through the page's own entry point for them.

It lets the panel, highlights and mentions be driven and photographed before, or without, the
server's side; the tests against the real server are in test_review.py.
"""
from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from browser_support import CardPage

ROUTE = re.compile(r"/api/v1/(cards/\d+/(threads|mentionable)|threads/\d+/(comments|resolve|reopen)|comments/\d+)(\?.*)?$")
MENTION = re.compile(r"@\[([^\]\n]*)\]\(mention:([^)\s]+)\)")
RECEIVE = "(event) => document.getElementById('card-editor').iltizam.review.receive(event)"


def render(body: str) -> str:
    """Markdown reduced to what the tests write: paragraphs and mentions, everything escaped."""
    out = []
    for para in body.split("\n\n"):
        text = html.escape(para)
        text = MENTION.sub(lambda m: f'<span class="mention">@{m.group(1)}</span>', text)
        out.append(f"<p>{text}</p>")
    return "".join(out)


class FakeReviewApi:
    def __init__(self, members: list[dict[str, Any]]) -> None:
        self.members = members
        self.threads: dict[int, dict[str, Any]] = {}
        self.pages: list[tuple[CardPage, dict[str, Any]]] = []
        self.outbox: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, Any]] = []
        self.next_id = 100
        self.clock = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)

    def _now(self) -> str:
        self.clock += timedelta(minutes=7)
        return self.clock.isoformat().replace("+00:00", "Z")

    def install(self, page: CardPage, person: dict[str, Any]) -> None:
        """Answer this page's review requests as `person` (before the card is opened; the dict
        may be filled in once it is, from the page's own data)."""
        self.pages.append((page, person))
        page.context.route(ROUTE, lambda route, request: self._handle(route, request, person))

    def seed(self, thread: dict[str, Any]) -> dict[str, Any]:
        self.threads[thread["id"]] = thread
        return thread

    def _out(self, thread: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
        data = json.loads(json.dumps(thread))
        for comment in data["comments"]:
            comment["mine"] = comment["author"]["id"] == person["id"]
        data["can"] = {"reply": True, "resolve": True}
        return data

    def _event(self, kind: str, thread: dict[str, Any]) -> None:
        data = json.loads(json.dumps(thread))
        for comment in data["comments"]:
            comment["mine"] = False
        self.outbox.append({"kind": kind, "thread": data})

    def deliver(self) -> None:
        """Hand the room events so far to every page, as the card's live connection would."""
        events, self.outbox = self.outbox, []
        for event in events:
            for page, _ in self.pages:
                page.page.evaluate(RECEIVE, event)

    def _comment(self, person: dict[str, Any], body: str) -> dict[str, Any]:
        self.next_id += 1
        return {"id": self.next_id, "author": person, "body": body, "html": render(body), "created_at": self._now(),
                "edited_at": None, "deleted": False, "mine": True}

    def _handle(self, route: Any, request: Any, person: dict[str, Any]) -> None:
        path = request.url.split("/api/v1/", 1)[1].split("?", 1)[0]
        method = request.method
        body = request.post_data_json if request.post_data else None
        self.requests.append((method, path, body))
        parts = path.split("/")
        answer: Any
        status = 200
        if method != "GET" and not request.headers.get("x-csrf-token"):
            status, answer = 403, {"error": "forbidden", "message": "CSRF"}
        elif parts[0] == "cards" and parts[2] == "mentionable":
            answer = {"members": self.members}
        elif parts[0] == "cards" and method == "GET":
            answer = {"threads": [self._out(t, person) for t in self.threads.values()]}
        elif parts[0] == "cards":
            if not (body.get("body") or "").strip():
                status, answer = 422, {"error": "invalid", "message": "Empty.", "field": "body"}
            else:
                self.next_id += 1
                anchor = body.get("anchor")
                thread = {
                    "id": self.next_id, "card_id": int(parts[1]), "field": body.get("field"), "row": body.get("row"),
                    "column": body.get("column"),
                    "kind": "card" if body.get("field") is None else "range" if anchor else "field",
                    "status": "open", "detached": False, "quote": body.get("quote") or "", "anchor": anchor,
                    "current_text": body.get("quote") or None, "start": None, "end": None, "created_at": self._now(),
                    "created_by": person, "resolved_at": None, "resolved_by": None,
                    "comments": [self._comment(person, body["body"])],
                }
                self.threads[thread["id"]] = thread
                self._event("thread_created", thread)
                status, answer = 201, self._out(thread, person)
        elif parts[0] == "threads":
            thread = self.threads[int(parts[1])]
            if parts[2] == "comments":
                thread["comments"].append(self._comment(person, body["body"]))
                self._event("comment_added", thread)
                status = 201
            elif parts[2] == "resolve":
                thread.update(status="resolved", resolved_at=self._now(), resolved_by=person)
                self._event("thread_resolved", thread)
            else:
                thread.update(status="open", resolved_at=None, resolved_by=None)
                self._event("thread_reopened", thread)
            answer = self._out(thread, person)
        else:
            comment_id = int(parts[1])
            thread = next(t for t in self.threads.values() if any(c["id"] == comment_id for c in t["comments"]))
            comment = next(c for c in thread["comments"] if c["id"] == comment_id)
            if method == "DELETE":
                comment.update(body="", html="", deleted=True)
                self._event("comment_deleted", thread)
            else:
                comment.update(body=body["body"], html=render(body["body"]), edited_at=self._now())
                self._event("comment_edited", thread)
            answer = self._out(thread, person)
        route.fulfill(status=status, content_type="application/json", body=json.dumps(answer, ensure_ascii=False))

    def last_comment(self) -> dict[str, Any]:
        return max((c for t in self.threads.values() for c in t["comments"]), key=lambda c: c["id"])
