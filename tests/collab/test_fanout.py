"""The prepared broadcast frames are exactly what Socket.IO would have sent, frame by frame."""
from __future__ import annotations

from wsproto.frame_protocol import FrameProtocol, Opcode

from server.collab.fanout import Broadcast


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
