"""Checks that an update fits a document, so a bad one never stays in a room's `Doc`.

Yjs (and yrs under pycrdt) accept an update whose structure depends on items they have not
seen: they park it as "pending" and wait. A server must not do that with a client's update:
the document would hold content nobody else can integrate. After applying, what is left of
the update that the document still does not cover tells whether it integrated: no structs
may remain and every deletion must fall inside the document's known range.
"""
from __future__ import annotations

from pycrdt import Doc, Snapshot, get_update

from .errors import MalformedMessage
from .protocol import EMPTY_UPDATE, Reader, check_state_vector


def _leftover(doc: Doc, update: bytes) -> tuple[int, list[tuple[int, int, int]]]:
    """Struct groups of `update` the document lacks, and every deleted range it names."""
    rest = get_update(update, doc.get_state())
    reader = Reader(rest)
    struct_groups = reader.var_uint()
    if struct_groups:
        return struct_groups, []
    ranges = []
    for _ in range(reader.var_uint()):
        client = reader.var_uint()
        for _ in range(reader.var_uint()):
            clock = reader.var_uint()
            ranges.append((client, clock, reader.var_uint()))
    return 0, ranges


def integrated(doc: Doc, update: bytes, deletions: list[tuple[int, int, int]] | None = None) -> bool:
    """True when `update`, already applied to `doc`, left nothing pending (see `unintegrated`)."""
    return unintegrated(doc, update, deletions) is None


def unintegrated(doc: Doc, update: bytes, deletions: list[tuple[int, int, int]] | None = None) -> str | None:
    """What `update`, already applied to `doc`, left pending, in words; None when nothing.

    Args:
        doc: the document the update was just applied to.
        update: the update.
        deletions: the update's delete set as (client, clock, length) ranges, when the caller
            has read it already (`protocol.read_update`), so it is not read twice (a sync step 2
            carries the sender's whole delete set).

    Returns:
        None when every struct is in the document and every deletion names known items;
        otherwise which struct groups are missing or which deletion falls outside the
        document's known range (for the log: it names clients and clocks, never content).
    """
    try:
        if deletions is None:
            groups, ranges = _leftover(doc, update)
        else:
            groups, ranges = Reader(get_update(update, doc.get_state())).var_uint(), deletions
    except MalformedMessage as exc:
        return f"what is left of it cannot be read ({exc})"
    if groups:
        return f"{groups} struct group(s) not integrated"
    if not ranges:  # the common case (typing): no need to decode the document's state vector
        return None
    state = check_state_vector(doc.get_state())
    for client, clock, length in ranges:
        if clock + length > state.get(client, 0):
            return (f"deletion of client {client} clocks {clock}..{clock + length} past its known "
                    f"clock {state.get(client, 0)}")
    return None


def is_panic(exc: BaseException) -> bool:
    """Whether `exc` is a panic inside yrs: pyo3 raises those as `pyo3_runtime.PanicException`,
    a BaseException, which only a check of its name can tell from an interruption."""
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


def would_change(doc: Doc, update: bytes) -> bool:
    """Whether applying `update` would change `doc`, found without touching `doc`.

    A read-only client's sync step 2 usually repeats the deletions it received from us; that
    is allowed, anything new is not. Deletions can only be judged on a scratch copy.
    """
    if update == EMPTY_UPDATE:
        return False
    groups, ranges = _leftover(doc, update)
    if groups:
        return True
    if not ranges:
        return False
    scratch = Doc()
    scratch.apply_update(doc.get_update())
    before = Snapshot.from_doc(scratch).encode()
    scratch.apply_update(update)
    return Snapshot.from_doc(scratch).encode() != before
