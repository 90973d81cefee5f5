"""Review: comment threads and comments on a card, and each user's notifications."""
from __future__ import annotations

import math
import time

from flask import current_app, jsonify, request

from .. import db
from ..services import notifications as inbox
from ..services import signoffs as signoff_service
from ..services import threads as service
from ..services import workflow
from . import api
from ..i18n import translate
from .helpers import ApiError, body, documents, is_id, user


def _counters():
    """Per-user write counts, shared by every process when Redis is configured."""
    counters = current_app.extensions.get("iltizam.review_counters")
    if counters is None:
        from ..auth.throttle import MemoryCounters, RedisCounters

        if current_app.config.get("REDIS_URL"):
            import redis

            counters = RedisCounters(redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2),
                                     prefix="iltizam:review:")
        else:
            counters = MemoryCounters()
        current_app.extensions["iltizam.review_counters"] = counters
    return counters


def _limit() -> None:
    """Refuse a flood: at most REVIEW_WRITES_PER_MINUTE comment writes per person per minute."""
    limit = current_app.config.get("REVIEW_WRITES_PER_MINUTE", 30)
    key, now = f"writes:{user().id}", time.time()
    counters = _counters()
    count, first, _ = counters.get(key, now)
    if count >= limit:
        wait = max(1, math.ceil(first + 60 - now))
        error = ApiError(429, "too_many_requests", translate("review.too_fast", user().language, n=wait))
        error.headers = {"Retry-After": str(wait)}
        raise error
    counters.add(key, now, 60, fixed=True)


def _answer(kind: str, thread, status: int = 200):
    """Commit, tell everyone on the card, answer with the thread as it is now."""
    session = db.session()
    session.commit()
    service.announce(session, documents(), kind, thread)
    return jsonify(service.one(session, documents(), thread)), status


@api.get("/cards/<int:card_id>/threads")
def list_threads(card_id: int):
    session = db.session()
    card = service.card_for(session, user(), card_id)
    status = request.args.get("status", "all")
    if status not in service.STATUS_FILTERS:
        raise ApiError(422, "invalid", f"status must be one of {', '.join(service.STATUS_FILTERS)}.", field="status")
    threads = service.list_threads(session, documents(), card, status)
    session.commit()  # anchors found again from their quote keep their new positions
    return jsonify({"threads": threads})


@api.post("/cards/<int:card_id>/threads")
def create_thread(card_id: int):
    session = db.session()
    card = service.card_for(session, user(), card_id, "card.comment")
    _limit()
    thread = service.create(session, documents(), user(), card, body())
    return _answer("thread_created", thread, 201)


@api.get("/cards/<int:card_id>/mentionable")
def mentionable(card_id: int):
    session = db.session()
    card = service.card_for(session, user(), card_id)
    return jsonify({"members": [service.person(u) for u in service.members(session, card)]})


@api.get("/threads/<int:thread_id>")
def get_thread(thread_id: int):
    session = db.session()
    thread = service.one(session, documents(), service.thread_for(session, user(), thread_id))
    session.commit()  # as in list_threads
    return jsonify(thread)


@api.post("/threads/<int:thread_id>/comments")
def add_comment(thread_id: int):
    session = db.session()
    thread = service.thread_for(session, user(), thread_id, "card.comment")
    _limit()
    service.reply(session, user(), thread, body())
    return _answer("comment_added", thread, 201)


@api.patch("/comments/<int:comment_id>")
def edit_comment(comment_id: int):
    session = db.session()
    comment = service.comment_for(session, user(), comment_id)
    _limit()
    service.edit(session, user(), comment, body())
    return _answer("comment_edited", comment.thread)


@api.delete("/comments/<int:comment_id>")
def delete_comment(comment_id: int):
    session = db.session()
    comment = service.comment_for(session, user(), comment_id)
    service.delete(session, user(), comment)
    return _answer("comment_deleted", comment.thread)


def _set_status(thread_id: int, status: str, kind: str):
    session = db.session()
    thread = service.thread_for(session, user(), thread_id, "card.comment")
    _limit()
    service.set_status(session, user(), thread, status)
    approved = signoff_service.thread_settled(session, documents(), user(), thread)
    answer = _answer(kind, thread)
    if approved is not None:
        workflow.announce(approved, "version")
    return answer


@api.post("/threads/<int:thread_id>/resolve")
def resolve_thread(thread_id: int):
    return _set_status(thread_id, "resolved", "thread_resolved")


@api.post("/threads/<int:thread_id>/reopen")
def reopen_thread(thread_id: int):
    return _set_status(thread_id, "open", "thread_reopened")


@api.get("/notifications")
def list_notifications():
    session = db.session()
    unread = request.args.get("unread") in ("1", "true")
    me = user()
    notes = inbox.inbox(session, me, unread)
    return jsonify({"unread": inbox.unread_count(session, me),
                    "notifications": [inbox.as_json(session, n, me.language) for n in notes]})


@api.post("/notifications/read")
def read_notifications():
    data = body()
    ids = data.get("ids")
    if ids is not None and (not isinstance(ids, list) or len(ids) > 1000 or not all(is_id(i) for i in ids)):
        raise ApiError(422, "invalid", "ids must be a list of notification ids (at most 1000), or absent for all.",
                       field="ids")
    session = db.session()
    changed = inbox.mark_read(session, user(), ids)
    session.commit()
    return jsonify({"marked": changed, "unread": inbox.unread_count(session, user())})
