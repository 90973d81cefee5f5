"""Who am I, the card template, and the OpenAPI description."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import current_app, g, jsonify, request

import schemas

from .. import db
from ..auth.current import log_in
from ..auth.passwords import verify_password
from ..i18n import translate
from ..services import accounts, live
from ..services.errors import Forbidden, Invalid, NotFound
from . import api, serialize
from .helpers import ApiError, body, user

OPENAPI = Path(__file__).with_name("openapi.json")


@lru_cache(maxsize=1)
def _openapi() -> dict:
    with OPENAPI.open(encoding="utf-8") as fh:
        return json.load(fh)


@api.get("/openapi.json")
def openapi():
    return jsonify(_openapi())


@api.get("/me")
def me():
    return jsonify(serialize.user(user()))


@api.post("/me/password")
def change_password():
    data = body()
    # The sign-in throttle guards this check too, or a borrowed session could guess the password.
    throttle, address = current_app.extensions["iltizam.throttle"], request.remote_addr or "unknown"
    wait = throttle.wait(user().email, address)
    if wait:
        error = ApiError(429, "too_many_requests", translate("login.throttled", "en", n=wait),
                         field="current_password")
        error.headers = {"Retry-After": str(wait)}  # type: ignore[attr-defined]
        raise error
    if not verify_password(user().password_hash, str(data.get("current_password", ""))):
        throttle.failed(user().email, address)
        raise Forbidden("current_password is not your password", field="current_password")
    throttle.succeeded(user().email, address)
    new = data.get("new_password")
    try:
        accounts.set_password(db.session(), user(), new if isinstance(new, str) else "")
    except ValueError as exc:
        raise Invalid(str(exc), field="new_password") from None
    db.session().commit()
    live.credentials_revoked(user().id)
    if not g.get("via_token"):
        log_in(user())  # every other session ended; this browser stays signed in
    return "", 204


@api.get("/templates/<template_id>/<int:version>")
def template(template_id: str, version: int):
    try:
        return jsonify(schemas.load_template(template_id, version))
    except schemas.SchemaError:
        raise NotFound(f"No template {template_id} version {version}.") from None
