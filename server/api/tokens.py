"""The signed-in user's API tokens."""
from __future__ import annotations

from flask import jsonify

from .. import db
from ..auth.tokens import create_token
from ..models import ApiToken, utcnow
from ..services import live
from . import api, serialize
from .helpers import ApiError, body, is_id, user


@api.get("/tokens")
def list_tokens():
    return jsonify([serialize.token(t) for t in user().tokens])


@api.post("/tokens")
def new_token():
    name = body().get("name", "script")
    if not isinstance(name, str) or len(name) > 100:
        raise ApiError(422, "invalid", "name must be a text of at most 100 characters", field="name")
    token, secret = create_token(db.session(), user(), name)
    db.session().commit()
    return jsonify({**serialize.token(token), "token": secret}), 201


@api.delete("/tokens/<int:token_id>")
def revoke_token(token_id: int):
    token = db.session().get(ApiToken, token_id) if is_id(token_id) else None
    if token is None or token.user_id != user().id:
        raise ApiError(404, "not_found", f"No token {token_id} of yours.")
    token.revoked_at = token.revoked_at or utcnow()
    db.session().commit()
    live.credentials_revoked(token.user_id)  # sockets opened with this token close
    return "", 204
