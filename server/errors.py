"""Errors as JSON for the API (`{"error": code, "message": text}`) and as pages elsewhere."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import g, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from . import db
from .collab.errors import CollabError, Unavailable
from .services.errors import STATUS_MESSAGES, ServiceError, readable

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
         422: "invalid", 429: "too_many_requests", 500: "internal", 503: "unavailable"}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _for_a_person() -> bool:
    """Whether the reader is a person in the interface (a page, or the browser's own API calls on
    its session) rather than a script with a token, whose messages stay in English."""
    # The user as this request already resolved them (a failing database must not be asked again).
    return not _wants_json() or (g.get("user") is not None and not g.get("via_token"))


def shown_message(status: int, message: str, reason: str | None = None, params: dict | None = None,
                  translated: bool = False) -> str:
    """`message` as the reader gets it: a script's in English, a person's in their language
    (services.errors.readable)."""
    if not _for_a_person() or translated:
        return message
    return readable(status, message, reason, params)


def error_response(status: int, code: str, message: str, field: str | None = None,
                   extra: dict | None = None):
    try:
        db.session().rollback()
    except OperationalError:
        pass  # the database is what failed; the session is discarded at teardown
    if _wants_json():
        body = {"error": code, "message": message}
        if field:
            body["field"] = field
        body.update(extra or {})
        return jsonify(body), status
    return render_template("error.html", status=status, code=code, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service(exc: ServiceError):
        reason = getattr(exc, "reason", None)
        # A page in the reader's language; an API error keeps its own words unless it has a key
        # (many are precise English for scripts: "parties[2].count must be…").
        message = (shown_message(exc.status, exc.message, reason, getattr(exc, "params", None))
                   if reason or not _wants_json() else exc.message)
        response, status = error_response(exc.status, exc.code, message, exc.field, getattr(exc, "extra", None))
        # An error may name headers of its own (Retry-After on a 429).
        return response, status, getattr(exc, "headers", None) or {}

    @app.errorhandler(Unavailable)
    def _unavailable(exc: Unavailable):
        # A live document took the change but could not save it yet: say so, never "done".
        return error_response(503, exc.code, exc.message if _wants_json() else shown_message(503, exc.message))

    @app.errorhandler(CollabError)
    def _refused_by_the_live_document(exc: CollabError):
        # A server-side write the live card refused as it refuses a person's (the document
        # would grow past its limit, or lose its shape): nothing was applied.
        return error_response(422, exc.code, exc.message if _wants_json() else shown_message(422, exc.message))

    @app.errorhandler(OperationalError)
    def _database(exc: OperationalError):
        # Unreachable, or locked for longer than the wait allows: nothing was stored.
        log.warning("database unavailable for %s %s (%s)", request.method, request.path, exc.__class__.__name__)
        return error_response(503, "unavailable", shown_message(
            503, "The database is unavailable; nothing was saved. Try again shortly.", "error.database"))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        code = CODES.get(status, "error")
        message, reason = exc.description or exc.name, None
        if message == "csrf":
            code, reason = "csrf", "error.csrf"
            message = "The form or request is missing its CSRF token; reload the page and try again."
        # A description of the view's own is already in the reader's words; Werkzeug's are English,
        # and a person reads the catalogue's words for the status instead.
        own = message != type(exc).description and reason is None
        if not own and reason is None:
            reason = STATUS_MESSAGES.get(status, "error.title")
        return error_response(status, code, shown_message(status, message, reason, translated=own))
