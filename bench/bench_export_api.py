"""Time the plan and card Word downloads end to end (HTTP request to bytes) on a 40-card plan.

Unlike bench_exports.py, which times the exporters alone, this includes reading each card's
document from the store and computing its canonical content. A fresh SQLite database in a
temporary folder; the demo plan's seven cards are copied until the plan holds 40.

    .venv/bin/python bench/bench_export_api.py [--repeat N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="iltizam-bench-"))
    os.environ["ILTIZAM_INSTANCE"] = str(workdir)
    from server import create_app, db, demo
    from server.auth.tokens import create_token
    from server.collab.wiring import documents
    from server.migrate import upgrade
    from server.models import Plan, User
    from server.services import cards as card_service

    url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        session = db.session()
        result = demo.seed(session, documents(app))
        session.commit()
        plan = session.get(Plan, result["plan_id"])
        coordinator = session.scalars(select(User).where(User.email == result["accounts"][0]["email"])).one()
        specs = demo.load_data()["cards"]
        axes = {a.number: a.id for a in plan.axes}
        while len(plan.cards) < 40:
            spec = specs[len(plan.cards) % len(specs)]
            card_service.create_card(session, documents(app), coordinator, plan,
                                     {"axis_id": axes[spec["axis"]], "fields": spec["fields"]})
            session.flush()
        _, token = create_token(session, coordinator)
        session.commit()
        plan_id, card_id = plan.id, plan.cards[0].id
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    print(f"{'request':<40} {'median ms':>10} {'best ms':>9}  target")
    for path, target in ((f"/api/v1/plans/{plan_id}/export.docx?lang=ar", 2000),
                         (f"/api/v1/plans/{plan_id}/export.docx?lang=fr", 2000),
                         (f"/api/v1/cards/{card_id}/export.docx?lang=ar", 200),
                         (f"/api/v1/cards/{card_id}/export.docx?lang=fr", 200)):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)
        median = statistics.median(times)
        verdict = "ok" if median <= target else "MISSED"
        print(f"{path.split('/api/v1')[1]:<40} {median:>10.1f} {min(times):>9.1f}  ≤ {target} ms {verdict}")


if __name__ == "__main__":
    main()
