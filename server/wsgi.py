"""WSGI middleware for the co-editing transport.

`without_websocket_compression` removes the client's permessage-deflate offer from WebSocket
handshakes, so the connection is opened uncompressed. The server would otherwise deflate every
outgoing frame once per recipient (each connection has its own compression context, so one
broadcast cannot share the work): measured at half of the server's CPU with 200 editors,
for frames of a few dozen bytes that do not shrink. Browsers and socket.io-client work
unchanged without the extension.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable, Iterable

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def without_websocket_compression(app: WSGIApp) -> WSGIApp:
    """Wrap `app` so WebSocket upgrades are negotiated without extensions.

    Args:
        app: the WSGI application (the Flask app with Socket.IO).

    Returns:
        The wrapped WSGI application.
    """
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return app(environ, start_response)

    return wrapped
