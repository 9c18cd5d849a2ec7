"""Deployment history at scale (the seed's 10,000 transactions, and 1,000,000 rows).

1. 10,000 task status transitions, each its own transaction, as a running
   deployment makes them: rate on SQLite and on PostgreSQL (when a server is
   given with --pg URL, e.g. the one the tests start).
2. 1,000,000 history rows in one run, then filtered listings through the REST
   API of a running service: p50/p95 latency per filter, on SQLite and (with
   --pg) on PostgreSQL.

    python bench/bench_history.py [--pg postgresql+psycopg://...] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import write_section  # noqa: E402
from service import running_service  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def transitions(url: str, count: int = 10_000) -> float:
    from squall.deploy import executor
    from squall.storage import history_repo
    from squall.storage.db import Database

    db = Database(url)
    db.upgrade()
    run = history_repo.run_create(db, kind="bench", name="transitions", graph={}, status="running")
    rows = [history_repo.history_add(db, run["id"], f"task-{i % 50}", i % 20) for i in range(count // 2)]
    started = time.perf_counter()
    for row in rows:
        executor.transition(db, row, "running", time_start=time.time())
        executor.transition(db, row, "ready", time_end=time.time(), summary={"rc": 0})
    return count / (time.perf_counter() - started)


def seed_rows(url: str, count: int) -> int:
    from sqlalchemy import insert

    from squall.storage import history_repo
    from squall.storage.db import Database
    from squall.storage.models import deployment_history

    db = Database(url)
    db.upgrade()
    run = history_repo.run_create(db, kind="bench", name="million", graph={}, status="ready")
    statuses = ("ready", "ready", "ready", "error", "skipped")
    batch = 50_000
    with db.engine.begin() as conn:
        for start in range(0, count, batch):
            conn.execute(insert(deployment_history), [
                {"deployment_task_id": run["id"], "task_name": f"task-{i % 200}", "node_id": i % 500,
                 "status": statuses[i % 5], "time_start": 1.0 * i, "time_end": 1.0 * i + 1, "summary": {"rc": 0}}
                for i in range(start, min(start + batch, count))])
    db.optimize()  # what every deployment run's end does on SQLite
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:  # what autovacuum does a little later
            conn.exec_driver_sql("ANALYZE deployment_history")
    return int(run["id"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", help="PostgreSQL URL for the transaction rate")
    parser.add_argument("--rows", type=int, default=1_000_000)
    opts = parser.parse_args()
    lines = ["| measure | value |", "|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{tmp}/t.db"
        lines.append(f"| 10,000 transitions, one transaction each, SQLite | {transitions(sqlite_url):,.0f} /s |")
        if opts.pg:
            lines.append(f"| 10,000 transitions, one transaction each, PostgreSQL | {transitions(opts.pg):,.0f} /s |")
        home = Path(tmp) / "home"
        os.environ["SQUALL_HOME"] = str(home)
        from squall.storage.db import default_url

        backends = [("SQLite", default_url())] + ([("PostgreSQL", opts.pg)] if opts.pg else [])
        for backend, url in backends:
            run_id = seed_rows(url, opts.rows)
            with running_service(home, 18767, url) as service, httpx.Client(timeout=60) as client:
                # One client: a new httpx client per request costs tens of ms (TLS context setup).
                base = f"{service}/api/tasks/{run_id}/deployment_tasks"
                for label, params in (("nodes=5,6", {"nodes": "5,6"}),
                                      ("statuses=error&nodes=8", {"statuses": "error", "nodes": "8"}),
                                      ("nodes=5,6&statuses=error,ready", {"nodes": "5,6", "statuses": "error,ready"}),
                                      ("task_names=task-3&nodes=3", {"task_names": "task-3", "nodes": "3"})):
                    count = len(client.get(base, params=params).json())  # warm-up: first reads fill caches
                    times = []
                    for _ in range(40):
                        started = time.perf_counter()
                        response = client.get(base, params=params)
                        response.raise_for_status()
                        times.append(time.perf_counter() - started)
                    times.sort()
                    lines.append(f"| GET {label} over {opts.rows:,} rows, {backend} ({count:,} rows returned) | "
                                 f"p50 {statistics.median(times) * 1000:.1f} ms, "
                                 f"p95 {times[int(0.95 * (len(times) - 1))] * 1000:.1f} ms "
                                 f"({len(times)} requests after one warm-up) |")
    print(write_section("bench/bench_history.py", "Rally has no deployment history; figures stand alone.\n\n" +
                        "\n".join(lines)))


if __name__ == "__main__":
    main()
