"""Co-editing benchmark: Iltizam against the reference y-websocket server, same workload, same run.

Run from the repository root (bench/run.sh does, after installing bench/node_modules):

    python bench/bench_collab.py [--seconds 30] [--scenarios 200x0,50x1000] [--database URL]

For each scenario "NxV" (N editors typing 2 characters a second, V passive viewers), the load
generator (bench/loadgen.mjs) runs against a fresh card on a gevent Iltizam server
(`python -m server.serve`) and against a fresh room on `@y/websocket-server` 0.1.1.
Reported: keystroke-to-other-editor latency p50/p95/p99/max, markers lost, CPU and RSS of the
server and of the load generator. Then the storage and join-load figures after 50,000
single-character edits. Results go to stdout (a Markdown table) and bench/results/collab.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
TICK = os.sysconf("SC_CLK_TCK")


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


def setup(database_url: str, cards: int) -> dict[str, Any]:
    """Migrate, then create a plan, `cards` cards, an editor token and a viewer token."""
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
        ids = [card_service.create_card(s, documents(app), editor, plan, {}).id for _ in range(cards)]
        _, editor_token = create_token(s, editor)
        _, viewer_token = create_token(s, viewer)
        s.commit()
    app.extensions["iltizam.engine"].dispose()
    return {"app": app, "cards": ids, "token": editor_token, "viewer_token": viewer_token}


def start_iltizam(database_url: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench", "REDIS_URL": "",
           "ILTIZAM_INSTANCE": str(workdir / "instance")}
    proc = subprocess.Popen([sys.executable, "-m", "server.serve", "--port", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    match = re.search(r":(\d+)$", proc.stdout.readline().strip())
    if not match:
        raise SystemExit("the Iltizam server did not start")
    return proc, f"http://127.0.0.1:{match.group(1)}"


def start_reference() -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = BENCH / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
    proc = subprocess.Popen(["node", str(server)], env={**os.environ, "HOST": "127.0.0.1", "PORT": str(port)},
                            stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()  # "running at '127.0.0.1' on port …"
    return proc, f"ws://127.0.0.1:{port}"


def run_load(target: str, server: subprocess.Popen, url: str, setup_data: dict[str, Any], card: int,
             editors: int, viewers: int, seconds: float) -> dict[str, Any]:
    options = {"target": target, "url": url, "token": setup_data["token"], "viewerToken": setup_data["viewer_token"],
               "card": card, "room": f"bench-{card}", "editors": editors, "viewers": viewers, "seconds": seconds,
               "rate": 2}
    # LOADGEN_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=DIR") profiles the load generator;
    # node refuses --cpu-prof in NODE_OPTIONS, and that would reach the reference server too.
    node_args = os.environ.get("LOADGEN_NODE_ARGS", "").split()
    load = subprocess.Popen(["node", *node_args, str(BENCH / "loadgen.mjs"), json.dumps(options)], cwd=BENCH,
                            stdout=subprocess.PIPE, text=True)
    # Server CPU is counted while the editors type and the deliveries drain (the load
    # generator says when), the same window as the load generator's own CPU.
    cpu0, t0 = proc_cpu(server.pid), time.monotonic()
    cpu1, t1 = None, None
    result: dict[str, Any] = {"error": "no output"}
    # The load generator ends by itself; this only bounds a hung run.
    watchdog = threading.Timer(seconds + 300, load.kill)
    watchdog.start()
    for line in load.stdout:
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if message.get("phase") == "typing":
            print(f"{target} N={editors} V={viewers}: typing", file=sys.stderr, flush=True)
            cpu0, t0 = proc_cpu(server.pid), time.monotonic()
        elif message.get("phase") == "done":
            cpu1, t1 = proc_cpu(server.pid), time.monotonic()
        else:
            result = message
    watchdog.cancel()
    load.wait(30)
    if cpu1 is None:
        cpu1, t1 = proc_cpu(server.pid), time.monotonic()
    result["server_cpu_pct"] = 100 * (cpu1 - cpu0) / max(t1 - t0, 1e-6)
    result["server_rss_mb"] = proc_rss_mb(server.pid)
    if "loadgen_cpu_s" in result:
        result["loadgen_cpu_pct"] = 100 * result["loadgen_cpu_s"] / result["loadgen_elapsed_s"]
    return result


def storage_and_load(app: Any, card_id: int) -> dict[str, Any]:
    """50,000 single-character edits through a room, then stored bytes and join-load time."""
    from pycrdt import Doc, Text

    from server.collab.access import Member
    from server.collab.wiring import documents
    from server.collab.protocol import parse, update_frame
    from server.collab.room import Room

    class Quiet:
        def send(self, *_: Any) -> None: ...

        def broadcast(self, *_: Any) -> None: ...

    store = documents(app).store
    room = Room.load(card_id, store, Quiet(), spawn=lambda fn: fn())
    member = Member(user_id=0, card_id=card_id, role="lead", can_edit=True, can_comment=True)
    client = Doc()
    client.apply_update(room.state())
    text = client.get("title", type=Text)
    for i in range(50_000):
        before = client.get_state()
        if i % 10 == 9:
            del text[len(text) // 2]
        else:
            text.insert(len(text) if i % 3 else len(text) // 2, "abcdefghij"[i % 10])
        room.receive("bench", parse(update_frame(client.get_update(before))), member)
        if i % 20 == 19:
            room.flush()
    room.flush()
    compacted, tail = store.stored_bytes(card_id)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        Room.load(card_id, store, Quiet(), spawn=lambda fn: None)
        times.append((time.perf_counter() - t) * 1000)
    return {"edits": 50_000, "compacted_bytes": compacted, "tail_bytes": tail, "log_rows": store.log_rows(card_id),
            "state_bytes": len(room.state()), "join_load_ms_median": sorted(times)[2],
            "join_load_ms_max": max(times)}


def table(results: list[dict[str, Any]]) -> str:
    head = ("| target | N | V | keystrokes | p50 ms | p95 ms | p99 ms | max ms | markers lost | viewer p95 ms "
            "(sample) | server CPU % | server RSS MB | loadgen CPU % | loadgen RSS MB | loadgen loop delay p95 ms "
            "(editor / viewer threads) |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for r in results:
        if "error" in r:
            rows.append(f"| {r.get('target')} | error: {r['error'][:80]} |")
            continue
        viewer = f"{r['viewer_p95']:.1f} ({r['viewer_sampled']})" if r.get("viewer_p95") is not None else "–"
        delay = f"{r['editor_loop_delay_p95']:.0f} / " + (
            f"{r['viewer_loop_delay_p95']:.0f}" if r.get("viewer_loop_delay_p95") is not None else "–")
        rows.append(f"| {r['target']} | {r['editors']} | {r['viewers']} | {r['keystrokes']} | {r['p50']:.1f} | "
                    f"{r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {r['lost']} | {viewer} | "
                    f"{r['server_cpu_pct']:.0f} | {r['server_rss_mb']:.0f} | {r['loadgen_cpu_pct']:.0f} | "
                    f"{r['loadgen_rss_mb']:.0f} | {delay} |")
    return "\n".join([head, *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--scenarios", default="200x0,50x1000")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--skip-storage", action="store_true")
    parser.add_argument("--targets", default="reference,iltizam", help="which servers to load, in order")
    args = parser.parse_args()
    scenarios = [tuple(int(x) for x in s.split("x")) for s in args.scenarios.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="iltizam-bench-"))
    database_url = args.database or f"sqlite:///{workdir / 'bench.db'}"
    data = setup(database_url, len(scenarios) + 1)
    iltizam, iltizam_url = start_iltizam(database_url, workdir)
    reference, reference_url = start_reference()
    results = []
    try:
        for i, (editors, viewers) in enumerate(scenarios):
            servers = {"reference": (reference, reference_url), "iltizam": (iltizam, iltizam_url)}
            for target in args.targets.split(","):
                server, url = servers[target]
                r = run_load(target, server, url, data, data["cards"][i], editors, viewers, args.seconds)
                print(json.dumps(r), file=sys.stderr, flush=True)
                results.append(r)
    finally:
        for proc in (iltizam, reference):
            proc.terminate()
            proc.wait(10)
    report: dict[str, Any] = {"database": database_url.split(":")[0], "seconds": args.seconds, "runs": results}
    print(table(results))
    for editors, viewers in scenarios:
        pair = {r["target"]: r for r in results if r.get("editors") == editors and r.get("viewers") == viewers}
        if "p95" in pair.get("iltizam", {}) and "p95" in pair.get("reference", {}):
            ratio = pair["iltizam"]["p95"] / pair["reference"]["p95"]
            print(f"N={editors} V={viewers}: p95 Iltizam / reference = {ratio:.2f}")
    if not args.skip_storage:
        report["storage"] = storage_and_load(data["app"], data["cards"][-1])
        print("after 50,000 edits:", json.dumps(report["storage"]))
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "collab.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
