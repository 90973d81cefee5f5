"""Lookups and checks every endpoint shares: they abort with a JSON error and say why."""
from __future__ import annotations

import json
from typing import Any, TypeVar

from flask import current_app, g, request

from .. import db
from ..auth.current import check_csrf, load_user
from ..collab.wiring import documents as _documents
from ..models import User
from ..services import access
from ..services.errors import ServiceError

T = TypeVar("T")

# Bounds on what a JSON body may hold: numbers fit a database integer, nesting stays far below
# Python's recursion limit, and every text can be stored as UTF-8.
MAX_INT = 2**31 - 1
MAX_DEPTH = 64
# Except in a comment's anchor: Yjs client ids and clocks reach 2**53 (the anchor's own
# reader checks them, server/review/anchors.py).
WIDE_INT_PREFIX = "anchor."
MAX_WIDE_INT = 2**53


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


def is_id(value: Any) -> bool:
    """Whether `value` could be a row id (services.access.is_id: ids are 32-bit database integers,
    a larger number names nothing and is answered "not found" rather than sent to the database)."""
    return access.is_id(value)


def lookup(model: type[T], ident: int, what: str) -> T:
    """The `model` row with id `ident`.

    Raises:
        NotFound: 404 when there is none (or `ident` cannot be an id).
    """
    return access.get(db.session(), model, ident, f"No {what} with id {ident}.")


def require(action: str, obj: Any) -> None:
    access.require(db.session(), user(), action, obj)


def body() -> dict[str, Any]:
    """The request's JSON object.

    Raises:
        ApiError: 400 with the parser's reason when it is not one, when it nests deeper than
            MAX_DEPTH; 422 naming the field for text that is not valid Unicode (a lone
            surrogate) or an integer beyond MAX_INT.
    """
    if "api_body" in g:
        return g.api_body
    raw = request.get_data(cache=True, as_text=True)
    try:
        data = json.loads(raw or "null")
    except json.JSONDecodeError as exc:
        raise ApiError(400, "bad_json", f"Malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.") from None
    except RecursionError:
        raise ApiError(400, "bad_json", f"The JSON nests deeper than {MAX_DEPTH} levels.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "The request body must be a JSON object.")
    _check_values(data)
    g.api_body = data
    return data


def _check_values(data: Any) -> None:
    # Iterative, so a deep document cannot exhaust the stack here either.
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ApiError(400, "bad_json", f"The JSON nests deeper than {MAX_DEPTH} levels.")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, path)
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, path)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT and not (
                path.startswith(WIDE_INT_PREFIX) and abs(value) < MAX_WIDE_INT):
            raise ApiError(422, "invalid", f"{path or 'The number'} is out of range (at most {MAX_INT}).",
                           field=path or None)


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # 422 naming where, like any other text a field refuses: the page can point at it.
        raise ApiError(422, "invalid", f"{path or 'The body'} holds text that is not valid Unicode "
                       "(a lone surrogate such as \\ud800).", field=path or None) from None


def documents():
    return _documents(current_app)
