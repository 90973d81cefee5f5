"""The servers the co-editing benchmark loads, and the data Iltizam needs first.

Each run gets fresh server processes, so one run's rooms, memory and caches never reach the
next: Iltizam (`python -m server.serve`, one or two processes), `@y/websocket-server` as its
own start script starts it, and `@hocuspocus/server` from bench/peers/hocuspocus.mjs (no
extensions, so no persistence; default settings).
"""
from __future__ import annotations

import base64
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
TICK = os.sysconf("SC_CLK_TCK")
# What the cards are created with: the rich-text field holds paragraphs people type into
# (Tiptap writes typing into a paragraph's existing text), the text field starts empty.
PARAGRAPHS = 8
INITIAL_FIELDS = {"problem": [{"type": "paragraph", "content": [{"type": "text", "text": f"Paragraphe {k + 1}. "}]}
                              for k in range(PARAGRAPHS)]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Prepared:
    """A database with a plan, its cards (handed out in order) and two API tokens."""
    app: Any
    database_url: str
    cards: list[int]
    token: str
    viewer_token: str
    seed: str  # a fresh card's document, base64: what the peers' rooms are given
    used: int = 0

    def take(self, count: int) -> list[int]:
        if self.used + count > len(self.cards):
            raise RuntimeError(f"only {len(self.cards)} cards were prepared")
        self.used += count
        return self.cards[self.used - count:self.used]


def prepare(database_url: str, cards: int) -> Prepared:
    """Migrate, then create a plan, `cards` cards, an editor token and a read-only token."""
    from server import create_app, db
    from server.auth.tokens import create_token
    from server.collab.wiring import documents
    from server.migrate import upgrade
    from server.models import Organisation, User
    from server.services import cards as card_service
    from server.services import plans as plan_service
    from server.services import roles as role_service

    upgrade(database_url)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "bench",
                      "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": None})
    with app.app_context():
        s = db.session()
        org = Organisation(kind="government", name_ar="وزارة", name_fr="Ministère")
        s.add(org)
        s.flush()
        editor = User(email="editor@bench.test", name="Editor", organisation=org, is_admin=True)
        viewer = User(email="viewer@bench.test", name="Viewer", organisation=org)
        s.add_all([editor, viewer])
        s.flush()
        plan = plan_service.create_plan(s, editor, {"title_ar": "خطة", "title_fr": "Plan", "period_start": "2025-01",
                                                    "period_end": "2026-12"})
        role_service.grant(s, editor, plan, None, viewer, "steering")
        ids = [card_service.create_card(s, documents(app), editor, plan, {"fields": INITIAL_FIELDS}).id
               for _ in range(cards)]
        _, editor_token = create_token(s, editor)
        _, viewer_token = create_token(s, viewer)
        s.commit()
    seed = base64.b64encode(documents(app).read(ids[0]).get_update()).decode()
    app.extensions["iltizam.engine"].dispose()
    return Prepared(app, database_url, ids, editor_token, viewer_token, seed)


@contextlib.contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database next to `admin_url`'s, dropped afterwards."""
    name = f"iltizam_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        raise SystemExit(f"the two-process scenarios need PostgreSQL at {admin_url}: {exc}") from None
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@dataclass
class Servers:
    """The processes serving one run, and the URLs the load generator connects to."""
    procs: list[subprocess.Popen]
    urls: list[str]

    def cpu_seconds(self) -> list[float]:
        return [proc_cpu(p.pid) for p in self.procs]

    def rss_mb(self) -> float:
        return sum(proc_rss_mb(p.pid) for p in self.procs)


def _started(cmd: list[str], env: dict[str, str], pattern: str, what: str) -> tuple[subprocess.Popen, int]:
    """Start a server, read its port from the first line it prints, keep draining its stdout."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True)
    first = proc.stdout.readline().strip()
    match = re.search(pattern, first)
    if not match:
        proc.kill()
        raise SystemExit(f"{what} did not start (it printed {first!r})")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, int(match.group(1))


def start_iltizam(database_url: str, workdir: Path,
                  redis: tuple[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """One gevent Iltizam process on a free port; `redis`: (URL, channel prefix) to scale out."""
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "bench", "REDIS_URL": redis[0] if redis else "",
           "ILTIZAM_INSTANCE": str(workdir / "instance")}
    if redis:
        env["COLLAB_CHANNEL_PREFIX"] = redis[1]
    proc, port = _started([sys.executable, "-m", "server.serve", "--port", "0"], env, r":(\d+)$", "the Iltizam server")
    return proc, f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def serving(target: str, database_url: str, workdir: Path, redis_url: str) -> Iterator[Servers]:
    """Start the server(s) of `target` for one run; stop them afterwards."""
    procs: list[subprocess.Popen] = []
    urls: list[str] = []
    try:
        if target == "iltizam":
            proc, url = start_iltizam(database_url, workdir, None)
            procs, urls = [proc], [url]
        elif target == "iltizam-2p":
            # A channel prefix of this run's own: others may share the Redis (docs/deployment.md).
            redis = (redis_url, f"iltizam-bench-{uuid.uuid4().hex[:8]}:collab:card:")
            for _ in range(2):
                proc, url = start_iltizam(database_url, workdir, redis)
                procs.append(proc)
                urls.append(url)
        elif target == "y-websocket":
            # Its start script prints the port it was given, so it is given a free one.
            script = BENCH / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
            proc, port = _started(["node", str(script)], {"HOST": "127.0.0.1", "PORT": str(free_port())},
                                  r"port (\d+)", "@y/websocket-server")
            procs, urls = [proc], [f"ws://127.0.0.1:{port}"]
        elif target == "hocuspocus":
            proc, port = _started(["node", str(BENCH / "peers" / "hocuspocus.mjs")], {"PORT": "0"},
                                  r":(\d+)$", "@hocuspocus/server")
            procs, urls = [proc], [f"ws://127.0.0.1:{port}"]
        else:
            raise ValueError(f"unknown target {target!r}")
        yield Servers(procs, urls)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
