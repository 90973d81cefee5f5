"""Large messages reach a connection whole: a multi-megabyte card joins, a reader that stalls
gets a stream that still parses, and a card cannot be grown past the documented size."""
from __future__ import annotations

import json
import socket
from importlib.metadata import version

import websocket
from pycrdt import Doc, Text, handle_sync_message

from collab_support import insert_text, wait_until
from server.collab.protocol import MAX_DOCUMENT_BYTES, sync_step1

CHUNK = 700_000  # characters per update: each frame stays under the 1 MiB limit


def _grow(editor, parts: int, name: str = "summary") -> None:
    for i in range(parts):
        ack = editor.edit(insert_text(chr(ord("a") + i) * CHUNK, name=name))
        assert ack == {"ok": True}, ack


def test_a_multi_megabyte_card_reaches_a_fresh_joiner(server, world, connect):
    editor = connect(server, world.tokens["contributor"])
    editor.join(world.card_id)
    _grow(editor, 4)  # about 2.8 MB of document
    joiner = connect(server, world.tokens["viewer"])
    assert joiner.join(world.card_id)["ok"]
    wait_until(lambda: joiner.text("summary") == editor.text("summary"), timeout=30,
               message="the whole document at the joiner")


class RawClient:
    """A Socket.IO client over a bare WebSocket that reads only when told to."""

    def __init__(self, url: str, token: str) -> None:
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        # A small receive buffer, so the server's side fills up soon after we stop reading.
        self.ws = websocket.create_connection(ws_url, timeout=30,
                                              sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 8192),))
        assert self.ws.recv().startswith("0")
        self.ws.send("40/collab," + json.dumps({"token": token}))
        assert self.ws.recv().startswith("40/collab,")
        self.acks: dict[int, object] = {}
        self.frames: list[bytes] = []
        self.events: list[object] = []
        self.doc = Doc()
        self._next = 1

    def emit(self, event: str, *args: object) -> int:
        ack_id, self._next = self._next, self._next + 1
        binary = [a for a in args if isinstance(a, bytes)]
        data = [event] + [{"_placeholder": True, "num": binary.index(a)} if isinstance(a, bytes) else a
                          for a in args]
        prefix = f"5{len(binary)}-" if binary else "2"
        self.ws.send(f"4{prefix}/collab,{ack_id}" + json.dumps(data))
        for chunk in binary:
            self.ws.send_binary(chunk)
        return ack_id

    def read_until(self, done) -> None:
        """Read and parse packets until `done()`; every packet must parse."""
        while not done():
            packet = self.ws.recv()
            assert isinstance(packet, str), "an attachment arrived without its header"
            if packet == "2":
                self.ws.send("3")
                continue
            assert packet.startswith("4"), packet
            body = packet[1:]
            if body.startswith(("3/collab,", "6")):
                ack_id, payload = body.split(",", 1)[1].split("[", 1)
                self.acks[int(ack_id)] = json.loads("[" + payload)[0]
                continue
            if body.startswith("2/collab,"):  # an event without attachment: a room event
                self.events.append(json.loads(body.split(",", 1)[1]))
                continue
            assert body.startswith("51-/collab,"), body[:80]
            event = json.loads(body.split(",", 1)[1])
            assert event[0] == "yjs" and event[2] == {"_placeholder": True, "num": 0}, event
            frame = self.ws.recv()
            assert isinstance(frame, bytes), "a yjs event without its binary attachment"
            self.frames.append(frame)
            if frame[0] == 0:
                handle_sync_message(frame[1:], self.doc)

    def close(self) -> None:
        self.ws.close(timeout=0.05)


def test_a_stalled_reader_gets_every_message_whole(server, world, connect):
    editor = connect(server, world.tokens["contributor"])
    editor.join(world.card_id)
    _grow(editor, 1)
    raw = RawClient(server.url, world.tokens["viewer"])
    try:
        joined = raw.emit("join", {"card": world.card_id})
        raw.read_until(lambda: joined in raw.acks)
        assert raw.acks[joined]["ok"]
        # Stop reading while the document grows (the broadcasts pile up in the server's socket
        # and queue), then ask for the whole document: the answer goes out on the ordinary
        # path, behind the broadcasts, into a socket that takes a few kilobytes at a time.
        _grow(editor, 3)
        asked = raw.emit("yjs", world.card_id, sync_step1(b"\x00"))
        raw.read_until(lambda: asked in raw.acks and str(raw.doc.get("summary", type=Text))
                       == editor.text("summary"))
        assert raw.acks[asked] == {"ok": True}
    finally:
        raw.close()


def test_a_card_cannot_grow_past_the_document_limit(server, world, connect):
    editor = connect(server, world.tokens["contributor"])
    editor.join(world.card_id)
    acks = []
    for i in range(MAX_DOCUMENT_BYTES // CHUNK + 2):
        acks.append(editor.edit(insert_text(chr(ord("a") + i) * CHUNK, name="summary")))
        if not acks[-1]["ok"]:
            break
    refused = acks[-1]
    assert refused["ok"] is False and refused["error"] == "document_too_large", refused
    assert f"{MAX_DOCUMENT_BYTES:,}" in refused["message"], refused
    # The refused change is not in the card; a newcomer still joins and sees the rest.
    accepted = "".join(chr(ord("a") + i) * CHUNK for i in range(len(acks) - 1))
    joiner = connect(server, world.tokens["viewer"])
    joiner.join(world.card_id)
    wait_until(lambda: joiner.text("summary") == accepted, timeout=30, message="the card without the refused part")
    # Small edits that keep the card under the limit are still fine.
    assert editor.edit(lambda doc: doc.get("summary", type=Text).__delitem__(slice(0, CHUNK))) == {"ok": True}


def test_the_transport_internals_fanout_relies_on_are_the_pinned_ones():
    """fanout.py reaches into python-engineio and simple-websocket; re-check it on any upgrade."""
    import simple_websocket
    from engineio import socket as eio_socket
    from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI

    pinned = {"python-engineio": "4.15.1", "simple-websocket": "1.1.0", "wsproto": "1.3.2"}
    found = {name: version(name) for name in pinned}
    assert found == pinned, (
        f"transport libraries changed ({found}, fanout.py was written against {pinned}): re-read "
        "FramedWebSocket/send_to against the new SimpleWebSocketWSGI, simple_websocket.Base and "
        "engineio.socket.Socket, then update this pin")
    assert {"send", "wait", "close", "__call__"} <= set(vars(SimpleWebSocketWSGI))
    base = simple_websocket.ws.Base
    assert {"send", "close", "_thread", "_handle_events"} <= set(vars(base))
    assert {"queue", "upgraded", "closed", "send", "_websocket_handler"} <= (
        set(vars(eio_socket.Socket)) | set(eio_socket.Socket.__init__.__code__.co_names))
