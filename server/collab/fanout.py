"""Broadcast one Socket.IO event to a room with one socket write per recipient.

A `yjs` event carries bytes, so Socket.IO sends it as two engine.io packets (a text header
naming the attachment, then the binary attachment). The ordinary path then costs, per
recipient: two packets through the connection's queue, a switch to its writer greenlet, and
two WebSocket frames built and written separately. With a thousand members in a card that
per-recipient work is what delays the last one.

What a server sends over WebSocket is not masked, so both frames are the same bytes for every
recipient: `Broadcast` builds them once. For each recipient:

- when nothing is waiting in the connection's queue and its writer is not in the middle of a
  write, the prepared bytes are written at once, from the broadcasting greenlet, with one
  system call that never waits: what a slow reader's socket does not take at once is queued
  (so one slow laptop never holds up the room);
- otherwise the `Broadcast` itself is queued, as one packet, behind what is waiting, and the
  connection's writer hands it to `FramedWebSocket.send`, which writes the prepared bytes.

Every other message to a connection (join answers, step 2 replies, acks) also goes through
`FramedWebSocket.send`, which writes each frame whole (simple-websocket 1.1.0 would not).
These internals of python-engineio and simple-websocket are pinned; a test fails when they move.

Either way nothing overtakes what was queued before it, and one connection's frames never
interleave: every write to a connection goes through its `FramedWebSocket` lock. Connections
this cannot serve as-is (still on long-polling, or with a WebSocket extension negotiated,
which would have to transform every frame) get the ordinary packets.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from engineio import packet as eio_packet
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
from socketio import packet as sio_packet
from wsproto.events import Message, TextMessage
from wsproto.frame_protocol import FrameProtocol

if TYPE_CHECKING:
    import engineio
    import socketio

# The attribute under which an engine.io socket keeps its FramedWebSocket.
SOCKET_ATTRIBUTE = "iltizam_websocket"


class Prepared(eio_packet.Packet):
    """An engine.io packet whose WebSocket frames are already built (`wire`).

    The connection's writer passes `encode()`, the object itself, to `FramedWebSocket.send`.
    """

    packets: list[eio_packet.Packet] = []

    def __init__(self, wire: bytes) -> None:
        super().__init__(eio_packet.MESSAGE, data="<prepared frames>")
        self.wire = wire

    def encode(self, b64: bool = False) -> Prepared:
        return self


class Broadcast(Prepared):
    """One event, encoded once: its engine.io packets and their WebSocket frames."""

    def __init__(self, namespace: str, event: str, args: list[Any]) -> None:
        encoded = sio_packet.Packet(sio_packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        parts = encoded if isinstance(encoded, list) else [encoded]
        packets = [eio_packet.Packet(eio_packet.MESSAGE, part) for part in parts]
        framer = FrameProtocol(client=False, extensions=[])
        super().__init__(b"".join(bytes(framer.send_data(p.encode())) for p in packets))
        self.packets = packets


class FramedWebSocket(SimpleWebSocketWSGI):
    """engine.io's WebSocket wrapper, able to write prepared frames in one call."""

    direct = False  # set by `install` when writes may be tried without waiting (gevent)

    def __init__(self, handler: Any, server: Any, **kwargs: Any) -> None:
        super().__init__(handler, server, **kwargs)
        self.write_lock = threading.Lock()  # a gevent lock once the process is monkey-patched
        self.plain: bool | None = None  # no extension negotiated: prepared frames go out as is
        # The handler is the engine.io socket's bound `_websocket_handler`.
        owner = getattr(handler, "__self__", None)
        if owner is not None:
            setattr(owner, SOCKET_ATTRIBUTE, self)

    def send(self, message: Any) -> None:
        """Write one message (or prepared frames) whole, waiting for the socket if need be.

        simple-websocket's own `send` makes one `sock.send` call and ignores what it did not
        take; on gevent's non-blocking socket that cuts a large message (a join's whole
        document) short as soon as the reader is behind, and the rest of the stream no
        longer parses. So every frame is built here and written with `sendall`.

        Raises:
            OSError: the connection is closed (what engine.io's writer expects).
        """
        with self.write_lock:
            if isinstance(message, Prepared) and self._plain():
                self.ws.sock.sendall(message.wire)
            elif isinstance(message, Prepared):
                for pkt in message.packets:
                    self.ws.sock.sendall(self._frame(pkt.encode()))
            else:
                self.ws.sock.sendall(self._frame(message))

    def _frame(self, message: Any) -> bytes:
        if not self.ws.connected:
            raise OSError("The WebSocket connection is closed.")
        if isinstance(message, (bytes, bytearray)):
            return self.ws.ws.send(Message(data=bytes(message)))
        return self.ws.ws.send(TextMessage(data=str(message)))

    def send_now(self, message: Prepared) -> Prepared | None:
        """Write what the socket takes at once, never waiting for a slow reader.

        Returns:
            None when everything is written (or the connection is gone); otherwise what is
            left to queue: the whole message, or the rest of a partly written one, which
            then goes first, since the queue was empty.
        """
        if not self.direct or self.write_lock.locked() or not self._plain():
            return message
        with self.write_lock:
            try:
                sent = self.ws.sock.send(message.wire, 0, 0.0)  # gevent: a zero timeout never waits
            except BlockingIOError:
                return message
            except OSError:
                return None  # the connection is gone; its reader notices and closes it
        return Prepared(message.wire[sent:]) if sent < len(message.wire) else None

    def _plain(self) -> bool:
        if self.plain is None:
            self.plain = self.ws.connected and not _extensions(self.ws)
        return self.plain


def install(server: socketio.Server) -> bool:
    """Make `server`'s WebSocket connections accept prepared frames.

    Only when the transport is simple-websocket (the threading and gevent drivers without
    gevent-websocket); otherwise `send_to` falls back to ordinary packets. Writing directly
    from the broadcasting greenlet needs gevent's non-waiting send, so other modes always
    go through the connection's queue.
    """
    eio = server.eio
    base = (eio._async or {}).get("websocket")
    if base is None or not issubclass(base, SimpleWebSocketWSGI):
        return False
    if not issubclass(base, FramedWebSocket):
        framed = type("Framed" + base.__name__, (FramedWebSocket, base), {"direct": eio.async_mode == "gevent"})
        eio._async = {**eio._async, "websocket": framed}
    return True


def send_to(eio: engineio.Server, eio_sid: str, broadcast: Broadcast) -> None:
    """Send `broadcast` to one connection by the cheapest path that keeps its order."""
    socket = eio.sockets.get(eio_sid)
    if socket is None or socket.closed:
        return
    ws = getattr(socket, SOCKET_ATTRIBUTE, None) if socket.upgraded else None
    if ws is None:
        for pkt in broadcast.packets:
            socket.send(pkt)
        return
    rest = ws.send_now(broadcast) if socket.queue.empty() else broadcast
    if rest is not None:
        socket.send(rest)


def _extensions(ws: Any) -> list[Any]:
    connection = getattr(ws.ws, "connection", None)
    proto = getattr(connection, "_proto", None)
    return list(getattr(proto, "extensions", []) or [])
