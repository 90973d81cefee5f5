"""Broadcast one Socket.IO event to a room with one socket write per recipient.

A `yjs` event carries bytes, so Socket.IO sends it as two engine.io packets (a text header
naming the attachment, then the binary attachment). The ordinary path then costs, per
recipient: two packets through the connection's queue, a switch to its writer greenlet, and
two WebSocket frames built and written separately. With a thousand members in a card that
per-recipient work is what delays the last one.

What a server sends over WebSocket is not masked, so both frames are the same bytes for every
recipient: `Broadcast` builds them once. For each recipient:

- when nothing is waiting in the connection's queue and its writer is not in the middle of a
  write, the prepared bytes are written at once, from the broadcasting greenlet (one system
  call);
- otherwise the `Broadcast` itself is queued, as one packet, behind what is waiting, and the
  connection's writer hands it to `FramedWebSocket.send`, which writes the prepared bytes.

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
from wsproto.frame_protocol import FrameProtocol

if TYPE_CHECKING:
    import engineio
    import socketio

# The attribute under which an engine.io socket keeps its FramedWebSocket.
SOCKET_ATTRIBUTE = "iltizam_websocket"


class Broadcast(eio_packet.Packet):
    """One event, encoded once: its engine.io packets and their WebSocket frames.

    It is itself the engine.io packet queued for a recipient whose transport can take
    prepared frames; the connection's writer passes `encode()`, the object itself, to
    `FramedWebSocket.send`.
    """

    def __init__(self, namespace: str, event: str, args: list[Any]) -> None:
        super().__init__(eio_packet.MESSAGE, data="<prepared frames>")
        encoded = sio_packet.Packet(sio_packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        parts = encoded if isinstance(encoded, list) else [encoded]
        self.packets = [eio_packet.Packet(eio_packet.MESSAGE, part) for part in parts]
        framer = FrameProtocol(client=False, extensions=[])
        self.wire = b"".join(bytes(framer.send_data(p.encode())) for p in self.packets)

    def encode(self, b64: bool = False) -> Broadcast:
        return self


class FramedWebSocket(SimpleWebSocketWSGI):
    """engine.io's WebSocket wrapper, able to write a prepared broadcast in one call."""

    def __init__(self, handler: Any, server: Any, **kwargs: Any) -> None:
        super().__init__(handler, server, **kwargs)
        self.write_lock = threading.Lock()  # a gevent lock once the process is monkey-patched
        self.plain: bool | None = None  # no extension negotiated: prepared frames go out as is
        # The handler is the engine.io socket's bound `_websocket_handler`.
        owner = getattr(handler, "__self__", None)
        if owner is not None:
            setattr(owner, SOCKET_ATTRIBUTE, self)

    def send(self, message: Any) -> None:
        with self.write_lock:
            if isinstance(message, Broadcast):
                self._write(message)
            else:
                super().send(message)

    def send_now(self, message: Broadcast) -> bool:
        """Write `message` unless a write is under way; False when it must be queued."""
        if self.write_lock.locked():
            return False
        with self.write_lock:
            try:
                self._write(message)
            except OSError:
                pass  # the connection is gone; its reader notices and closes it
        return True

    def _write(self, message: Broadcast) -> None:
        ws = self.ws
        if not ws.connected:
            raise OSError("WebSocket closed")
        if self.plain is None:
            self.plain = not _extensions(ws)
        if not self.plain:
            for pkt in message.packets:
                super().send(pkt.encode())
            return
        # One send() is one system call and nearly always takes everything; sendall() would
        # first ask the kernel for the buffer size.
        wire = message.wire
        sent = ws.sock.send(wire)
        if sent < len(wire):
            ws.sock.sendall(memoryview(wire)[sent:])


def install(server: socketio.Server) -> bool:
    """Make `server`'s WebSocket connections accept prepared broadcasts.

    Only when the transport is simple-websocket (the threading and gevent drivers without
    gevent-websocket); otherwise `send_to` falls back to ordinary packets.
    """
    eio = server.eio
    base = (eio._async or {}).get("websocket")
    if base is None or not issubclass(base, SimpleWebSocketWSGI):
        return False
    if not issubclass(base, FramedWebSocket):
        eio._async = {**eio._async, "websocket": type("Framed" + base.__name__, (FramedWebSocket, base), {})}
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
    elif not (socket.queue.empty() and ws.send_now(broadcast)):
        socket.send(broadcast)


def _extensions(ws: Any) -> list[Any]:
    connection = getattr(ws.ws, "connection", None)
    proto = getattr(connection, "_proto", None)
    return list(getattr(proto, "extensions", []) or [])
