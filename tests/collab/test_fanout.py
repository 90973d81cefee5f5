"""Prepared broadcasts: the frames Socket.IO would have sent, and no waiting on slow readers."""
from __future__ import annotations

import threading

import pytest

from wsproto.frame_protocol import FrameProtocol, Opcode

from server.collab.fanout import SOCKET_ATTRIBUTE, Broadcast, FramedWebSocket, send_to


def _frames(wire: bytes) -> list[tuple[Opcode, bytes]]:
    reader = FrameProtocol(client=True, extensions=[])
    reader.receive_bytes(wire)
    return [(frame.opcode, bytes(frame.payload) if isinstance(frame.payload, (bytes, bytearray))
             else frame.payload.encode()) for frame in reader.received_frames()]


def test_a_binary_event_is_its_header_then_its_attachment():
    update = bytes([0, 2, 3, 1, 2, 3])
    frames = _frames(Broadcast("/collab", "yjs", [42, update]).wire)
    assert frames == [
        (Opcode.TEXT, b'451-/collab,["yjs",42,{"_placeholder":true,"num":0}]'),
        (Opcode.BINARY, update),
    ]


def test_large_payloads_use_the_extended_length():
    update = bytes(range(256)) * 300  # 76,800 bytes: the 64-bit length form
    frames = _frames(Broadcast("/collab", "yjs", [7, update]).wire)
    assert frames[1] == (Opcode.BINARY, update)
    assert frames[0][1].startswith(b'451-/collab,["yjs",7,')


class _Sock:
    """A socket that takes at most `room` bytes per send, then would block."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.data = b""

    def send(self, data: bytes, flags: int = 0, timeout: float | None = None) -> int:
        assert timeout == 0.0, "a direct write must never wait"
        if self.room == 0:
            raise BlockingIOError()
        taken = bytes(data[:self.room])
        self.room -= len(taken)
        self.data += taken
        return len(taken)

    def sendall(self, data: bytes) -> None:
        self.data += bytes(data)


class _WS:
    connected = True

    def __init__(self, sock: _Sock) -> None:
        self.sock = sock
        self.ws = None  # no wsproto connection: no extension negotiated


class _Queue:
    def __init__(self) -> None:
        self.items: list = []

    def empty(self) -> bool:
        return not self.items


class _EioSocket:
    closed = False
    upgraded = True

    def __init__(self, room: int) -> None:
        self.queue = _Queue()
        self.websocket = FramedWebSocket.__new__(FramedWebSocket)
        self.websocket.ws = _WS(_Sock(room))
        self.websocket.write_lock = threading.Lock()
        self.websocket.plain = None
        self.websocket.direct = True
        setattr(self, SOCKET_ATTRIBUTE, self.websocket)

    def send(self, pkt) -> None:
        self.queue.items.append(pkt)

    def flush_queue(self) -> None:
        """What the connection's writer does once the reader catches up."""
        while self.queue.items:
            self.websocket.send(self.queue.items.pop(0).encode())

    @property
    def wire(self) -> bytes:
        return self.websocket.ws.sock.data


class _Eio:
    def __init__(self, **sockets: _EioSocket) -> None:
        self.sockets = sockets


def test_a_slow_reader_gets_the_rest_later_and_never_holds_up_the_others():
    event = Broadcast("/collab", "yjs", [1, bytes(5000)])
    fast, partial, stalled = _EioSocket(10**6), _EioSocket(1000), _EioSocket(0)
    eio = _Eio(fast=fast, partial=partial, stalled=stalled)
    for sid in ("partial", "stalled", "fast"):
        send_to(eio, sid, event)
    assert fast.wire == event.wire and fast.queue.empty()
    # What the slow sockets did not take waits in their own queues, in order.
    assert partial.wire == event.wire[:1000] and len(partial.queue.items) == 1
    assert stalled.wire == b"" and stalled.queue.items == [event]
    # A later broadcast queues behind them rather than cutting in.
    later = Broadcast("/collab", "yjs", [1, b"later"])
    send_to(eio, "partial", later)
    partial.flush_queue()
    stalled.flush_queue()
    assert partial.wire == event.wire + later.wire
    assert stalled.wire == event.wire


class _TrickleSock:
    """A non-blocking socket as gevent's behaves when its buffer is nearly full: `send` takes
    at most `room` bytes and says how many; only `sendall` waits until everything is written."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.data = b""

    def send(self, data: bytes, flags: int = 0, timeout: float | None = None) -> int:
        taken = bytes(data[:self.room])
        self.data += taken
        return len(taken)

    def sendall(self, data: bytes) -> None:
        self.data += bytes(data)


def _open_websocket(sock: _TrickleSock) -> FramedWebSocket:
    from simple_websocket.ws import Base
    from wsproto import ConnectionType
    from wsproto.connection import Connection

    ws = FramedWebSocket.__new__(FramedWebSocket)
    ws.ws = Base.__new__(Base)  # simple-websocket's connection, past its handshake
    ws.ws.connected = True
    ws.ws.close_reason = ws.ws.close_message = None
    ws.ws.sock = sock
    ws.ws.ws = Connection(ConnectionType.SERVER)  # what simple-websocket frames with, once open
    ws.write_lock = threading.Lock()
    ws.plain = None
    return ws


def test_ordinary_messages_are_written_whole_into_a_nearly_full_socket():
    sock = _TrickleSock(1000)
    ws = _open_websocket(sock)
    big = bytes(range(256)) * 4000  # a join's sync step 2 of a large card
    ws.send('451-/collab,["yjs",1,{"_placeholder":true,"num":0}]')
    ws.send(big)
    assert _frames(sock.data) == [
        (Opcode.TEXT, b'451-/collab,["yjs",1,{"_placeholder":true,"num":0}]'),
        (Opcode.BINARY, big),
    ]


def test_a_closed_websocket_refuses_to_send_as_engineio_expects():
    ws = _open_websocket(_TrickleSock(10))
    ws.ws.connected = False
    with pytest.raises(OSError):
        ws.send(b"late")
