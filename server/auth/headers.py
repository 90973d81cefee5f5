"""Security headers on every response, pages and API alike.

The Content-Security-Policy lets scripts come only from this origin: the pages carry no inline
script or event handler (their data travels in `<script type="application/json">` blocks, which
never run). Styles also allow 'unsafe-inline' because the editor's libraries add style at run
time (Tiptap's base stylesheet as a `<style>` element, collaborators' cursor colours as `style`
attributes); styles cannot run code, and dropping this needs the editor to ship those styles
in its CSS and pass a nonce.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app, request

if TYPE_CHECKING:
    from flask import Flask, Response

HSTS = "max-age=31536000"


def content_security_policy(host: str) -> str:
    """The policy for pages served from `host` (live co-editing connects back to it)."""
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        # 'self' covers ws:/wss: to this origin in current browsers; older ones need them named.
        f"connect-src 'self' ws://{host} wss://{host}",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ))


def _host() -> str:
    public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
    return public.netloc or request.host


def add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(_host()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if (current_app.config.get("PUBLIC_URL") or "").startswith("https://"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
