"""The signed-in user's API tokens."""
from __future__ import annotations

from flask import jsonify

from .. import db
from ..auth.tokens import create_token
from ..services import accounts, live
from . import api, serialize
from .helpers import ApiError, body, user


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
    token = accounts.revoke_token(db.session(), user(), token_id)
    db.session().commit()
    live.credentials_revoked(token.user_id)  # sockets opened with this token close
    return "", 204
