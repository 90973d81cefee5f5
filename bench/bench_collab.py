"""Co-editing benchmark: Iltizam, @y/websocket-server and @hocuspocus/server, same workload, same run.

Run from the repository root (bench/run.sh does, after installing bench/node_modules):

    python bench/bench_collab.py [--seconds 30] [--runs 1] [--scenarios 10x0,50x1000,plan40x8,two50]
                                 [--targets iltizam,y-websocket,hocuspocus] [--database URL]

Scenarios (bench/collab_scenarios.py; editors type 2 characters a second each):

    NxV[p][r]        one card, N editors and V viewers                      10x0, 50x1000
    planCxE[p][r]    C cards with E editors on each, one server process     plan40x8
    twoN[xV][p][r]   one card, its editors split between two Iltizam processes over Redis and
                     PostgreSQL; compared with one process on the same database   two50

    flags: p = presence (an awareness update with the cursor after every keystroke),
           r = typing into a rich-text field (XmlFragment paragraphs, as Tiptap writes)

For each scenario, `--runs` times in a row, every target in turn gets fresh server processes
and the load generator (bench/loadgen.mjs): Iltizam (`python -m server.serve`, SQLite unless
--database, every update stored before it is acknowledged) on fresh cards, each peer on fresh
rooms given the same starting document. Editors count remote updates without applying them,
except a few probes per card, which apply everything and are what latency is measured on;
after the typing a late joiner per card must hold every keystroke, and the probes and the late
joiner must hold the same text. Reported per scenario and target: the median and (min–max)
over the runs of the probes' keystroke-to-arrival p50/p95/p99, the ratio Iltizam / the better
peer, keystrokes made, markers lost, convergence, server CPU and RSS, the load generator's CPU
and event-loop delay. Then, unless --skip-storage, the storage and join-load figures after
50,000 single-character edits. Results go to stdout (a Markdown table) and
bench/results/collab.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from collab_report import NOTES, ratios, summarise, table
from collab_scenarios import ILTIZAM, PEERS, Scenario, parse_list
from collab_servers import Prepared, Servers, fresh_postgres, prepare, serving

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
DEFAULT_SCENARIOS = "10x0,50x0,200x0,50x1000,300x1000,50x0pr,200x0pr,plan40x8,two50"
DEFAULT_TARGETS = ",".join((ILTIZAM, *PEERS))


def run_load(target: str, servers: Servers, prepared: Prepared, scenario: Scenario, cards: list[dict[str, Any]],
             args: argparse.Namespace) -> dict[str, Any]:
    options = {"target": "iltizam" if target.startswith(ILTIZAM) else target, "urls": servers.urls,
               "token": prepared.token, "viewerToken": prepared.viewer_token, "cards": cards,
               "editors": scenario.editors, "viewers": scenario.viewers, "seconds": args.seconds, "rate": 2,
               "presence": scenario.presence, "rich": scenario.rich, "probes": args.probes, "apply": args.apply,
               "seed": prepared.seed}
    # LOADGEN_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=DIR") profiles the load generator;
    # node refuses --cpu-prof in NODE_OPTIONS, and that would reach the node peers too.
    node_args = os.environ.get("LOADGEN_NODE_ARGS", "").split()
    load = subprocess.Popen(["node", *node_args, str(BENCH / "loadgen.mjs"), json.dumps(options)], cwd=BENCH,
                            stdout=subprocess.PIPE, text=True)
    # Server CPU is counted while the editors type and the deliveries drain (the load
    # generator says when), the same window as the load generator's own CPU.
    cpu0, t0 = servers.cpu_seconds(), time.monotonic()
    cpu1, t1 = None, None
    result: dict[str, Any] = {"error": "no output"}
    # The load generator ends by itself; this only bounds a hung run.
    watchdog = threading.Timer(args.seconds + 300, load.kill)
    watchdog.start()
    for line in load.stdout:
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if message.get("phase") == "typing":
            cpu0, t0 = servers.cpu_seconds(), time.monotonic()
        elif message.get("phase") == "done":
            cpu1, t1 = servers.cpu_seconds(), time.monotonic()
            rss = servers.rss_mb()
        else:
            result = message
    watchdog.cancel()
    load.wait(30)
    if cpu1 is None:
        cpu1, t1, rss = servers.cpu_seconds(), time.monotonic(), servers.rss_mb()
    per_process = [100 * (b - a) / max(t1 - t0, 1e-6) for a, b in zip(cpu0, cpu1)]
    result.update(target=target, server_cpu_pct=sum(per_process), server_cpu_pct_per_process=per_process,
                  server_rss_mb=rss)
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
        def send(self, *_: Any, **__: Any) -> None: ...

        def broadcast(self, *_: Any, **__: Any) -> None: ...

    store = documents(app).store
    room = Room.load(card_id, store, Quiet(), spawn=lambda fn: fn())
    member = Member(user_id=0, card_id=card_id, role="lead", can_edit=True, can_comment=True)
    client = Doc()
    client.apply_update(room.state())
    text = client.get("title", type=Text)
    # Each transaction's own update, as a Yjs client sends (a diff against the previous state
    # would carry the document's whole delete set every time).
    sent: list[bytes] = []
    client.observe(lambda event: sent.append(event.update))
    for i in range(50_000):
        # Mostly at the end, now and then in the middle, a backspace every tenth keystroke.
        if i % 10 == 9:
            del text[len(text) - 1]
        else:
            text.insert(len(text) // 2 if i % 20 == 0 else len(text), "abcdefghij"[i % 10])
        room.receive("bench", parse(update_frame(sent.pop())), member)
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


def one_line(scenario: Scenario, run: int, r: dict[str, Any]) -> str:
    if "error" in r:
        return f"{scenario.name} run {run} {r['target']}: error {r['error'][:300]}"
    cross = f", cross p95 {r['cross_p95']:.1f}" if r.get("cross_p95") is not None else ""
    fmt = lambda v: "–" if v is None else f"{v:.1f}"  # noqa: E731
    return (f"{scenario.name} run {run} {r['target']}: p50/p95/p99 {fmt(r['p50'])}/{fmt(r['p95'])}/{fmt(r['p99'])} ms"
            f"{cross}, {r['keystrokes']}/{r['keystrokes_aimed']} keystrokes, lost {r['lost']} "
            f"(late {r['undelivered_at_drain']}), late joiner missing {r['late_joiner_missing']}, "
            f"clocks skipped {r['count_gaps']}, "
            f"converged {r['converged']}, server CPU {r['server_cpu_pct']:.0f} %, "
            f"loadgen CPU {r.get('loadgen_cpu_pct', 0):.0f} %, loop delay p95 {r['editor_loop_delay_p95']:.0f} ms")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="typing time of each run")
    parser.add_argument("--runs", type=int, default=1, help="runs of each scenario in a row (median and spread)")
    parser.add_argument("--scenarios", default=DEFAULT_SCENARIOS)
    parser.add_argument("--targets", default=DEFAULT_TARGETS, help="servers to load, in order (two-process "
                        "scenarios always compare Iltizam with itself)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="Iltizam's database for one-process scenarios (default: a fresh SQLite file)")
    parser.add_argument("--postgres", default=os.environ.get("ILTIZAM_TEST_POSTGRES",
                                                             "postgresql://postgres@127.0.0.1:5432/test"),
                        help="a PostgreSQL server to create the two-process scenarios' database on")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--probes", type=int, default=4, help="editors per card that apply every update")
    parser.add_argument("--apply", choices=("probes", "all"), default="probes",
                        help="who applies remote updates: the probes (others count them), or every client")
    parser.add_argument("--skip-storage", action="store_true")
    args = parser.parse_args()
    if args.runs < 1 or args.probes < 1:
        parser.error("--runs and --probes must be at least 1")
    try:
        args.scenario_list = parse_list(args.scenarios)
    except ValueError as exc:
        parser.error(str(exc))
    args.target_list = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(args.target_list) - {ILTIZAM, *PEERS}
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; choose among {DEFAULT_TARGETS}")
    return args


def main() -> None:
    args = parse_args()
    scenarios = args.scenario_list
    workdir = Path(tempfile.mkdtemp(prefix="iltizam-bench-"))
    one_db = args.database or f"sqlite:///{workdir / 'bench.db'}"
    one_cards = sum(s.cards for s in scenarios if s.processes == 1 and ILTIZAM in args.target_list) * args.runs
    two_cards = sum(2 * s.cards for s in scenarios if s.processes == 2) * args.runs
    report: dict[str, Any] = {"database": one_db.split(":")[0], "seconds": args.seconds, "runs": args.runs,
                              "probes": args.probes, "apply": args.apply, "cpus": os.cpu_count(), "scenarios": []}
    entries = []
    with ExitStack() as stack:
        one = prepare(one_db, one_cards + 1)
        two = prepare(stack.enter_context(fresh_postgres(args.postgres)), two_cards) if two_cards else None
        for scenario in scenarios:
            prepared = two if scenario.processes == 2 else one
            targets = scenario.targets(args.target_list)
            runs: dict[str, list[dict[str, Any]]] = {t: [] for t in targets}
            print(f"== {scenario.name}: {scenario.describe()} ==", file=sys.stderr, flush=True)
            for run in range(1, args.runs + 1):
                for target in targets:
                    if target.startswith(ILTIZAM):
                        cards = [{"card": c, "room": ""} for c in prepared.take(scenario.cards)]
                    else:
                        cards = [{"card": k + 1, "room": f"bench-{scenario.name}-{run}-{k + 1}"}
                                 for k in range(scenario.cards)]
                    with serving(target, prepared.database_url, workdir, args.redis) as servers:
                        r = run_load(target, servers, prepared, scenario, cards, args)
                    r["run"] = run
                    print(one_line(scenario, run, r), file=sys.stderr, flush=True)
                    runs[target].append(r)
            summaries = {t: summarise(rs) for t, rs in runs.items()}
            entry = {"scenario": scenario, "summaries": summaries, "ratios": ratios(scenario, summaries)}
            entries.append(entry)
            report["scenarios"].append({"name": scenario.name, "description": scenario.describe(),
                                        "ratios": entry["ratios"], "summaries": summaries, "runs": runs})
    print(table(entries))
    print()
    print(NOTES)
    if not args.skip_storage:
        report["storage"] = storage_and_load(one.app, one.cards[-1])
        print("after 50,000 edits:", json.dumps(report["storage"]))
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "collab.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
