"""Latency and throughput of the squall service (Rally has no service to compare with).

Seeds 10,000 finished tasks, starts `squall service start`, then measures:
p50/p95 of listing all tasks, p50/p95 of one task's details, and requests per
second of task details with 50 concurrent clients.

    python bench/bench_api.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import write_section  # noqa: E402
from service import running_service  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TASKS = 10_000
CLIENTS = 50


def seed(home: Path) -> str:
    os.environ["SQUALL_HOME"] = str(home)
    from sqlalchemy import insert, select

    from squall.storage.db import Database
    from squall.storage.models import tasks
    from squall.utils import new_uuid, utcnow

    db = Database()
    db.ensure_schema()
    now = utcnow()
    with db.transaction() as conn:
        conn.execute(insert(tasks), [dict(uuid=new_uuid(), status="finished", title=f"task {i}", tags=["bench"],
                                          pass_sla=i % 7 != 0, created_at=now, updated_at=now) for i in range(TASKS)])
    with db.transaction() as conn:
        return str(conn.scalars(select(tasks.c.uuid).order_by(tasks.c.id)).first())


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(0.95 * (len(values) - 1))]
    return f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms ({len(values)} calls)"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        one = seed(home)
        with running_service(home, 18765) as base:
            client = httpx.Client(base_url=base, timeout=60)
            lists = []
            for _ in range(20):
                started = time.perf_counter()
                assert len(client.get("/api/v1/task/list").json()["result"]) == TASKS
                lists.append(time.perf_counter() - started)
            gets = []
            for _ in range(200):
                started = time.perf_counter()
                client.get("/api/v1/task/get", params={"task_id": f'"{one}"'}).raise_for_status()
                gets.append(time.perf_counter() - started)
            done = 0
            lock = threading.Lock()
            stop = time.perf_counter() + 10

            def worker() -> None:
                nonlocal done
                with httpx.Client(base_url=base, timeout=60) as c:
                    while time.perf_counter() < stop:
                        c.get("/api/v1/task/get", params={"task_id": f'"{one}"'}).raise_for_status()
                        with lock:
                            done += 1

            threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
            began = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            rate = done / (time.perf_counter() - began)
    lines = ["| measure | squall service |", "|---|---|",
             f"| task.list of {TASKS:,} tasks | {percentiles(lists)} |",
             f"| task.get of one task | {percentiles(gets)} |",
             f"| task.get, {CLIENTS} concurrent clients (10 s) | {rate:,.0f} requests/s |"]
    print(write_section("bench/bench_api.py", "Rally 5.1.1 has no HTTP service to compare with.\n\n" +
                        "\n".join(lines)))


if __name__ == "__main__":
    main()
