"""Which pages may open a co-editing connection: the Origin check of the WebSocket handshake.

Browsers send the session cookie with a WebSocket handshake from any site, and CORS does not
apply to WebSockets, so the handshake's Origin is the only thing that tells a page of ours from
someone else's page riding on the cookie. Allowed: the public address (PUBLIC_URL) and any
CORS_ORIGINS; without PUBLIC_URL (the embedded default), the address the request was sent to.
Proxy headers are never trusted for this. Clients that send no Origin (scripts with a token)
are not browsers and pass; they still have to authenticate.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, or None when it has none."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def allowed_origin(config: Mapping[str, Any]) -> Callable[[str | None, dict[str, Any]], bool]:
    """The check engine.io calls with each handshake's Origin (`cors_allowed_origins`)."""
    configured = {o for o in (origin_of(u) for u in [config.get("PUBLIC_URL") or "", *config.get("CORS_ORIGINS", [])])
                  if o}

    def check(origin: str | None, environ: dict[str, Any] | None = None) -> bool:
        if not origin:
            return True
        origin = origin.lower()
        if configured:
            return origin in configured
        environ = environ or {}
        host = environ.get("HTTP_HOST", "")
        scheme = environ.get("wsgi.url_scheme", "http")
        return bool(host) and origin == f"{scheme}://{host}".lower()

    return check
