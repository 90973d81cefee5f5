"""The JSON API under /api/v1. docs: served at /api/v1/openapi.json."""
from __future__ import annotations

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

from .helpers import authenticate  # noqa: E402

api.before_request(authenticate)

from . import approval, cards, downloads, imports, members, organisations, plans, publication, threads, tokens, meta  # noqa: E402,F401  (routes register on import)
