"""Wires the collaboration engine into an app: the store, the rooms, the connections, the
namespace, Redis.

Settings (app config, all optional):
    COLLAB_WINDOW_MS      smallest fan-out coalescing window per busy room (default 10)
    COLLAB_WINDOW_PER_MEMBER_US  window growth per member of the room (default 200)
    COLLAB_WINDOW_MAX_MS  largest window, however large the room (default 60)
    COLLAB_UNLOAD_GRACE   seconds a room stays loaded after its last member left (default 30)
    COLLAB_COMPACT_ROWS   log rows written by a room between two compactions (default 500)
    COLLAB_ACK_TIMEOUT    seconds an update waits to become durable before `unavailable` (default 10)
    COLLAB_RECHECK_SECONDS  a connection's rights are decided again at least this often (default 5);
                          the services' room events re-decide at once, this is the backstop
    REDIS_URL             other server processes share cards through it when set
    COLLAB_CHANNEL_PREFIX Redis channel prefix (default "iltizam:collab:card:")
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import db
from .connections import Connections
from .documents import Documents
from .namespace import CollabNamespace, SocketTransport
from .registry import Rooms
from .room_events import RoomEvents, plan_cards
from .room import Window
from .protocol import MAX_MESSAGE_BYTES
from .store import Store

TRANSPORT_LIMIT = 4 * MAX_MESSAGE_BYTES

if TYPE_CHECKING:
    from flask import Flask
    from flask_socketio import SocketIO


def init_app(app: Flask, socketio: SocketIO) -> None:
    store = Store(db.sessionmaker_for(app))
    transport = SocketTransport(socketio)

    def spawn(fn) -> None:
        # Background work needs the app: the flusher and compaction open their own sessions.
        def run() -> None:
            with app.app_context():
                fn()
        socketio.start_background_task(run)

    rooms = Rooms(store, transport, spawn=spawn,
                  window=Window(minimum=app.config.get("COLLAB_WINDOW_MS", 10) / 1000,
                                per_member=app.config.get("COLLAB_WINDOW_PER_MEMBER_US", 200) / 1e6,
                                maximum=app.config.get("COLLAB_WINDOW_MAX_MS", 60) / 1000),
                  grace=app.config.get("COLLAB_UNLOAD_GRACE", 30.0),
                  compact_rows=app.config.get("COLLAB_COMPACT_ROWS", 500),
                  ack_timeout=app.config.get("COLLAB_ACK_TIMEOUT", 10.0))
    app.extensions["iltizam.store"] = store
    app.extensions["iltizam.rooms"] = rooms
    app.extensions["iltizam.documents"] = Documents(store, rooms)
    connections = Connections(app, rooms, transport,
                              recheck_seconds=float(app.config.get("COLLAB_RECHECK_SECONDS", 5.0)))
    socketio.on_namespace(CollabNamespace(app, connections))
    events = RoomEvents(connections, plan_cards(db.session))
    app.extensions["iltizam.room_events"] = events
    # Let frames somewhat over our own limit reach the handler, which refuses them with a
    # `too_large` ack; only beyond this does engine.io drop the connection.
    socketio.server.eio.max_http_buffer_size = TRANSPORT_LIMIT
    if app.config.get("REDIS_URL"):
        from .replication import RedisReplicator

        replicator = RedisReplicator(app.config["REDIS_URL"], rooms, spawn=socketio.start_background_task,
                                     prefix=app.config.get("COLLAB_CHANNEL_PREFIX", "iltizam:collab:card:"),
                                     events=events)
        rooms.replicator = replicator
        events.publisher = replicator
        app.extensions["iltizam.replicator"] = replicator
        replicator.start()


def documents(app: Flask) -> Documents:
    return app.extensions["iltizam.documents"]


def rooms(app: Flask) -> Rooms:
    return app.extensions["iltizam.rooms"]
