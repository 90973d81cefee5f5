"""Errors as JSON for the API (`{"error": code, "message": text}`) and as pages elsewhere."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from . import db
from .collab.errors import CollabError, Unavailable
from .services.errors import ServiceError

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
         422: "invalid", 429: "too_many_requests", 500: "internal", 503: "unavailable"}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


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
        response, status = error_response(exc.status, exc.code, exc.message, exc.field,
                                          getattr(exc, "extra", None))
        # An error may name headers of its own (Retry-After on a 429).
        return response, status, getattr(exc, "headers", None) or {}

    @app.errorhandler(Unavailable)
    def _unavailable(exc: Unavailable):
        # A live document took the change but could not save it yet: say so, never "done".
        return error_response(503, exc.code, exc.message)

    @app.errorhandler(CollabError)
    def _refused_by_the_live_document(exc: CollabError):
        # A server-side write the live card refused as it refuses a person's (the document
        # would grow past its limit, or lose its shape): nothing was applied.
        return error_response(422, exc.code, exc.message)

    @app.errorhandler(OperationalError)
    def _database(exc: OperationalError):
        # Unreachable, or locked for longer than the wait allows: nothing was stored.
        log.warning("database unavailable for %s %s (%s)", request.method, request.path, exc.__class__.__name__)
        return error_response(503, "unavailable", "The database is unavailable; nothing was saved. Try again shortly.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = CODES.get(exc.code or 500, "error")
        message = exc.description or exc.name
        if message == "csrf":
            code, message = "csrf", "The form or request is missing its CSRF token; reload the page and try again."
        return error_response(exc.code or 500, code, message)
