"""One loaded card: its `Doc`, its members, its presence, and the path of every update to
disk and to the other members.

The room knows nothing of Socket.IO: frames come in as bytes, and what must go out is handed
to a `Transport`. Every touch of the `Doc` happens under `self.lock`, because a pycrdt `Doc`
must never be used by two threads or greenlets at once.

An accepted update takes this path: applied to the `Doc` at once (so a joiner's sync step 2
has it), queued; the room's flusher wakes, and at most once per `window` seconds merges what
is queued into one update, sends it to every member in one message, appends it to the store
in one transaction (group commit), then acknowledges the senders and tells the other server
processes. A failed write leaves the updates queued and in memory; the flusher retries, the
room is not unloaded, and the senders get `unavailable` instead of an acknowledgement.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from collections.abc import Callable, Collection

from pycrdt import Doc, Text, XmlText, merge_updates

from ..content import shape
from . import access, integrity, presence, protocol
from .errors import DocumentTooLarge, InvalidShape, InvalidUpdate, ReadOnly, UnknownCard, Unavailable
from .protocol import EMPTY_UPDATE, MAX_DOCUMENT_BYTES, Contents, Frame

if TYPE_CHECKING:
    from .access import Member
    from .store import Store

log = logging.getLogger(__name__)

SERVER_CONN = None  # the "connection" of edits made by the server itself
CHECKPOINT_EVERY = 2000  # accepted updates between two rebuild checkpoints
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Window:
    """How long a busy room gathers updates before a flush sends them.

    Under load the window grows with the room: one flush costs a send per member on the server
    and one Yjs transaction per member on the clients, so a large room is held to a bounded
    number of messages a second; `maximum` caps the wait in very large rooms, whose
    readers would otherwise wait longest. Measured in docs/performance.md.
    """

    minimum: float = 0.01
    per_member: float = 0.0002
    maximum: float = 0.06

    def for_members(self, members: int) -> float:
        return max(self.minimum, min(self.maximum, members * self.per_member))


class Transport(Protocol):
    """Where a room's outgoing frames go (the Socket.IO namespace in production)."""

    def send(self, conn_id: str, card_id: int, message: bytes) -> None: ...

    def broadcast(self, card_id: int, message: bytes, skip: list[str], first: Collection[str] = ()) -> None:
        """Send to every member but `skip`, members in `first` before the others."""


class Replicator(Protocol):
    """Other server processes holding the same card (Redis in production)."""

    def publish(self, card_id: int, kind: str, payload: bytes) -> None: ...


class Room:
    """A loaded card. Build with `Room.load`, then `start()` its flusher."""

    def __init__(self, card_id: int, doc: Doc, store: Store, transport: Transport, *,
                 spawn: Callable[[Callable[[], None]], Any], window: Window = Window(),
                 compact_rows: int = 500, replicator: Replicator | None = None,
                 layout: shape.Layout | None = None) -> None:
        self.card_id = card_id
        self.store = store
        self.transport = transport
        self.replicator = replicator
        self.spawn = spawn
        self.window = window
        self.compact_rows = compact_rows
        self.lock = threading.RLock()
        # The template's layout: updates that break it are refused (None: not checked).
        self.layout = layout
        self._restructured = False  # set by `_watch` when an update changed more than text
        self.doc = doc
        self._watch()
        self.presence = presence.Presence()
        self.members: dict[str, Member] = {}
        # Rebuild material: the state at the last checkpoint plus every update since.
        self._base = doc.get_update()
        self._history: list[bytes] = []
        # An upper bound of the encoded document's size: the checkpoint plus every update
        # since (deletions only shrink it). Measured exactly only near the limit.
        self._size = len(self._base)
        # (seq, update, connection) accepted but not yet sent and stored.
        self._pending: list[tuple[int, bytes, str | None]] = []
        self._pending_remote: list[bytes] = []
        self._pending_presence: dict[int, tuple[int, str]] = {}
        self._unsaved: list[tuple[int, bytes]] = []
        self._seq = 0
        self._durable = 0
        self._failed = 0
        self._durability = threading.Condition()
        self._wake = threading.Event()
        self._flushing = threading.Lock()
        self._rows_since_compaction = 0
        self._compacting = False
        self._attempt = 0
        self.closed = False

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def load(cls, card_id: int, store: Store, transport: Transport, **options: Any) -> Room:
        """Read the card's document from the store.

        Raises:
            UnknownCard: nothing is stored for the card (it was never seeded).
            Exception: whatever the store raises when the database is unreachable.
        """
        compacted, tail = store.load(card_id)
        if compacted is None and not tail:
            raise UnknownCard(f"Card {card_id} has no document.")
        doc = Doc()
        for part in ([compacted] if compacted else []) + tail:
            doc.apply_update(part)
        if "layout" not in options:
            options["layout"] = shape.Layout.of_document(doc)
        return cls(card_id, doc, store, transport, **options)

    def start(self) -> None:
        """Start the flusher (once)."""
        self.spawn(self._run)

    def close(self) -> None:
        """Stop the flusher. The registry calls this only once nothing is unsaved."""
        self.closed = True
        self._wake.set()

    @property
    def unsaved(self) -> bool:
        with self.lock:
            return bool(self._pending or self._unsaved)

    # -- members ----------------------------------------------------------------------------

    def join(self, conn_id: str, member: Member) -> list[bytes]:
        """Add a connection.

        The member's presence colour is made distinct from those of the others present; the
        standing kept (`members[conn_id]`) is the one with that colour.

        Returns:
            What to send it first: sync step 1, sync step 2 (the whole document) and the
            current presence states, as y-websocket does.
        """
        with self.lock:
            # Chosen here, under the lock, so that two people joining at the same moment (the
            # first two on a card that was not loaded, say) cannot both take the same colour.
            self.members[conn_id] = access.with_distinct_colour(member, self.members.values(), self.presence.worn())
            frames = [protocol.sync_step1(self.doc.get_state()),
                      protocol.sync_step2(self.doc.get_update())]
            states = self.presence.snapshot()
        if states:
            frames.append(protocol.awareness_frame(states))
        return frames

    def leave(self, conn_id: str) -> None:
        """Remove a connection and the presence states it held."""
        with self.lock:
            self.members.pop(conn_id, None)
            removed = self.presence.release(conn_id)
            self._queue_presence(removed)
        if removed and self.replicator is not None:
            self.replicator.publish(self.card_id, "a", presence.encode(removed))

    # -- incoming ---------------------------------------------------------------------------

    def receive(self, conn_id: str, frame: Frame, member: Member) -> tuple[list[bytes], int | None]:
        """Handle one parsed frame from a member.

        Returns:
            (frames to send back to that member, sequence number to wait for with
            `wait_durable` before acknowledging, or None when nothing needs saving).

        Raises:
            ReadOnly: an update from a member who may not edit that would change the document.
            InvalidUpdate: the update does not fit the document; the document is unchanged.
            MalformedMessage, AwarenessRefused: bad presence entries.
        """
        if frame.kind == protocol.SYNC_STEP1:
            with self.lock:
                return [protocol.sync_step2(self.doc.get_update(frame.payload))], None
        if frame.kind == protocol.QUERY:
            states = self.presence.snapshot()
            return ([protocol.awareness_frame(states)] if states else []), None
        if frame.kind == protocol.AWARENESS:
            with self.lock:
                accepted = self.presence.apply(conn_id, frame.payload, member.identity)
                self._queue_presence(accepted)
            if accepted and self.replicator is not None:
                self.replicator.publish(self.card_id, "a", presence.encode(accepted))
            return [], None
        return [], self._apply_update(conn_id, frame.payload, member, frame.contents)

    def _apply_update(self, conn_id: str, update: bytes, member: Member, contents: Contents | None) -> int:
        with self.lock:
            if not member.can_edit:
                if integrity.would_change(self.doc, update):
                    raise ReadOnly()
                return self._seq
            if update == EMPTY_UPDATE:
                return self._seq
            self._integrate(update, contents)
            return self._accept(update, conn_id)

    def _integrate(self, update: bytes, contents: Contents | None = None) -> None:
        """Apply `update` to the Doc, or leave the Doc exactly as it was and raise.

        Raises:
            InvalidUpdate: the update does not fit the document.
            DocumentTooLarge: the document would grow past MAX_DOCUMENT_BYTES.
            InvalidShape: the update breaks the template's layout.
        """
        if contents is None:
            contents = protocol.read_update(update)
        if self.layout is not None:
            try:
                shape.check_contents(self.layout, contents)
            except shape.ShapeError as exc:
                raise InvalidShape(str(exc)) from None
        self._restructured = False
        near_limit = self._size + len(update) > MAX_DOCUMENT_BYTES
        if near_limit:
            self._size = len(self.doc.get_update())
            near_limit = self._size + len(update) > MAX_DOCUMENT_BYTES
        try:
            self._apply_checked(update, contents, near_limit)
        except (InvalidUpdate, InvalidShape, DocumentTooLarge):
            raise  # refused, and the Doc rebuilt already
        except BaseException:
            # Interrupted part-way (a timeout, the greenlet killed as its connection drops,
            # Ctrl-C): not the update's fault, so not refused as one. The Doc may hold the
            # update by now, neither sent nor stored: back to the known-good state first.
            self._rebuild()
            raise

    def _apply_checked(self, update: bytes, contents: Contents, near_limit: bool) -> None:
        """Apply `update` and run the checks; refuse it (rebuilding the Doc) when one fails.

        Only the update's own faults refuse it: an error from yrs (a panic included) or a
        failed check. Anything else that interrupts passes through to `_integrate`.
        """
        try:
            self.doc.apply_update(update)
            problem = integrity.unintegrated(self.doc, update, contents.deletions)
        except BaseException as exc:
            if not (isinstance(exc, Exception) or integrity.is_panic(exc)):
                raise
            problem = f"{exc.__class__.__name__} while applying: {exc}"
        if problem is not None:
            # Which check refused it, never the update's bytes (they hold the members' text).
            log.warning("card %s: update of %d bytes refused, %s; the document is rebuilt",
                        self.card_id, len(update), problem)
            self._rebuild()
            raise InvalidUpdate()
        # Typing (characters into existing text) cannot break the layout unless it lands
        # outside text, which the root observers report; anything else is walked.
        if self.layout is not None and (self._restructured or not contents.plain):
            try:
                shape.check_document(self.doc, self.layout)
            except shape.ShapeError as exc:
                self._rebuild()
                raise InvalidShape(str(exc)) from None
        if near_limit:  # the update may also delete: only the result decides
            size = len(self.doc.get_update())
            if size > MAX_DOCUMENT_BYTES:
                self._rebuild()
                raise DocumentTooLarge(f"The card's document would grow to {size:,} bytes, past its limit of "
                                       f"{MAX_DOCUMENT_BYTES:,}; the update was refused. Split the card's "
                                       "content or remove some of it.")
            self._size = size - len(update)  # `_accept` adds the update back

    def edit(self, change: Callable[[Doc], None], origin: Any) -> int:
        """Apply a server-side change (API write, import) as one transaction, all or nothing.

        `change` runs on a private copy of the document, so a change that raises part-way
        leaves the live Doc untouched. The copy writes under the live Doc's own client id:
        it starts from the live state, so its clocks continue the live Doc's without a gap,
        and a copy that fails is thrown away before anyone has seen its clocks (the lock is
        held throughout, so no other copy can take them meanwhile). What succeeds is merged
        in as an update, through the same check as a member's.

        Returns:
            The sequence number to pass to `wait_durable`.

        Raises:
            Exception: whatever `change` raises; nothing was applied.
            InvalidUpdate: the resulting update does not fit the document; nothing was applied.
        """
        with self.lock:
            update = draft(self.doc, change, origin)
            if update == EMPTY_UPDATE:
                return self._seq
            self._integrate(update)
            return self._accept(update, SERVER_CONN)

    def apply_remote(self, kind: str, payload: bytes) -> None:
        """Apply what another server process accepted (it stores it; this replica relays it)."""
        with self.lock:
            if kind == "a":
                self._queue_presence(self.presence.apply_trusted(payload))
            else:
                try:
                    self.doc.apply_update(payload)
                except Exception:
                    log.exception("card %s: update from another process could not be applied", self.card_id)
                    self._rebuild()
                    return
                self._history.append(payload)
                self._size += len(payload)
                self._pending_remote.append(payload)
        self._wake.set()

    def catch_up(self, stored: bytes) -> None:
        """Bring the replica up to what the store holds (after losing the other processes)."""
        from pycrdt import get_update

        with self.lock:
            missing = get_update(stored, self.doc.get_state())
        if missing != EMPTY_UPDATE:
            self.apply_remote("u", missing)

    def state(self) -> bytes:
        """The whole document as one update."""
        with self.lock:
            return self.doc.get_update()

    def _accept(self, update: bytes, conn_id: str | None) -> int:
        self._history.append(update)
        self._size += len(update)
        if len(self._history) >= CHECKPOINT_EVERY:
            self._base, self._history = self.doc.get_update(), []
            self._size = len(self._base)
        self._seq += 1
        self._pending.append((self._seq, update, conn_id))
        self._wake.set()
        return self._seq

    def _rebuild(self) -> None:
        """Replace the Doc by one rebuilt from known-good updates (after a refused update)."""
        doc = Doc()
        doc.apply_update(self._base)
        if self._history:
            doc.apply_update(merge_updates(*self._history))
        self.doc = doc
        self._watch()

    def _watch(self) -> None:
        """Bind the Doc's roots to the layout and note changes that are not plain typing."""
        if self.layout is None:
            return

        def note(events: list[Any]) -> None:
            if not self._restructured and any(not isinstance(e.target, (Text, XmlText)) for e in events):
                self._restructured = True

        self._subscriptions = [root.observe_deep(note) for name, root in shape.bind(self.doc, self.layout).items()
                               if self.layout.roots[name] != "text"]  # a text root only holds characters

    def _queue_presence(self, entries: list[presence.Triple]) -> None:
        for client_id, clock, state in entries:
            self._pending_presence[client_id] = (clock, state)
        if entries:
            self._wake.set()

    # -- durability -------------------------------------------------------------------------

    def wait_durable(self, seq: int, timeout: float) -> None:
        """Block until every update up to `seq` is committed.

        Raises:
            Unavailable: the write failed (the update stays in memory and is retried) or
                did not finish within `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._durability:
            while self._durable < seq:
                if self._failed >= seq:
                    raise Unavailable()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Unavailable()
                self._durability.wait(remaining)

    # -- the flusher ------------------------------------------------------------------------

    def _run(self) -> None:
        last = float("-inf")
        while True:
            retry = RETRY_SECONDS[min(self._attempt, len(RETRY_SECONDS) - 1)] if self._unsaved else None
            self._wake.wait(retry)
            # Coalescing only when busy: the first update after a quiet spell goes out at
            # once; under load, flushes are at least `window` apart and whatever arrives in
            # between goes out in the next message.
            window = self.window.for_members(len(self.members))
            since = time.monotonic() - last
            if since < window:
                time.sleep(window - since)
            self._wake.clear()
            if self.closed:
                return
            last = time.monotonic()
            try:
                self.flush()
            except Exception:  # the flusher must outlive any one bad batch
                log.exception("card %s: flush failed", self.card_id)

    def flush(self) -> None:
        """Send what is queued to the members, then store it and settle the waiting acks."""
        with self._flushing:
            with self.lock:
                local, self._pending = self._pending, []
                remote, self._pending_remote = self._pending_remote, []
                states, self._pending_presence = self._pending_presence, {}
            updates = [u for _, u, _ in local] + remote
            if updates:
                merged = updates[0] if len(updates) == 1 else merge_updates(*updates)
                senders = {conn for _, _, conn in local}
                # Echo to the sender is skipped when it is the window's only source; otherwise
                # everyone gets the one merged message (Yjs ignores what it already has).
                skip = [next(iter(senders))] if len(senders) == 1 and not remote and None not in senders else []
                # People who can type are served before passive readers: in a workshop of a
                # thousand, the ones co-writing see each other's sentences first.
                editors = [conn for conn, m in self.members.items() if m.can_edit]
                self.transport.broadcast(self.card_id, protocol.update_frame(merged), skip, first=editors)
            if states:
                entries = [(cid, clock, state) for cid, (clock, state) in states.items()]
                self.transport.broadcast(self.card_id, protocol.awareness_frame(presence.encode(entries)), [])
            self._unsaved.extend((seq, update) for seq, update, _ in local)
            if self._unsaved:
                self._persist(publish=[u for _, u, _ in local])

    def _persist(self, publish: list[bytes]) -> None:
        batch = list(self._unsaved)
        data = batch[0][1] if len(batch) == 1 else merge_updates(*(u for _, u in batch))
        try:
            self.store.append(self.card_id, [data])
        except Exception as exc:
            self._attempt += 1
            log.warning("card %s: %d update(s) not saved (%s); kept in memory, retrying",
                        self.card_id, len(batch), exc.__class__.__name__)
            with self._durability:
                self._failed = batch[-1][0]
                self._durability.notify_all()
            self._publish(publish)
            return
        if self._attempt:
            log.warning("card %s: saved %d held update(s) after the outage", self.card_id, len(batch))
        self._attempt = 0
        del self._unsaved[:len(batch)]
        with self._durability:
            self._durable = batch[-1][0]
            self._durability.notify_all()
        # Published after the commit, so a process loading the card from the store in the
        # meantime cannot miss it: either its read sees the row or it receives this message.
        self._publish(publish)
        self._rows_since_compaction += 1
        if self._rows_since_compaction >= self.compact_rows and not self._compacting:
            self._compacting = True
            self.spawn(self.compact)

    def _publish(self, updates: list[bytes]) -> None:
        if self.replicator is not None and updates:
            self.replicator.publish(self.card_id, "u", updates[0] if len(updates) == 1 else merge_updates(*updates))

    def compact(self) -> None:
        """Fold the stored log into the compacted state (another process may hold the lock: skip)."""
        try:
            if self.store.compact(self.card_id):
                self._rows_since_compaction = 0
        except Exception as exc:
            log.warning("card %s: compaction skipped (%s)", self.card_id, exc.__class__.__name__)
        finally:
            self._compacting = False


def draft(doc: Doc, change: Callable[[Doc], None], origin: Any) -> bytes:
    """Run `change` on a private copy of `doc` that writes as `doc`'s own client.

    Args:
        doc: the document to copy (not modified).
        change: the edit, run in one transaction of the copy.
        origin: the transaction origin.

    Returns:
        The update `change` made (EMPTY_UPDATE when it changed nothing).

    Raises:
        Exception: whatever `change` raises.
    """
    copy = Doc(client_id=doc.client_id)
    copy.apply_update(doc.get_update())
    before = copy.get_state()
    with copy.transaction(origin=origin):
        change(copy)
    return copy.get_update(before)
