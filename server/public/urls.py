"""Absolute addresses on the public site, for feeds, the sitemap, API answers and mails."""
from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def public_url(endpoint: str, **values: Any) -> str:
    """The address of `endpoint` on the public site: on PUBLIC_URL when it is set."""
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
