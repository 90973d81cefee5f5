"""Errors the services raise; server.errors maps each to an HTTP status and JSON body."""
from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(ServiceError):
    status, code = 422, "invalid"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class RateLimited(ServiceError):
    status, code = 429, "rate_limited"


def keyed(error: type[ServiceError], reason: str, field: str | None = None, **params: object) -> ServiceError:
    """`error` with its English message (the API's), keeping the catalogue key for pages."""
    from ..i18n import translate

    return with_reason(error(translate(reason, "en", **params), field=field), reason, **params)


def with_reason(exc: ServiceError, reason: str, **params: object) -> ServiceError:
    """`exc`, keeping its own message for scripts, with the catalogue key `reason` that people
    read instead (pages, and the interface's own API calls: server/errors.py)."""
    exc.reason, exc.params = reason, params  # type: ignore[attr-defined]
    return exc


# What a person reads for each status when an error has no catalogue key of its own.
STATUS_MESSAGES = {400: "error.bad_request", 401: "error.unauthenticated", 403: "error.forbidden",
                   404: "error.not_found", 405: "error.method_not_allowed", 409: "error.conflict",
                   413: "error.too_large", 415: "error.unsupported_media_type", 422: "error.invalid",
                   429: "error.too_many_requests", 500: "error.internal", 503: "error.unavailable"}


def readable(status: int, message: str, reason: str | None = None, params: dict | None = None) -> str:
    """An error's `message` as a person reads it, never in a language not theirs: by its
    catalogue key `reason` when it has one; else as it is for an English reader, and the words
    for its status for the others."""
    from flask import g

    from ..i18n import DEFAULT, translate

    lang = g.get("lang", DEFAULT)  # the request's, found before anything could fail
    if reason:
        return translate(reason, lang, **(params or {}))
    return message if lang == "en" else translate(STATUS_MESSAGES.get(status, "error.title"), lang)


def message_for(exc: ServiceError) -> str:
    """What a page shows for `exc` (`readable`)."""
    return readable(exc.status, exc.message, getattr(exc, "reason", None), getattr(exc, "params", None))
