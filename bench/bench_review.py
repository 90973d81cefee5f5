"""Review benchmark: a card with 200 comment threads.

    .venv/bin/python bench/bench_review.py [--threads 200] [--members 200] [--events 20] [--repeat 20]

1. Listing: `GET /cards/{id}/threads` with every anchor resolved against the live document,
   after two editors have typed into the commented fields (in-process, SQLite); then the same
   listing each time right after one more keystroke in a commented field, so that nothing kept
   from the previous read of the document (server/services/threads.py) applies.
2. Fan-out: a gevent server process; `--members` connections join the card (a Node client,
   bench/thread_events.mjs); the thread is resolved and reopened `--events` times over HTTP;
   latency = arrival at each member minus the moment the request was sent.
3. Typing: keystroke acknowledgement times on that card with and without its threads (threads
   are resolved on read, never per keystroke, so the two must match).

Results go to stdout and bench/results/review.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "collab"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def setup(workdir: Path, threads: int) -> dict[str, Any]:
    os.environ["ILTIZAM_INSTANCE"] = str(workdir)
    from server import create_app, db, demo
    from server.auth.tokens import create_token
    from server.collab.wiring import documents
    from server.migrate import upgrade
    from server.models import Card, Thread, User
    from server.services import threads as thread_service

    url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SOCKETIO_ASYNC_MODE": "threading"})
    rng = random.Random(10)
    with app.app_context():
        session = db.session()
        result = demo.seed(session, documents(app))
        session.commit()
        coordinator = session.scalars(select(User).where(User.email == result["accounts"][0]["email"])).one()
        card = session.get(Card, 1)
        # The card typed into without threads: a draft of the demo plan that has none (the
        # demo's published and approved cards are read-only).
        commented = select(Thread.card_id)
        empty = session.scalars(select(Card).where(Card.plan_id == card.plan_id, Card.status == "draft",
                                                   Card.id != card.id, Card.id.not_in(commented))
                                .order_by(Card.id)).first()
        assert empty is not None, "the demo plan has no draft card without threads"
        resolver = thread_service.Resolver(documents(app), card)
        names = ("problem", "causes", "solution", "results", "summary", "title")
        texts = {f: resolver.text(f, None, None) for f in names}
        texts = {f: t for f, t in texts.items() if t is not None and len(t.text) > 40}
        made = 0
        while made < threads:
            field, found = rng.choice(sorted(texts.items()))
            start = rng.randrange(0, len(found.text) - 20)
            end = start + rng.randint(5, 20)
            if not found.text[start:end].strip() or "\n" in found.text[start:end]:
                continue
            try:
                thread_service.create(session, documents(app), coordinator, card,
                                      {"field": field, "start": start, "end": end, "body": f"ملاحظة رقم {made}"})
            except Exception:
                continue
            made += 1
        _, token = create_token(session, coordinator)
        session.commit()
        ids = {"card": card.id, "empty": empty.id}
    return {"app": app, "url": url, "token": token, **ids}


def bench_listing(data: dict[str, Any], repeat: int) -> dict[str, Any]:
    from pycrdt import XmlFragment, XmlText

    from server.collab.wiring import documents

    app = data["app"]
    # Two editors' worth of typing into the commented fields first, so positions are not trivial.
    def type_some(doc):
        for name in ("problem", "solution"):
            fragment = doc.get(name, type=XmlFragment)
            for i, paragraph in enumerate(list(fragment.children)[:3]):
                for child in paragraph.children:
                    if isinstance(child, XmlText):
                        child.insert(0, "نص مضاف " * (i + 1))
                        break
    with app.app_context():
        documents(app).edit(data["card"], type_some)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {data['token']}"}
    times, count, detached = [], 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(f"/api/v1/cards/{data['card']}/threads", headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        listed = answer.get_json()["threads"]
        count, detached = len(listed), sum(t["detached"] for t in listed)
    # The same listing each time right after one more keystroke in a commented field: nothing
    # kept from the previous read of the document applies (the card is being edited).
    def one_key(doc):
        fragment = doc.get("problem", type=XmlFragment)
        for child in list(fragment.children)[0].children:
            if isinstance(child, XmlText):
                child.insert(0, "م")
                break
    edited = []
    for _ in range(repeat):
        with app.app_context():
            documents(app).edit(data["card"], one_key)
        started = time.perf_counter()
        answer = client.get(f"/api/v1/cards/{data['card']}/threads", headers=headers)
        edited.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.get_data(as_text=True)
    return {"threads": count, "detached": detached, "median_ms": statistics.median(times),
            "min_ms": min(times), "max_ms": max(times), "target_ms": 50,
            "after_edit": {"median_ms": statistics.median(edited), "min_ms": min(edited), "max_ms": max(edited)}}


def bench_fanout(data: dict[str, Any], workdir: Path, members: int, events: int) -> dict[str, Any]:
    from server_process import ServerProcess
    from collab_support import call

    server = ServerProcess(data["url"], workdir, COLLAB_UNLOAD_GRACE="30")
    try:
        status, listed = call(server, "GET", f"/cards/{data['card']}/threads?status=all", data["token"])
        thread_id = listed["threads"][0]["id"]
        node = subprocess.Popen(["node", str(ROOT / "bench" / "thread_events.mjs"),
                                 json.dumps({"url": server.url, "token": data["token"], "card": data["card"],
                                             "members": members, "events": events})],
                                cwd=ROOT / "bench", stdout=subprocess.PIPE, text=True)
        assert json.loads(node.stdout.readline()).get("ready"), "the members did not join"
        sent = []
        for i in range(events):
            sent.append(time.time() * 1000)
            action = "resolve" if i % 2 == 0 else "reopen"
            status, _ = call(server, "POST", f"/threads/{thread_id}/{action}", data["token"])
            assert status == 200
            time.sleep(0.25)  # one event at a time: each is measured on its own
        arrivals = json.loads(node.stdout.readline())["times"]
        node.wait(timeout=30)
    finally:
        server.stop()
    latencies = [arrival - sent[i] for member in arrivals for i, arrival in enumerate(member[:events])]
    received = sum(min(len(m), events) for m in arrivals)
    return {"members": members, "events": events, "received": received, "expected": members * events,
            "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
            "max_ms": max(latencies), "target_p95_ms": 100}


def bench_typing(data: dict[str, Any], workdir: Path, keystrokes: int) -> dict[str, Any]:
    from collab_support import PyClient, insert_text
    from server_process import ServerProcess

    server = ServerProcess(data["url"], workdir)
    out = {}
    try:
        for label, card in (("with_threads", data["card"]), ("without", data["empty"])):
            client = PyClient(server.url, token=data["token"])
            client.join(card)
            times = []
            for i in range(keystrokes):
                started = time.perf_counter()
                answer = client.edit(insert_text("ab"[i % 2], name="title"))
                assert answer.get("ok"), (label, card, answer)
                times.append((time.perf_counter() - started) * 1000)
            client.close()
            out[label] = {"p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}
    finally:
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keystrokes", type=int, default=300)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="iltizam-review-bench-"))
    data = setup(workdir, args.threads)
    results = {"listing": bench_listing(data, args.repeat)}
    data["app"].extensions["iltizam.engine"].dispose()
    results["fanout"] = bench_fanout(data, workdir, args.members, args.events)
    results["typing"] = bench_typing(data, workdir, args.keystrokes)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "review.json").write_text(json.dumps(results, indent=1))
    listing, fanout, typing = results["listing"], results["fanout"], results["typing"]
    print(f"listing {listing['threads']} threads ({listing['detached']} detached): "
          f"median {listing['median_ms']:.1f} ms, min {listing['min_ms']:.1f}, max {listing['max_ms']:.1f} "
          "(target ≤ 50)")
    after = listing["after_edit"]
    print(f"listing right after a keystroke: median {after['median_ms']:.1f} ms, min {after['min_ms']:.1f}, "
          f"max {after['max_ms']:.1f}")
    print(f"thread event to {fanout['members']} members: p50 {fanout['p50_ms']:.1f} ms, "
          f"p95 {fanout['p95_ms']:.1f} ms, max {fanout['max_ms']:.1f} ms; "
          f"received {fanout['received']}/{fanout['expected']} (target p95 ≤ 100)")
    with_, without = typing["with_threads"], typing["without"]
    print(f"typing ack p50/p95: with threads {with_['p50_ms']:.1f}/{with_['p95_ms']:.1f} ms, "
          f"without {without['p50_ms']:.1f}/{without['p95_ms']:.1f} ms")


if __name__ == "__main__":
    main()
