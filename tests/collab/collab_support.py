"""Helpers shared by the co-editing and interop tests: a pycrdt client and frame builders.

Server processes and waits come from tests/server_process.py (re-exported here). The Python
client is a small provider over the real python-socketio client: it answers sync step 1,
applies step 2 and updates, and sends its own changes as y-protocols update frames with an
acknowledgement.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any
from collections.abc import Callable

import socketio
from pycrdt import (Doc, Text, YMessageType, YSyncMessageType, create_sync_message, create_update_message,
                    get_update, handle_sync_message, write_message)

from server_process import ROOT, ServerProcess, wait_until  # noqa: F401  (re-exported)

NAMESPACE = "/collab"


class PyClient:
    """A pycrdt document kept in sync with one card over /collab."""

    def __init__(self, url: str, token: str | None = None, cookie: str | None = None) -> None:
        self.doc = Doc()
        self.lock = threading.RLock()
        self.card: int | None = None
        self.received: list[bytes] = []
        self.awareness: list[bytes] = []
        self.events: list[tuple[int | None, dict[str, Any]]] = []  # room events, in arrival order
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("yjs", self._on_yjs, namespace=NAMESPACE)
        self.sio.on("room", lambda card, event: self.events.append((card, event)), namespace=NAMESPACE)
        # python-engineio's client hands each message to a new thread, so a binary event's
        # attachment can be decoded before its header; handle messages in arrival order.
        trigger = self.sio.eio._trigger_event
        self.sio.eio._trigger_event = lambda event, *args, **kwargs: trigger(
            event, *args, **{**kwargs, **({"run_async": False} if event == "message" else {})})
        headers = {"Cookie": cookie} if cookie else None
        self.sio.connect(url, namespaces=[NAMESPACE], auth={"token": token} if token else None,
                         headers=headers, transports=["websocket"], wait_timeout=10)
        # engine.io drops its reference to the WebSocket when the server vanishes (kill -9)
        # without closing it; keep one so close() can release the socket.
        self._ws = self.sio.eio.ws

    def join(self, card_id: int) -> dict[str, Any]:
        self.card = card_id
        ack = self.sio.call("join", {"card": card_id}, namespace=NAMESPACE, timeout=10)
        if ack.get("ok"):
            # Our own step 1, as y-websocket clients send: the server answers with what we lack.
            with self.lock:
                step1 = create_sync_message(self.doc)
            self.send(step1, ack=False)
        return ack

    def send(self, frame: bytes, ack: bool = True, card: Any = None) -> dict[str, Any] | None:
        target = self.card if card is None else card
        if ack:
            return self.sio.call("yjs", (target, frame), namespace=NAMESPACE, timeout=15)
        self.sio.emit("yjs", (target, frame), namespace=NAMESPACE)
        return None

    def edit(self, change: Callable[[Doc], None], ack: bool = True) -> dict[str, Any] | None:
        """Make a local change and send it as a sync update frame."""
        with self.lock:
            before = self.doc.get_state()
            change(self.doc)
            update = self.doc.get_update(before)
        return self.send(update_frame(update), ack=ack)

    def text(self, name: str = "title") -> str:
        with self.lock:
            return str(self.doc.get(name, type=Text))

    def state(self) -> bytes:
        with self.lock:
            return self.doc.get_update()

    def close(self) -> None:
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None:
            # websocket-client waits 3 s for the server's close frame, which the server does
            # not send after an engine.io CLOSE packet; the server has let go by then.
            close = ws.close
            ws.close = lambda *args, **kwargs: close(timeout=0.05)
        self.sio.disconnect()
        self._ws.shutdown()

    def _on_yjs(self, card_id: int, message: bytes) -> None:
        if card_id != self.card:
            return
        self.received.append(message)
        if message[0] == 1:
            self.awareness.append(message)
            return
        if message[0] != 0:
            return
        with self.lock:
            reply = handle_sync_message(message[1:], self.doc)
        if reply is not None and self.sio.connected:
            try:
                self.send(reply, ack=False)
            except socketio.exceptions.SocketIOError:
                pass  # closed meanwhile: the next join exchanges state again


def update_frame(update: bytes) -> bytes:
    """A sync update frame, built by pycrdt."""
    return create_update_message(update)


def step2_frame(update: bytes) -> bytes:
    """A sync step 2 frame, built with pycrdt's message writer."""
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2]) + write_message(update)


def insert_text(text: str, index: int | None = None, name: str = "title") -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        field = doc.get(name, type=Text)
        field.insert(len(field) if index is None else index, text)
    return change


def missing(have: bytes, want: bytes) -> bytes:
    """What of `want` is not in `have` (b'\\x00\\x00' when nothing)."""
    doc = Doc()
    doc.apply_update(have)
    return get_update(want, doc.get_state())


def decode_awareness(frame: bytes) -> list[tuple[int, int, str]]:
    """The entries of an awareness frame (type 1, length, update)."""
    from server.collab.presence import _decode
    from server.collab.protocol import Reader

    reader = Reader(frame)
    reader.var_uint()
    return _decode(reader.var_bytes())


def call(server, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    """An API request with a bearer token: (status, decoded JSON body)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.url + "/api/v1" + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")
