"""Public site benchmark: the public plan page of a 40-card plan, and what one process serves.

    .venv/bin/python bench/bench_public.py [--cards 40] [--contributions 120] [--repeat 30] [--seconds 10] [--runs 5]

A plan of `--cards` published cards (the demo's texts, repeated, each published through the
real service) with `--contributions` published and answered contributions is built on SQLite.
Then:
- server time of `GET /public/plans/{id}` through the Flask test client, no network: built from
  scratch (the page cache emptied before each request), from the page cache, and answered 304 to
  a conditional request. Target: ≤ 50 ms.
- throughput: one gevent server process (`python -m server.serve`), loaded by
  bench/public_load.mjs (Node, 16 keep-alive connections) for `--seconds`, `--runs` times:
  full pages, then conditional requests (all must answer 304). Target: ≥ 300 requests a second.

Results go to stdout and bench/results/public.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def build(workdir: Path, cards: int, contributions: int) -> dict[str, Any]:
    os.environ["ILTIZAM_INSTANCE"] = str(workdir / "instance")
    from sqlalchemy import select

    from server import create_app, db, demo
    from server.collab.wiring import documents
    from server.migrate import upgrade
    from server.models import Card, Organisation, User
    from server.services import cards as card_service, consultation, publication

    url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        session = db.session()
        result = demo.seed(session, documents(app))
        session.commit()
        coordinator = session.scalars(select(User).where(User.email == result["accounts"][0]["email"])).one()
        plan = session.get(Card, 1).plan
        orgs = list(session.scalars(select(Organisation)))
        specs = demo.load_data()["cards"]
        n = len(plan.cards)
        while n < cards:
            spec = specs[n % len(specs)]
            card_service.create_card(session, documents(app), coordinator, plan, {
                "number": str(n + 1), "fields": spec["fields"], "axis_id": plan.axes[n % len(plan.axes)].id,
                "lead_org_id": orgs[0].id, "co_lead_org_id": orgs[6].id})
            n += 1
        session.commit()
        for card in plan.cards:
            if publication.current(session, card) is None:
                card.status = "approved"  # the approval round itself is bench_approval.py's
                publication.publish(session, documents(app), coordinator, card)
        session.commit()
        config = {**app.config, "SMTP_HOST": None}
        ids = [c.id for c in plan.cards]
        for i in range(contributions):
            data = {"name": f"مساهم {i}", "email": f"p{i}@example.org", "consent": True,
                    "body": "نقترح نشر المعطيات كل ثلاثة أشهر **بصيغة مفتوحة**، مع مؤشرات حسب الجهة."}
            made = consultation.contribute(session, config, plan, session.get(Card, ids[i % len(ids)]), data,
                                           f"10.0.{i // 200}.{i % 200}", "ar")
            consultation.moderate(session, coordinator, made, {"decision": "publish"})
            consultation.answer(session, coordinator, made, {"outcome": "partly", "answer": "أخذ بعين الاعتبار جزئيا."})
        session.commit()
        published = len(publication.current_of(session, plan))
    app.extensions["iltizam.engine"].dispose()
    return {"url": url, "plan": plan.id, "cards": published}


def server_times(url: str, plan: int, repeat: int) -> dict[str, Any]:
    from server import create_app
    from server.public import caching

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SOCKETIO_ASYNC_MODE": "threading"})
    client = app.test_client()
    path = f"/public/plans/{plan}"
    out: dict[str, Any] = {}
    etag = client.get(path).headers["ETag"]
    for name in ("built", "cached", "not_modified"):
        times = []
        for _ in range(repeat):
            if name == "built":
                caching.clear()
            headers = {"If-None-Match": etag} if name == "not_modified" else {}
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == (304 if name == "not_modified" else 200), response.status_code
        out[name] = {"median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
                     "max_ms": round(max(times), 1)}
    app.extensions["iltizam.engine"].dispose()
    return out


def throughput(url: str, workdir: Path, plan: int, seconds: int, runs: int) -> dict[str, Any]:
    from collab_servers import start_iltizam

    proc, base = start_iltizam(url, workdir)
    try:
        import urllib.request

        page = f"{base}/public/plans/{plan}"
        with urllib.request.urlopen(page) as response:
            etag = response.headers["ETag"]
        out: dict[str, Any] = {}
        for name, tag in (("full", ""), ("not_modified", etag)):
            rates, statuses = [], {}
            for _ in range(runs):
                done = subprocess.run(["node", str(ROOT / "bench" / "public_load.mjs"), page, str(seconds), "16", tag],
                                      capture_output=True, text=True, check=True)
                result = json.loads(done.stdout)
                rates.append(result["per_second"])
                for code, n in result["statuses"].items():
                    statuses[code] = statuses.get(code, 0) + n
            out[name] = {"median_per_second": round(statistics.median(rates)), "min": round(min(rates)),
                         "max": round(max(rates)), "statuses": statuses}
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=40)
    parser.add_argument("--contributions", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        built = build(workdir, args.cards, args.contributions)
        result = {"cards": built["cards"], "contributions": args.contributions,
                  "server_time": server_times(built["url"], built["plan"], args.repeat),
                  "throughput": throughput(built["url"], workdir, built["plan"], args.seconds, args.runs),
                  "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    print(json.dumps(result, indent=1, ensure_ascii=False))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "public.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
