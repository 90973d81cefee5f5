"""The y-protocols frames carried by the `yjs` event: checked on the way in, built on the way out.

A frame is exactly what y-websocket puts in one WebSocket message: a varuint message type
(0 sync, 1 awareness, 3 query awareness), then for sync a varuint sync type (0 step 1,
1 step 2, 2 update) and a length-prefixed payload; for awareness a length-prefixed awareness
update. Incoming frames are parsed strictly here, before anything touches a document:
truncated varints, lengths running past the end, trailing bytes, unknown types and frames
over `MAX_MESSAGE_BYTES` are refused with a named error.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

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
    contents: Contents | None = None  # what an update holds (read_update), for the room's checks

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

# What Yjs can represent: clocks are used as 32-bit integers in places (so yjs throws on or
# skips larger ones) and client ids must be exact JavaScript numbers.
MAX_CLOCK = 2**32
MAX_CLIENT = 2**53
ANY_DEPTH = 64  # nesting of lib0 "any" values (JSON-like), far beyond any real content

# Content refs of Yjs v1 items (yjs src/structs/Item.js `contentRefs`); 0 is GC, 10 is Skip.
GC, DELETED, JSON_, BINARY, STRING, EMBED, FORMAT, TYPE, ANY, DOC, SKIP = range(11)
CONTENT_NAMES = ("gc", "deleted", "json", "binary", "string", "embed", "format", "type", "any", "doc", "skip")
# Type refs of ContentType (yjs `typeRefs`).
TYPE_NAMES = ("array", "map", "text", "xml_element", "xml_fragment", "xml_hook", "xml_text")
TYPE_XML_ELEMENT, TYPE_XML_HOOK = 3, 5
PLAIN = frozenset({"gc", "deleted", "string", "skip"})  # typing: characters added and removed


@dataclass
class Contents:
    """What an update holds, as far as it says without a document (see `read_update`).

    `kinds` are the content kinds of its structs (CONTENT_NAMES); `roots` maps each root
    named as an item's parent to the set of (content kind, has a map key) of those items;
    `tags` are XmlElement names, `types` the shared types it creates (TYPE_NAMES), `marks`
    the keys of format items; `placed` is true when an item names its parent by id (the
    first child of a new nested type).
    """

    kinds: set[str] = field(default_factory=set)
    roots: dict[str, set[tuple[str, bool]]] = field(default_factory=dict)
    tags: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    marks: set[str] = field(default_factory=set)
    placed: bool = False
    deletions: list[tuple[int, int, int]] = field(default_factory=list)  # (client, clock, length)

    @property
    def plain(self) -> bool:
        """Only characters typed into or removed from existing text, at existing places."""
        return self.kinds <= PLAIN and not self.roots and not self.placed


def read_update(update: bytes) -> Contents:
    """Walk a Yjs v1 update as yjs's decoder does, refusing what yjs could not read.

    Args:
        update: the update (already decoded once by pycrdt).

    Returns:
        What it holds.

    Raises:
        MalformedMessage: truncated, trailing bytes, an unknown content or type ref, a clock
            at or past 2**32, a client id past 2**53, JSON that JavaScript cannot parse.
    """
    r = Reader(update)
    out = Contents()
    for _ in range(_count(r, update)):
        structs = _count(r, update)
        _client(r)
        clock = _clock(r.var_uint())
        for _ in range(structs):
            clock = _clock(clock + _struct(r, out))
    out.deletions = _delete_set(r)
    r.end()
    return out


def _delete_set(r: Reader) -> list[tuple[int, int, int]]:
    """Read a delete set: (client, clock, length) ranges, each inside what Yjs can represent."""
    ranges = []
    for _ in range(r.var_uint()):
        client = r.var_uint()
        if client >= MAX_CLIENT:
            raise MalformedMessage(f"Client id {client} is past what Yjs clients can represent (2**53).")
        for _ in range(r.var_uint()):
            clock = r.var_uint()
            length = r.var_uint()
            if clock + length > MAX_CLOCK:
                raise MalformedMessage(f"Deleted range past clock 2**32 ({clock}+{length}).")
            ranges.append((client, clock, length))
    return ranges


def _count(r: Reader, data: bytes) -> int:
    count = r.var_uint()
    if count > len(data):
        raise MalformedMessage("The update claims more entries than it has bytes.")
    return count


def _client(r: Reader) -> int:
    client = r.var_uint()
    if client >= MAX_CLIENT:
        raise MalformedMessage(f"Client id {client} is past what Yjs clients can represent (2**53).")
    return client


def _clock(clock: int) -> int:
    if clock > MAX_CLOCK:  # the end of a range may touch 2**32, no item may start there
        raise MalformedMessage(f"Clock {clock} is past what Yjs clients can read (2**32).")
    return clock


def _struct(r: Reader, out: Contents) -> int:
    """Read one struct; its length in clock units."""
    if r.pos >= len(r.data):
        raise MalformedMessage("Truncated struct.")
    info = r.data[r.pos]
    r.pos += 1
    ref = info & 0x1F
    if ref in (GC, SKIP):
        out.kinds.add(CONTENT_NAMES[ref])
        return _length(r)
    if info & 0x80:
        _client(r), _clock(r.var_uint())
    if info & 0x40:
        _client(r), _clock(r.var_uint())
    keyed = bool(info & 0x20)
    if not info & 0xC0:  # no origin: the parent is written out
        if r.var_uint() == 1:
            out.roots.setdefault(r.var_string(), set()).add((CONTENT_NAMES[ref] if ref <= SKIP else "?", keyed))
        else:
            _client(r), _clock(r.var_uint())
            out.placed = True
        if keyed:
            r.var_string()
    length = _content(r, ref, out)  # raises on an unknown ref
    out.kinds.add(CONTENT_NAMES[ref])
    return length


def _content(r: Reader, ref: int, out: Contents) -> int:
    if ref == DELETED:
        return _length(r)
    if ref == JSON_:
        count = _length(r)
        for _ in range(count):
            text = r.var_string()
            if text != "undefined":
                _json(text)
        return count
    if ref == BINARY:
        r.var_bytes()
        return 1
    if ref == STRING:
        text = r.var_string()
        return len(text.encode("utf-16-le")) // 2
    if ref == EMBED:
        _json(r.var_string())
        return 1
    if ref == FORMAT:
        out.marks.add(r.var_string())
        _json(r.var_string())
        return 1
    if ref == TYPE:
        kind = r.var_uint()
        if kind > 6:
            raise MalformedMessage(f"Unknown shared type ref {kind}.")
        out.types.add(TYPE_NAMES[kind])
        if kind in (TYPE_XML_ELEMENT, TYPE_XML_HOOK):
            name = r.var_string()
            if kind == TYPE_XML_ELEMENT:
                out.tags.add(name)
        return 1
    if ref == ANY:
        count = _length(r)
        for _ in range(count):
            _any(r, 0)
        return count
    if ref == DOC:
        r.var_string()
        _any(r, 0)
        return 1
    raise MalformedMessage(f"Unknown content ref {ref}.")


def _length(r: Reader) -> int:
    length = r.var_uint()
    if length == 0 or length >= MAX_CLOCK:
        raise MalformedMessage(f"A struct length of {length}.")
    return length


def _json(text: str) -> None:
    def refuse(constant: str) -> None:
        raise MalformedMessage(f"{constant} is not JSON.")
    try:
        json.loads(text, parse_constant=refuse)
    except ValueError:
        raise MalformedMessage("A JSON value in the update does not parse.") from None


def _any(r: Reader, depth: int) -> None:
    """Skip one lib0 `any` value (lib0 decoding.readAny)."""
    if depth > ANY_DEPTH:
        raise MalformedMessage("Values nested too deeply.")
    if r.pos >= len(r.data):
        raise MalformedMessage("Truncated value.")
    tag = r.data[r.pos]
    r.pos += 1
    if tag in (127, 126, 121, 120):  # undefined, null, false, true
        return
    if tag == 125:  # varInt: the sign sits in the first byte, which a varUint reader can skip
        r.var_uint()
    elif tag in (124, 123, 122):  # float32, float64, bigint64
        size = 4 if tag == 124 else 8
        if r.pos + size > len(r.data):
            raise MalformedMessage("Truncated number.")
        r.pos += size
    elif tag == 119:
        r.var_string()
    elif tag == 118:
        for _ in range(_count(r, r.data)):
            r.var_string()
            _any(r, depth + 1)
    elif tag == 117:
        for _ in range(_count(r, r.data)):
            _any(r, depth + 1)
    elif tag == 116:
        r.var_bytes()
    else:
        raise MalformedMessage(f"Unknown value type {tag}.")



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
            contents = check_update(payload)
            return Frame(SYNC_STEP2 if sync_type == YSyncMessageType.SYNC_STEP2 else SYNC_UPDATE, payload, contents)
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


def check_update(update: bytes) -> Contents:
    """Check that every Yjs client can read the update, and say what it holds.

    pycrdt decodes it once (so yrs accepts it), then `read_update` walks its structure (so
    yjs accepts it too: pycrdt takes some updates yjs refuses, and what one client cannot
    integrate must never be stored or relayed).

    Raises:
        MalformedMessage: either decoder refuses it.
    """
    if update == EMPTY_UPDATE:
        return Contents()
    try:
        get_state(update)
    except Exception as exc:  # pycrdt raises ValueError; be safe about the binding's others
        raise MalformedMessage(f"The update cannot be decoded: {exc}") from None
    return read_update(update)


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
