"""Production entry point: one gevent server process (`python -m server.serve`).

Monkey patching happens first, before anything imports socket, threading or time: the engine
uses `threading` locks and events and `time.sleep`, which then cooperate with greenlets
instead of blocking the whole process. Run several of these behind a sticky load balancer,
with DATABASE_URL and REDIS_URL set, to scale out (docs/deployment.md).

Prints `listening on HOST:PORT` once bound (port 0 picks a free port, for tests and the
benchmark) and stops cleanly on SIGTERM/SIGINT after writing every queued update.
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
from gevent import pywsgi  # noqa: E402


# Engine settings that may also come from the environment (see server/collab/wiring.py).
SETTINGS = {"COLLAB_WINDOW_MS": float, "COLLAB_WINDOW_PER_MEMBER_US": float, "COLLAB_WINDOW_MAX_MS": float,
            "COLLAB_UNLOAD_GRACE": float, "COLLAB_COMPACT_ROWS": int,
            "COLLAB_ACK_TIMEOUT": float, "COLLAB_RECHECK_SECONDS": float, "COLLAB_CHANNEL_PREFIX": str}


class Handler(pywsgi.WSGIHandler):
    """gevent's request handler, closing the connection once a WebSocket session ends.

    The WebSocket runs on the request's socket; when it ends, gevent would go on reading that
    socket as a keep-alive HTTP connection, and the client's WebSocket close frame then
    arrives as the "next request": logged at ERROR as an invalid HTTP method, raw bytes and
    all. Nothing can follow a WebSocket on the same connection, so it is closed instead.
    Malformed requests on ordinary connections are still logged.
    """

    def handle_one_response(self) -> None:
        super().handle_one_response()
        if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            self.close_connection = True


def engine_settings(environ: dict[str, str] | os._Environ[str]) -> dict[str, object]:
    """The COLLAB_* settings present in `environ`, converted."""
    return {key: kind(environ[key]) for key, kind in SETTINGS.items() if environ.get(key)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "WARNING"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    os.environ["SOCKETIO_ASYNC_MODE"] = "gevent"

    from server import create_app
    from server.collab.wiring import rooms
    from server.wsgi import without_websocket_compression

    app = create_app(engine_settings(os.environ))
    server = pywsgi.WSGIServer((args.host, args.port), without_websocket_compression(app), log=None,
                               error_log=logging.getLogger("wsgi"), handler_class=Handler)
    server.start()
    if app.config.get("SMTP_HOST"):
        from server.services.notifications import mail_forever

        gevent.spawn(mail_forever, app)
    print(f"listening on {args.host}:{server.server_port}", flush=True)

    def stop() -> None:
        server.stop(timeout=2)
        rooms(app).close_all()
        replicator = app.extensions.get("iltizam.replicator")
        if replicator is not None:
            replicator.stop()

    gevent.signal_handler(signal.SIGTERM, stop)
    gevent.signal_handler(signal.SIGINT, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
