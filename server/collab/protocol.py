"""The y-protocols frames carried by the `yjs` event: checked on the way in, built on the way out.

A frame is exactly what y-websocket puts in one WebSocket message: a varuint message type
(0 sync, 1 awareness, 3 query awareness), then for sync a varuint sync type (0 step 1,
1 step 2, 2 update) and a length-prefixed payload; for awareness a length-prefixed awareness
update. Incoming frames are parsed strictly here, before anything touches a document:
truncated varints, lengths running past the end, trailing bytes, unknown types and frames
over `MAX_MESSAGE_BYTES` are refused with a named error.
"""
from __future__ import annotations

from dataclasses import dataclass

from pycrdt import (YMessageType, YSyncMessageType, create_awareness_message, create_update_message,
                    get_state, write_message)

from .errors import MalformedMessage, MessageTooLarge, UnknownMessageType

# One frame may carry at most this much (documented in docs/protocol.md). A whole card's
# first sync step 2 stays far below it; a client with more offline work sends it in pieces.
MAX_MESSAGE_BYTES = 1024 * 1024
# A card's whole document, encoded as one update, may grow to this much (docs/protocol.md): a
# joiner receives it in one frame, so one person must not be able to make a card unjoinable.
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024

QUERY_AWARENESS = 3
EMPTY_UPDATE = b"\x00\x00"

# Kinds a parsed frame can be.
SYNC_STEP1 = "sync_step1"
SYNC_STEP2 = "sync_step2"
SYNC_UPDATE = "sync_update"
AWARENESS = "awareness"
QUERY = "query_awareness"


@dataclass(frozen=True)
class Frame:
    """One parsed incoming frame: its kind and its payload (a state vector, update or awareness)."""

    kind: str
    payload: bytes

    @property
    def is_update(self) -> bool:
        """Step 2 and update both change the document; both need edit rights."""
        return self.kind in (SYNC_STEP2, SYNC_UPDATE)


class Reader:
    """A bounds-checked reader of lib0 encodings (pycrdt's Decoder trusts its input)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def var_uint(self) -> int:
        """Read one unsigned varint.

        Returns:
            Its value.

        Raises:
            MalformedMessage: it runs past the end or is longer than lib0 ever writes.
        """
        value = shift = 0
        while True:
            if self.pos >= len(self.data):
                raise MalformedMessage("Truncated varint.")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
            if shift > 63:
                raise MalformedMessage("Varint longer than 64 bits.")

    def var_bytes(self) -> bytes:
        """Read a length-prefixed byte string."""
        length = self.var_uint()
        end = self.pos + length
        if end > len(self.data):
            raise MalformedMessage("A length runs past the end of the message.")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedMessage("A string is not valid UTF-8.") from None

    def end(self) -> None:
        """Raise unless everything was read: a frame carries exactly one message."""
        if self.pos != len(self.data):
            raise MalformedMessage("Trailing bytes after the message.")


def parse(message: object) -> Frame:
    """Check one incoming frame and split it into kind and payload.

    Args:
        message: what the client sent as the event's second argument.

    Returns:
        The parsed frame. Update payloads have been decoded once by pycrdt, so they are
        well-formed (whether they fit the document is the room's check).

    Raises:
        MalformedMessage, MessageTooLarge, UnknownMessageType.
    """
    if not isinstance(message, (bytes, bytearray, memoryview)):
        raise MalformedMessage("The message must be binary.")
    data = bytes(message)
    if len(data) > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(f"Messages are limited to {MAX_MESSAGE_BYTES} bytes; this one has {len(data)}.")
    reader = Reader(data)
    kind = reader.var_uint()
    if kind == YMessageType.SYNC:
        sync_type = reader.var_uint()
        payload = reader.var_bytes()
        reader.end()
        if sync_type == YSyncMessageType.SYNC_STEP1:
            check_state_vector(payload)
            return Frame(SYNC_STEP1, payload)
        if sync_type in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
            check_update(payload)
            return Frame(SYNC_STEP2 if sync_type == YSyncMessageType.SYNC_STEP2 else SYNC_UPDATE, payload)
        raise UnknownMessageType(f"Unknown sync message type {sync_type}.")
    if kind == YMessageType.AWARENESS:
        payload = reader.var_bytes()
        reader.end()
        return Frame(AWARENESS, payload)
    if kind == QUERY_AWARENESS:
        reader.end()
        return Frame(QUERY, b"")
    raise UnknownMessageType(f"Unknown message type {kind}.")


def check_state_vector(payload: bytes) -> dict[int, int]:
    """Decode a state vector (client id -> clock), refusing anything malformed."""
    reader = Reader(payload)
    count = reader.var_uint()
    if count > len(payload):
        raise MalformedMessage("State vector claims more entries than it has bytes.")
    vector = {}
    for _ in range(count):
        client = reader.var_uint()
        vector[client] = reader.var_uint()
    reader.end()
    return vector


def check_update(update: bytes) -> None:
    """Have pycrdt decode the update once, without a document, so garbage never reaches one."""
    if update == EMPTY_UPDATE:
        return
    try:
        get_state(update)
    except Exception as exc:  # pycrdt raises ValueError; be safe about the binding's others
        raise MalformedMessage(f"The update cannot be decoded: {exc}") from None


def sync_step1(state_vector: bytes) -> bytes:
    """A sync step 1 frame carrying `state_vector`."""
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1]) + write_message(state_vector)


def sync_step2(update: bytes) -> bytes:
    """A sync step 2 frame carrying `update` (everything the receiver lacks)."""
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2]) + write_message(update)


def update_frame(update: bytes) -> bytes:
    """A sync update frame, as y-websocket broadcasts each document change."""
    return create_update_message(update)


def awareness_frame(awareness_update: bytes) -> bytes:
    """An awareness frame carrying an encoded awareness update."""
    return create_awareness_message(awareness_update)
