"""Conditional answers for public pages: an ETag from the plan's public state, 304 when it matches.

The ETag is the plan's public fingerprint (services/public_view.state_key) with the address and
language, so any publication, moderation, answer or consultation change makes a new one. Bodies
built for an ETag are kept in a small in-process cache: a page read by a room full of people is
built once per change, not once per reader.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import datetime
from collections.abc import Callable
from threading import Lock

from flask import Response, g, make_response, request

from .. import db
from ..models import Plan
from ..services import public_view

MAX_ENTRIES = 512
# Browsers and proxies may keep a copy but must ask again each time; the answer to asking is
# usually a 304.
CACHE_CONTROL = "public, no-cache"

_bodies: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
_lock = Lock()


def _remember(etag: str, body: bytes, mimetype: str) -> None:
    with _lock:
        _bodies[etag] = (body, mimetype)
        _bodies.move_to_end(etag)
        while len(_bodies) > MAX_ENTRIES:
            _bodies.popitem(last=False)


def _recall(etag: str) -> tuple[bytes, str] | None:
    with _lock:
        found = _bodies.get(etag)
        if found is not None:
            _bodies.move_to_end(etag)
        return found


def clear() -> None:
    with _lock:
        _bodies.clear()


def _unmodified(modified: datetime | None) -> bool:
    since = request.if_modified_since
    return bool(since and modified and modified.replace(microsecond=0) <= since.replace(tzinfo=None))


def conditional(plan: Plan, build: Callable[[], str | bytes], mimetype: str = "text/html",
                extra: str = "") -> Response:
    """The page `build` makes, or 304 when the client's copy is the current one.

    Args:
        plan: the plan whose public state the page shows.
        build: makes the body (only called when neither the client nor the cache has it).
        extra: anything else the body depends on beyond the address and the plan's state.
    """
    key, modified = public_view.state_key(db.session(), plan)
    etag = hashlib.sha256(f"{key}|{request.full_path}|{g.lang}|{extra}".encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag) or (not request.if_none_match and _unmodified(modified)):
        response = Response(status=304)
    else:
        found = _recall(etag)
        if found is None:
            body = build()
            found = (body.encode() if isinstance(body, str) else body, mimetype)
            _remember(etag, *found)
        response = make_response(found[0])
        response.mimetype = found[1]
    response.set_etag(etag)
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Accept-Encoding")
    return response
