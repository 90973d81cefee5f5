"""Wires the collaboration engine into an app: the store, the documents service, the rooms."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import db
from .documents import Documents
from .store import Store

if TYPE_CHECKING:
    from flask import Flask
    from flask_socketio import SocketIO


def init_app(app: Flask, socketio: SocketIO) -> None:
    store = Store(db.sessionmaker_for(app))
    app.extensions["iltizam.store"] = store
    app.extensions["iltizam.documents"] = Documents(store)


def documents(app: Flask) -> Documents:
    return app.extensions["iltizam.documents"]
