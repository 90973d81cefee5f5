"""The `/collab` Socket.IO namespace: a thin adapter between connections and the engine.

Each handler translates arguments, delegates to `Connections` (server/collab/connections.py),
and maps `CollabError`s to acknowledgements; `SocketTransport` is the way back out. Nothing
here decides who may do what. docs/protocol.md is the contract.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections.abc import Collection

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace

from . import fanout
from .errors import BadRequest, CollabError, NotJoined, UnknownCard

if TYPE_CHECKING:
    from flask import Flask
    from flask_socketio import SocketIO

    from .connections import Connections

NAMESPACE = "/collab"
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


def room_name(card_id: int) -> str:
    return f"card:{card_id}"


class SocketTransport:
    """Sends a room's frames and the engine's room events to this process's clients.

    `ignore_queue=True`: every process holding a card receives its updates over the card's
    Redis channel and fans them out to its own clients, so going through the Socket.IO
    message queue as well would deliver everything twice, and would stop local delivery
    whenever Redis is down.

    Broadcasts skip `emit`: the event is encoded and framed once and each member gets one
    socket write (`fanout`), which is what keeps a 1000-member card's fan-out short.
    """

    def __init__(self, socketio: SocketIO) -> None:
        self.socketio = socketio
        fanout.install(socketio.server)

    def send(self, conn_id: str, card_id: int, message: bytes) -> None:
        self.socketio.emit("yjs", (card_id, message), to=conn_id, namespace=NAMESPACE, ignore_queue=True)

    def event(self, conn_id: str, card_id: int | None, event: dict[str, Any]) -> None:
        """A room event for one connection (`card_id` None: about the connection itself)."""
        self.socketio.emit("room", (card_id, event), to=conn_id, namespace=NAMESPACE, ignore_queue=True)

    def event_to_card(self, card_id: int, event: dict[str, Any]) -> None:
        """A room event for every connection of this process in the card's Socket.IO room."""
        self.socketio.emit("room", (card_id, event), to=room_name(card_id), namespace=NAMESPACE,
                           ignore_queue=True)

    def broadcast(self, card_id: int, message: bytes, skip: list[str], first: Collection[str] = ()) -> None:
        server = self.socketio.server
        event = fanout.Broadcast(NAMESPACE, "yjs", [card_id, message])
        participants = dict(server.manager.get_participants(NAMESPACE, room_name(card_id)))
        for sid in skip:
            participants.pop(sid, None)
        for sid in first:
            eio_sid = participants.pop(sid, None)
            if eio_sid is not None:
                fanout.send_to(server.eio, eio_sid, event)
        for eio_sid in participants.values():
            fanout.send_to(server.eio, eio_sid, event)

    # Socket.IO room membership mirrors the engine's: `broadcast` and `event_to_card` address it.

    def join_group(self, conn_id: str, card_id: int) -> None:
        self.socketio.server.enter_room(conn_id, room_name(card_id), namespace=NAMESPACE)

    def leave_group(self, conn_id: str, card_id: int) -> None:
        self.socketio.server.leave_room(conn_id, room_name(card_id), namespace=NAMESPACE)

    def close(self, conn_id: str) -> None:
        self.socketio.server.disconnect(conn_id, namespace=NAMESPACE)


class CollabNamespace(Namespace):
    def __init__(self, app: Flask, connections: Connections) -> None:
        super().__init__(NAMESPACE)
        self.app = app
        self.connections = connections

    def on_connect(self, auth: Any = None) -> None:
        try:
            self.connections.open(request.sid, auth)
        except CollabError as exc:
            raise ConnectionRefusedError(exc.message, {"error": exc.code}) from None

    def on_disconnect(self, *_reason: Any) -> None:
        self.connections.closed(request.sid)

    def on_join(self, data: Any = None) -> dict[str, Any]:
        try:
            return self.connections.join(request.sid, _card_of(data)).ack()
        except CollabError as exc:
            return exc.ack()

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        try:
            card_id = _card_of(data)
        except CollabError as exc:
            return exc.ack()
        self.connections.leave(request.sid, card_id)
        return {"ok": True}

    def trigger_event(self, event: str, *args: Any) -> Any:
        # `yjs` comes with every keystroke. It needs the app (the database) but not a Flask
        # request, whose construction for each event (environ copy, URL matching, session)
        # was a tenth of the server's time with 200 typists; the other events keep it.
        if event == "yjs":
            sid, *data = args
            with self.app.app_context():
                return self.yjs(sid, *data)
        return super().trigger_event(event, *args)

    def yjs(self, sid: str, card_id: Any = None, message: Any = None, *_extra: Any) -> dict[str, Any]:
        try:
            if not _is_id(card_id):
                raise NotJoined()
            self.connections.receive(sid, card_id, message)
            return {"ok": True}
        except CollabError as exc:
            return exc.ack()


def _is_id(value: Any) -> bool:
    # `True == 1` in Python: a boolean must never stand for card 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _card_of(data: Any) -> int:
    card_id = data.get("card") if isinstance(data, dict) else None
    if not _is_id(card_id):
        raise BadRequest('Send {"card": CARD_ID} with an integer id.')
    if not 0 < card_id <= MAX_ID:
        raise UnknownCard()
    return card_id
