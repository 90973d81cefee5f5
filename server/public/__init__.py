"""The public side: pages and a read-only JSON API anyone may use without an account.

A blueprint of its own, apart from the API's (whose every request authenticates) and the
pages' (which ask for a login): nothing here reads a session or sets a cookie, so the answers
can be cached and compared by ETag. What it shows comes only from services/public_view.py.
"""
from __future__ import annotations

from flask import Blueprint, g, request

from ..i18n import DEFAULT, LANGUAGES

public = Blueprint("public", __name__)


@public.app_template_filter("isolate")
def _isolate(value: object) -> str:
    """A date or number kept in its own direction inside a sentence of the other (Unicode isolates),
    so "2026-12-27" never reads "27-12-2026" in Arabic text. For values passed into messages."""
    return f"\u2066{value}\u2069"


@public.before_request
def _language() -> None:
    # The page's language is in its address (?lang=fr), so each language is its own cached page.
    lang = request.args.get("lang")
    g.lang = lang if lang in LANGUAGES else DEFAULT


from . import api, pages  # noqa: E402,F401  (routes register on import)
