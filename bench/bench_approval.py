"""Approval benchmark: the plan dashboard of a plan in the middle of its approval round.

    .venv/bin/python bench/bench_approval.py [--cards 40] [--signoffs 6] [--versions 20] [--repeat 20]

A plan of `--cards` cards (the demo's seven cards' texts, repeated), each with `--versions`
versions and `--signoffs` sign-offs (some current, some stale), is built in-process on SQLite;
then the plan's dashboard page (`GET /plans/{id}`, as the coordinator sees it: every card's
criteria, threads and approval standing) is requested `--repeat` times. The figure is server
time: the request through the Flask test client, no network. Target: ≤ 150 ms.

Results go to stdout and bench/results/approval.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(workdir: Path, cards: int, signoffs: int, versions_per_card: int) -> dict[str, Any]:
    os.environ["ILTIZAM_INSTANCE"] = str(workdir)
    from sqlalchemy import select

    from server import create_app, db, demo
    from server.collab.wiring import documents
    from server.migrate import upgrade
    from server.models import Card, Organisation, Signoff, User, utcnow
    from server.services import cards as card_service
    from server.services import versions

    url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SOCKETIO_ASYNC_MODE": "threading"})
    data = demo.load_data()
    with app.app_context():
        session = db.session()
        result = demo.seed(session, documents(app))
        session.commit()
        plan_id = result["plan_id"]
        coordinator = session.scalars(select(User).where(User.email == result["accounts"][0]["email"])).one()
        plan = session.get(Card, 1).plan
        orgs = list(session.scalars(select(Organisation)))
        people = list(session.scalars(select(User)))
        specs = data["cards"]
        n = len(plan.cards)
        while n < cards:
            spec = specs[n % len(specs)]
            card_service.create_card(session, documents(app), coordinator, plan,
                                     {"number": str(n + 1), "fields": spec["fields"],
                                      "axis_id": plan.axes[0].id, "lead_org_id": orgs[0].id,
                                      "co_lead_org_id": orgs[6].id})
            n += 1
        session.commit()
        for card in plan.cards:
            now_hash = card_service.current_hash(documents(app), card)
            made = session.query(Signoff).filter_by(card_id=card.id).count()
            doc = documents(app).read(card.id)
            for i in range(versions_per_card):
                versions.record(session, documents(app), coordinator, card, "named", f"v{i}", doc=doc)
            for i in range(made, signoffs):
                person = people[i % len(people)]
                session.add(Signoff(card_id=card.id, user_id=person.id, role=("lead", "co_lead", "steering")[i % 3],
                                    organisation_id=person.organisation_id, organisation_kind="government",
                                    decision="approve", note="", signed_at=utcnow(),
                                    content_hash=now_hash if i % 2 else "0" * 64))
            session.commit()
    return {"app": app, "plan": plan_id, "coordinator": result["accounts"][0]["email"],
            "password": result["password"]}


def bench_dashboard(built: dict[str, Any], repeat: int) -> dict[str, Any]:
    app = built["app"]
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["csrf"]
    client.post("/login", data={"email": built["coordinator"], "password": built["password"], "csrf_token": token})
    times = []
    for _ in range(repeat + 2):
        started = time.perf_counter()
        page = client.get(f"/plans/{built['plan']}")
        times.append((time.perf_counter() - started) * 1000)
        assert page.status_code == 200, page.status_code
    times = times[2:]  # the first requests warm caches (templates, the criteria files)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times), "target_ms": 150}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=40)
    parser.add_argument("--signoffs", type=int, default=6)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = build(Path(tmp), args.cards, args.signoffs, args.versions)
        result = {"cards": args.cards, "signoffs": args.signoffs, "versions": args.versions,
                  "dashboard": bench_dashboard(built, args.repeat)}
    d = result["dashboard"]
    print(f"plan dashboard, {args.cards} cards × {args.signoffs} sign-offs × {args.versions} versions: "
          f"median {d['median_ms']:.1f} ms, min {d['min_ms']:.1f}, max {d['max_ms']:.1f} (target ≤ 150)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "approval.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
