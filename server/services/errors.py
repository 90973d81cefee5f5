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

    exc = error(translate(reason, "en", **params), field=field)
    exc.reason, exc.params = reason, params  # type: ignore[attr-defined]
    return exc


def message_for(exc: ServiceError) -> str:
    """What a page shows for `exc`: its message in the reader's language when it has a key."""
    from ..i18n import translate

    reason = getattr(exc, "reason", None)
    return translate(reason, **getattr(exc, "params", {})) if reason else exc.message
