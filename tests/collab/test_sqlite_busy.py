"""SQLite's write lock held by another process must not stall the gevent server.

A separate process takes the database write lock (BEGIN IMMEDIATE) and keeps it until the
test tells it to let go, through its stdin. Meanwhile a co-editing update makes the server's
flusher try to write, and an unrelated page is requested: the page must be served while the
lock is still held, and the update must end up stored, never acknowledged before it is. Smaller tests pin down what the waiting does to one
transaction: all of it once the lock is free, none of it when the wait runs out.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa
from pycrdt import Doc, Text

from collab_support import insert_text, wait_until
from server import db
from server.collab.wiring import documents
from server.db import make_engine
from server.models import Plan

# Holds the write lock from "locked" until a line arrives on stdin, then commits and says so.
LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
print("released", flush=True)
"""


class LockHolder:
    def __init__(self, path: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.proc.stdin.write("go\n")
            self.proc.stdin.flush()
            assert self.proc.stdout.readline().strip() == "released"
            self.proc.wait(10)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc.stdin.close()
        self.proc.stdout.close()


def _in_background(fn):
    """Run fn in a thread; the returned dict gets "result" (or "error") and "done" is set."""
    box: dict = {"done": threading.Event()}

    def run() -> None:
        try:
            box["result"] = fn()
        except Exception as exc:  # reported by the assertions below
            box["error"] = exc
        finally:
            box["done"].set()

    threading.Thread(target=run, daemon=True).start()
    return box


def _patch_plan(url: str, world, fields: dict) -> int:
    request = urllib.request.Request(f"{url}/api/v1/plans/{world.plan_id}", method="PATCH",
                                     data=json.dumps(fields).encode(),
                                     headers={"Authorization": f"Bearer {world.tokens['coordinator']}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def _stored_text(app, card_id: int) -> str:
    doc = Doc()
    doc.apply_update(documents(app).store.load_state(card_id))
    return str(doc.get("title", type=Text))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_held_write_lock_stalls_nothing_and_loses_nothing(server, world, connect, app, database_url):
    writer = connect(server, world.tokens["contributor"])
    watcher = connect(server, world.tokens["lead"])
    writer.join(world.card_id)
    watcher.join(world.card_id)
    assert writer.edit(insert_text("before ")) == {"ok": True}

    holder = LockHolder(database_url.removeprefix("sqlite:///"))
    try:
        # The flusher relays an update before storing it: once the watcher has it, the server
        # is trying to write under the held lock.
        ack = _in_background(lambda: writer.edit(insert_text("during")))
        wait_until(lambda: watcher.text() == "before during", timeout=10, message="update relayed")
        rename = _in_background(lambda: _patch_plan(server.url, world, {"title_fr": "Plan renommé"}))

        page = _in_background(lambda: urllib.request.urlopen(server.url + "/login", timeout=20).status)
        assert page["done"].wait(20), "GET /login did not finish while another process held the write lock"
        assert not holder.released and holder.proc.poll() is None
        assert page.get("result") == 200, page
        # Nothing can be stored yet, so nothing may be acknowledged as stored.
        if ack["done"].is_set():
            assert ack.get("result", {}).get("error") == "unavailable", ack
        if rename["done"].is_set():
            assert rename.get("result") != 200, rename
    finally:
        holder.release()
        holder.close()

    assert ack["done"].wait(20), "the update issued under the lock was never answered"
    answer = ack.get("result")
    assert answer == {"ok": True} or answer.get("error") == "unavailable", ack
    if answer == {"ok": True}:
        assert _stored_text(app, world.card_id) == "before during"
    # Acknowledged or not, the server keeps it and stores it once the lock is gone.
    wait_until(lambda: _stored_text(app, world.card_id) == "before during", timeout=20,
               message="the update written after the lock was released")
    assert writer.edit(insert_text("!")) == {"ok": True}
    assert _stored_text(app, world.card_id) == "before during!"

    # The API write: done and stored, or refused and not stored.
    assert rename["done"].wait(40), "the API write issued under the lock was never answered"
    with app.app_context():
        title = db.session().get(Plan, world.plan_id).title_fr
    assert (rename.get("result"), title) in ((200, "Plan renommé"), (500, "Plan d'essai"), (503, "Plan d'essai")), rename


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "busy.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (n INTEGER)"))
    engine.dispose()
    return path


def _rows(path) -> list[int]:
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        rows = [n for (n,) in conn.execute(sa.text("SELECT n FROM t ORDER BY n"))]
    engine.dispose()
    return rows


def _two_inserts(engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        conn.execute(sa.text("INSERT INTO t VALUES (2)"))


def test_a_transaction_waits_for_the_lock_then_commits_whole(sqlite_file):
    engine = make_engine(f"sqlite:///{sqlite_file}")
    holder = LockHolder(str(sqlite_file))
    try:
        writing = _in_background(lambda: _two_inserts(engine))
        # Still waiting while the lock is held (the holder only lets go when told).
        assert not writing["done"].wait(0.3)
    finally:
        holder.release()
        holder.close()
    assert writing["done"].wait(10) and "error" not in writing, writing
    assert _rows(sqlite_file) == [1, 2]
    engine.dispose()


def test_a_wait_that_runs_out_fails_and_writes_nothing(sqlite_file):
    engine = make_engine(f"sqlite:///{sqlite_file}", busy_seconds=0.2)
    holder = LockHolder(str(sqlite_file))
    try:
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            _two_inserts(engine)
    finally:
        holder.release()
        holder.close()
    assert _rows(sqlite_file) == []
    engine.dispose()


def test_a_stale_snapshot_is_not_retried(sqlite_file, monkeypatch):
    """A transaction that read before another connection committed cannot become current by
    waiting: BUSY_SNAPSHOT goes straight to the caller, whose rollback keeps it all or nothing."""

    def no_waiting(_seconds: float) -> None:
        raise AssertionError("waited for a lock that waiting cannot bring")

    monkeypatch.setattr(db.time, "sleep", no_waiting)
    engine = make_engine(f"sqlite:///{sqlite_file}")
    other = make_engine(f"sqlite:///{sqlite_file}")
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN")  # an explicit transaction holds its read snapshot
        conn.execute(sa.text("SELECT count(*) FROM t")).all()
        with other.begin() as o:
            o.execute(sa.text("INSERT INTO t VALUES (7)"))
        with pytest.raises(sa.exc.OperationalError) as caught:
            conn.execute(sa.text("INSERT INTO t VALUES (8)"))
        assert caught.value.orig.sqlite_errorcode == sqlite3.SQLITE_BUSY_SNAPSHOT
        conn.rollback()
    assert _rows(sqlite_file) == [7]
    engine.dispose()
    other.dispose()
