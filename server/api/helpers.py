"""Lookups and checks every endpoint shares: they abort with a JSON error and say why."""
from __future__ import annotations

import json
from typing import Any, TypeVar

from flask import abort, current_app, g, request

from .. import db, policy
from ..auth.current import check_csrf, load_user
from ..collab.engine import documents as _documents
from ..i18n import translate
from ..models import User
from ..services.errors import ServiceError

T = TypeVar("T")


class ApiError(ServiceError):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message, field)
        self.status, self.code = status, code


def authenticate() -> None:
    """before_request for the API: a user is required, and CSRF for cookie-authenticated writes."""
    if request.endpoint == "api.openapi":
        return
    if load_user() is None:
        raise ApiError(401, "unauthorized", "Sign in or send 'Authorization: Bearer <token>'.")
    check_csrf()


def user() -> User:
    return g.user


def lookup(model: type[T], ident: int, what: str) -> T:
    obj = db.session().get(model, ident)
    if obj is None:
        raise ApiError(404, "not_found", f"No {what} with id {ident}.")
    return obj


def require(action: str, obj: Any) -> None:
    decision = policy.decide(db.session(), user(), action, obj)
    if not decision:
        raise ApiError(403, "forbidden", f"{action} refused: {translate(decision.reason, 'en')}")


def body() -> dict[str, Any]:
    """The request's JSON object; 400 with the parser's reason when it is not one."""
    raw = request.get_data(cache=True, as_text=True)
    try:
        data = json.loads(raw or "null")
    except json.JSONDecodeError as exc:
        raise ApiError(400, "bad_json", f"Malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "The request body must be a JSON object.")
    return data


def documents():  # noqa: ANN201
    return _documents(current_app)
