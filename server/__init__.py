"""Iltizam: co-writing, review and export of Open Government commitment cards."""
from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application. Only wiring happens here; every part lives in its own module."""
    from . import config, db, errors, i18n
    from .api import api
    from .auth import headers, throttle
    from .collab import wiring
    from .extensions import socketio
    from .public import public
    from .views import views

    app = Flask(__name__, instance_path=str(config.INSTANCE))
    app.config.update(config.DEFAULTS)
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)

    db.init_app(app)
    i18n.init_app(app)
    throttle.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    app.register_blueprint(api)
    app.register_blueprint(views)
    app.register_blueprint(public)

    from .collab.origins import allowed_origin

    kwargs: dict[str, Any] = {"cors_allowed_origins": allowed_origin(app.config)}
    if app.config.get("SOCKETIO_ASYNC_MODE"):
        kwargs["async_mode"] = app.config["SOCKETIO_ASYNC_MODE"]
    if app.config.get("REDIS_URL"):
        kwargs["message_queue"] = app.config["REDIS_URL"]
    socketio.init_app(app, **kwargs)
    wiring.init_app(app, socketio)
    if app.config.get("PROXY_HOPS"):
        # Outermost, so the socket handshake sees the client's address too. Only the last
        # PROXY_HOPS entries of X-Forwarded-For (those our own proxies added) are believed.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from .cli import register_commands

    register_commands(app)
    return app
