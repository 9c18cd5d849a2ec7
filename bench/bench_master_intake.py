"""The master's ceiling: how many iterations a second one squall takes in from its workers, stored and
aggregated, in both result modes, on SQLite and on PostgreSQL.

Synthetic workers (forked processes) send ready-made results through the same queue, credits and
consumer (``squall.task.engine.consumer.ResultConsumer``: statistics, live SLA, database chunks, progress) as a real
load, as fast as the consumer accepts them, so squall's own process is the only bottleneck:

- ``rows``: batches of 512 iterations, each with one atomic action (an HTTP request's shape);
- ``aggregate``: one report a second per worker, as ``--results aggregate`` sends: a table of histograms
  (3 rows), the SLA figures and one second's bin, built from 10,000 iterations. What the consumer can take
  is reports a second, that is workers at one report a second each; the iterations those represent are
  the workers' business.

    python bench/bench_master_intake.py [--seconds 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue as queue_mod
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
from results import write_section  # noqa: E402

from squall.plugin_api.runner import Schedule  # noqa: E402
from squall.storage import repo  # noqa: E402
from squall.storage.db import Database  # noqa: E402
from squall.task.engine.consumer import ResultConsumer  # noqa: E402
from squall.task.engine.sla_checker import SLAChecker  # noqa: E402
from squall.task.load.aggregating import AggregatingEmitter  # noqa: E402

_CTX = mp.get_context("fork")
BATCH = 512
PER_REPORT = 10_000


def _rows_batch() -> list[Any]:
    now = time.time()
    out = []
    for i in range(BATCH):
        took = 0.0003 + (i % 50) * 1e-5
        action = {"name": "requests.GET", "started_at": now, "finished_at": now + took, "children": []}
        out.append((i + 1, now, took, 0.0, [], None, [action], None))
    return out


class _Queue:
    def __init__(self) -> None:
        self.items: list[Any] = []

    def put(self, item: Any) -> None:
        self.items.append(item)

    def acquire(self) -> None:
        pass

    def release(self) -> None:
        pass


def _report(source: int, second: int) -> dict[str, Any]:
    """A worker's report of one second: what AggregatingEmitter sends for PER_REPORT iterations."""
    sink = _Queue()
    emitter = AggregatingEmitter(sink, sink, worker_id=source)
    origin = time.time() - second - 1
    emitter.start(origin)
    for i in range(PER_REPORT):
        took = 0.0003 + (i % 50) * 1e-5
        start = origin + second + i / PER_REPORT * 0.99
        action = {"name": "requests.GET", "started_at": start, "finished_at": start + took, "children": []}
        emitter.emit((i + 1, start, took, 0.0, [], None, [action], None))
    emitter.flush(final=True)
    report: dict[str, Any] = sink.items[0]
    report["through"] = second + 1.0
    return report


def _synthetic_main(worker_id: int, mode: str, q: Any, credits: Any, stop: Any) -> None:
    template = _report(worker_id, 0) if mode == "aggregate" else _rows_batch()
    second = 0
    while not stop.value:
        credits.acquire()
        if mode == "aggregate":
            item = {**template, "seconds": {second: template["seconds"][0]}, "through": second + 1.0}
            second += 1
        else:
            item = template
        q.put(item)
    q.put(("done", worker_id, "ok"))


class SyntheticWorkers:
    """The engine's Executor, fed by processes that only send ready-made results."""

    def __init__(self, mode: str, processes: int) -> None:
        self.schedule = Schedule(processes=processes, slots=(1,) * processes, results=mode)
        self.errors: list[str] = []
        self.started_at = time.time()
        self.t0 = time.monotonic()
        self._queue = _CTX.Queue()
        self._credits = _CTX.Semaphore(64)
        self._stop = _CTX.RawValue("b", 0)
        self._procs = [_CTX.Process(target=_synthetic_main, args=(k, mode, self._queue, self._credits, self._stop),
                                    daemon=True) for k in range(processes)]
        self._running = set(range(processes))
        self.taken = 0

    @property
    def result_sources(self) -> int:
        return len(self._procs)

    @property
    def started_iterations(self) -> int:
        return self.taken

    def start(self) -> None:
        for proc in self._procs:
            proc.start()

    def receive(self, poll: float = 0.1) -> Any:
        try:
            item = self._queue.get(timeout=poll)
        except queue_mod.Empty:
            return None
        if isinstance(item, tuple):
            self._running.discard(item[1])
            return None
        self._credits.release()
        self.taken += item["count"] if isinstance(item, dict) else len(item)
        return item

    @property
    def finished(self) -> bool:
        return not self._running

    def stopped(self) -> bool:
        return bool(self._stop.value)

    def stop(self) -> None:
        self._stop.value = 1

    def kill(self) -> None:
        self.stop()

    def join(self) -> None:
        for proc in self._procs:
            proc.join(timeout=10)


def measure(url: str, mode: str, workers: int, seconds: float) -> dict[str, float]:
    """Run the consumer against synthetic workers for ``seconds``; its intake and its CPU."""
    db = Database(url)
    db.ensure_schema()
    task = repo.task_create(db, status="running", title="intake", description="", tags=[], input_task="",
                            config={}, env_uuid=None, env_name=None)
    sub = repo.subtask_create(db, task_uuid=task["uuid"], position=0, title="s", description="", tags=[],
                              status="running")
    wl = repo.workload_create(db, task_uuid=task["uuid"], subtask_uuid=sub["uuid"], position=0, name="synthetic",
                              description="", args={}, runner_type="constant", runner={}, contexts={},
                              sla={"failure_rate": {"max": 0}}, hooks=[], status="running")
    pool = SyntheticWorkers(mode, workers)
    consumer = ResultConsumer(db, task["uuid"], wl["uuid"], pool, SLAChecker({"failure_rate": {"max": 0}}), False)
    pool.start()
    cpu0, wall0 = time.process_time(), time.monotonic()
    stopper = _CTX.Process(target=_stop_after, args=(pool._stop, seconds), daemon=True)
    stopper.start()
    consumer.consume()
    stopper.join()
    wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
    its = consumer.stats.count
    reports = its / PER_REPORT if mode == "aggregate" else its / BATCH
    stored = None
    if url.startswith("sqlite:///"):  # the file and its write-ahead log, where the latest pages are
        path = Path(url.removeprefix("sqlite:///"))
        stored = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    return {"iterations": its, "rate": its / wall, "reports": reports / wall, "cpu_per_item": cpu / max(reports, 1),
            "cpu_share": cpu / wall, "bytes": stored / (its if mode == "rows" else reports) if stored else None}


def _stop_after(flag: Any, seconds: float) -> None:
    time.sleep(seconds)
    flag.value = 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="squall-intake-"))
    databases = [("SQLite", "sqlite:///" + str(work / "{mode}.db"))]
    server = None
    try:
        sys.path.insert(0, str(ROOT))
        from tests.postgres import PostgresServer

        if PostgresServer.available():
            from tests.conftest import free_port

            server = PostgresServer(free_port())
            databases.append(("PostgreSQL", server.start()))
        rows = []
        for name, url in databases:
            for mode in ("rows", "aggregate"):
                fig = measure(url.replace("{mode}", mode), mode, opts.workers, opts.seconds)
                rows.append((name, mode, fig))
                print(f"{name:10} {mode:9} {fig['rate']:>12,.0f} it/s  {fig['reports']:>9,.1f} batches-or-reports/s  "
                      f"{fig['cpu_per_item'] * 1e3:7.2f} ms CPU each  squall busy {fig['cpu_share']:.0%}")
    finally:
        if server is not None:
            server.stop()
    lines = [f"`python bench/bench_master_intake.py --seconds {opts.seconds:g} --workers {opts.workers}`: "
             f"{opts.workers} synthetic workers send ready-made results as fast as squall's consumer takes them "
             "(statistics, live SLA, database, progress: the engine's own ResultConsumer).", "",
             "| database | results | iterations/s taken in | batches (rows: 512 iterations) or reports "
             "(aggregate) a second | CPU per batch or report | squall's process busy | SQLite bytes per "
             "iteration (rows) or report (aggregate) |",
             "|---|---|---|---|---|---|---|"]
    for name, mode, fig in rows:
        rate = (f"{fig['rate']:,.0f}" if mode == "rows" else
                f"{fig['rate']:,.0f} (at {PER_REPORT:,} iterations a report)")
        size = f"{fig['bytes']:,.2f}" if fig["bytes"] is not None else "n/a"
        lines.append(f"| {name} | {mode} | {rate} | {fig['reports']:,.1f} | {fig['cpu_per_item'] * 1e3:.2f} ms | "
                     f"{fig['cpu_share']:.0%} | {size} |")
    lines += ["", "In aggregate mode a worker sends one report a second, so the reports a second are the number of "
              "workers one squall can follow; the iterations each worker runs do not reach squall's process. "
              "Through Dask, results also pass the scheduler's queue (see bench_dask.py)."]
    print(write_section("bench/bench_master_intake.py", "\n".join(lines)))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
