"""Who am I, the card template, and the OpenAPI description."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import jsonify

import schemas

from ..services.errors import NotFound
from . import api, serialize
from .helpers import user

OPENAPI = Path(__file__).with_name("openapi.json")


@lru_cache(maxsize=1)
def _openapi() -> dict:
    with OPENAPI.open(encoding="utf-8") as fh:
        return json.load(fh)


@api.get("/openapi.json")
def openapi():  # noqa: ANN201
    return jsonify(_openapi())


@api.get("/me")
def me():  # noqa: ANN201
    return jsonify(serialize.user(user()))


@api.get("/templates/<template_id>/<int:version>")
def template(template_id: str, version: int):  # noqa: ANN201
    try:
        return jsonify(schemas.load_template(template_id, version))
    except schemas.SchemaError:
        raise NotFound(f"No template {template_id} version {version}.") from None
