"""One engine and sessionmaker per app; a request-scoped session closed at teardown.

On SQLite, waiting for another connection's write lock happens here, in Python, and never in
SQLite's C busy handler: that handler sleeps without yielding, and under gevent (the server
monkey-patches everything) one waiting request would stop every greenlet of the process,
including, when the lock holder is a greenlet of the same process, the one that would
release it.
"""
from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING, Any, TypeVar
from collections.abc import Callable

from flask import current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from flask import Flask


T = TypeVar("T")

# How long one SQLite statement or COMMIT may wait for the write lock before it fails with
# "database is locked" (the former `timeout=30` of sqlite3.connect, now waited cooperatively).
SQLITE_BUSY_SECONDS = 30.0
# Pause between two attempts: short at first (a commit takes about a millisecond), then
# capped so a released lock is noticed within a few tens of milliseconds.
FIRST_PAUSE, MAX_PAUSE = 0.001, 0.02


def _retryable(exc: sqlite3.OperationalError) -> bool:
    """True for SQLITE_BUSY and its extended codes, except BUSY_SNAPSHOT.

    BUSY_SNAPSHOT (WAL mode) means this transaction read a version of the database that
    another connection has since committed over: waiting cannot make its reads current again,
    only a rollback and a fresh transaction can, so it is the caller's error to see.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY and code != sqlite3.SQLITE_BUSY_SNAPSHOT


def _waiting_for_lock(conn: CooperativeConnection, call: Callable[[], T]) -> T:
    """Run `call`; while SQLite answers BUSY, sleep cooperatively and try again until the deadline.

    Retrying is safe because SQLite returns BUSY while acquiring a lock, before the statement
    changed anything: the statement is undone and the transaction stays as it was. The one
    exception SQLite allows is rolling back the whole transaction; then the earlier statements
    are gone and repeating the last one alone would commit a part of the transaction, so the
    error goes to the caller (who rolls back: all or nothing). A COMMIT answered BUSY leaves
    the transaction open and may be repeated.
    """
    deadline = time.monotonic() + conn.busy_seconds
    pause = FIRST_PAUSE
    while True:
        in_transaction = conn.in_transaction
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if not _retryable(exc) or (in_transaction and not conn.in_transaction):
                raise
            if time.monotonic() + pause > deadline:
                raise
        # Looked up on each call: gevent's patched sleep once the server has monkey-patched.
        time.sleep(pause)
        pause = min(pause * 2, MAX_PAUSE)


class CooperativeCursor(sqlite3.Cursor):
    connection: CooperativeConnection

    def execute(self, sql: str, parameters: Any = (), /) -> CooperativeCursor:
        return _waiting_for_lock(self.connection, lambda: super(CooperativeCursor, self).execute(sql, parameters))

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> CooperativeCursor:
        # Materialised: a retry must see the same rows again, not an exhausted iterator.
        rows = list(seq_of_parameters)
        return _waiting_for_lock(self.connection,
                                 lambda: super(CooperativeCursor, self).executemany(sql, rows))


class CooperativeConnection(sqlite3.Connection):
    """A sqlite3 connection whose lock waits yield to other greenlets (and threads).

    The C-level busy timeout is zero, not a few milliseconds: any time spent there stops the
    whole process, and when the holder is a greenlet of this process it cannot finish while
    the loop is stopped, so SQLite answers BUSY at once and every statement and COMMIT waits
    in `_waiting_for_lock` instead.

    The sqlite3 module opens a transaction (a deferred BEGIN) only just before the first
    INSERT, UPDATE or DELETE; reads before it run outside any transaction. So a transaction's
    first write starts from no snapshot and can always wait for the lock; holding it from then
    on, its later statements need no other lock (nor, in WAL mode, does its COMMIT).
    Store.compact relies on this: its first statement is a write, to hold the lock before it
    reads.
    """

    busy_seconds = SQLITE_BUSY_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["timeout"] = 0
        super().__init__(*args, **kwargs)

    def cursor(self, factory: type[sqlite3.Cursor] = CooperativeCursor) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.cursor().execute(sql, parameters)

    def commit(self) -> None:
        _waiting_for_lock(self, super().commit)


def make_engine(url: str, busy_seconds: float = SQLITE_BUSY_SECONDS):
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        factory = type("CooperativeConnection", (CooperativeConnection,), {"busy_seconds": busy_seconds})
        engine = create_engine(url, connect_args={"check_same_thread": False, "factory": factory})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # WAL lets readers work while the update log is being appended to.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            # FULL: in WAL mode, NORMAL does not sync the log at each commit, so a power cut
            # could take back the last commits, edits already acknowledged as stored.
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["iltizam.engine"] = engine
    app.extensions["iltizam.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)


def sessionmaker_for(app: Flask) -> sessionmaker[Session]:
    return app.extensions["iltizam.sessionmaker"]


def session() -> Session:
    """The session of the current request (or app context), opened on first use."""
    if "db_session" not in g:
        g.db_session = sessionmaker_for(current_app)()
    return g.db_session


def close_session(exc: BaseException | None = None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        if exc is not None:
            s.rollback()
        s.close()
