"""The consumer: drains a workload's executor in squall's process.

Each batch of results goes to every sink of the workload's result stream
(:mod:`~squall.task.engine.sinks`: the statistics, the live SLA check, the
live metrics, and the database chunks or, in aggregate mode, the stored
seconds); progress and the abort request are checked twice a second. It
runs in a thread below the load (:mod:`~squall.task.engine.below_load`).
"""

from __future__ import annotations

import gc
import time
from typing import Any

from squall import utils
from squall.plugin_api.hook import HookRunResult
from squall.results import IterationRecord, add_checks, iteration_record
from squall.storage import repo
from squall.storage.db import Database
from squall.task.engine.below_load import run_below_the_load
from squall.task.engine.intake import AggregateIntake
from squall.task.engine.metrics import WorkloadMetrics
from squall.task.engine.sinks import (
    ChunkSink,
    ErrorKindsSink,
    MetricsSink,
    OkBlock,
    ResultSink,
    SecondsSink,
    SLASink,
    StatisticsSink,
)
from squall.task.engine.sla_checker import SLAChecker
from squall.task.load.emitter import RawResult
from squall.task.load.executor import Batch, Executor
from squall.task.results.stats import WorkloadStats

CHUNK_SECONDS = 2.0
PROGRESS_SECONDS = 0.5
ABORT_STATUSES = ("aborting", "soft_aborting")
# Each stored iteration is a few containers the collector tracks; with the default 700 it walked every young one
# about every 100 iterations (a tenth of this loop's CPU at 50,000 iterations/s). They are freed by reference
# counting, so a rarer young pass costs nothing in memory.
YOUNG_GC_THRESHOLD = 50_000


def to_iteration(raw: RawResult | tuple[Any, ...]) -> IterationRecord:
    """A worker's compact result as Rally's iteration dict (plus its number, and the Dask worker that ran it)."""
    number, timestamp, duration, idle, error, output, atomics, lag = raw[:8]
    return iteration_record(number, timestamp, duration, idle, error, output, atomics, lag,
                            raw[8] if len(raw) > 8 else None)


class ResultConsumer:
    """Drains a worker pool into the result sinks (:mod:`~squall.task.engine.sinks`); progress and abort."""

    def __init__(self, db: Database, task_uuid: str, workload_uuid: str, pool: Executor,
                 sla: SLAChecker, abort_on_sla_failure: bool, metrics: WorkloadMetrics | None = None,
                 count_each_action: bool = False) -> None:
        self.db = db
        self.metrics = metrics
        self.task_uuid = task_uuid
        self.workload_uuid = workload_uuid
        self.pool = pool
        self.sla = sla
        self.abort_on_sla_failure = abort_on_sla_failure
        self.stats = WorkloadStats(count_each_action)
        self.aborted_on_sla = False
        self.aborted_by_user = False
        self._interrupts = 0
        self.errors = ErrorKindsSink()
        #: Each named check's [passed, failed] (:mod:`squall.plugin_api.checks`), in the order first seen.
        self.checks: dict[str, list[int]] = {}
        self.sinks: list[ResultSink] = [StatisticsSink(self.stats, lambda: self.pool.started_at),
                                        SLASink(sla, self._sla_verdict), self.errors]
        if metrics is not None:
            self.sinks.append(MetricsSink(metrics))
        #: Aggregate mode (``--results aggregate``): worker reports instead of rows, stored as seconds.
        self.intake: AggregateIntake | None = None
        if pool.schedule.results == "aggregate":
            self.intake = AggregateIntake(self.stats, pool.result_sources)
            self.sinks.append(SecondsSink(db, task_uuid, workload_uuid, self.intake))
        else:
            self.sinks.append(ChunkSink(db, task_uuid, workload_uuid))

    def _flush(self, final: bool = False) -> None:
        for sink in self.sinks:
            sink.flush(final)

    def _progress(self) -> None:
        repo.workload_update(self.db, self.workload_uuid, total_iteration_count=self.stats.count,
                             failed_iteration_count=self.stats.failed)
        if self.metrics is not None:
            rate = self.pool.schedule.rate
            target = rate.rate_at(time.monotonic() - self.pool.t0) if rate is not None else None
            self.metrics.tick(self.pool.started_iterations, self.stats.count, target)
        task = repo.task_get(self.db, self.task_uuid)
        repo.task_update(self.db, self.task_uuid, heartbeat=utils.utcnow())
        # A soft abort lets this workload finish; the engine skips the ones after it.
        if task["status"] == "aborting" and not self.aborted_by_user:
            self.aborted_by_user = True
            self.pool.stop()

    def _take(self, batch: Batch) -> None:
        sinks = self.sinks
        if isinstance(batch, dict):
            if batch.get("checks"):
                add_checks(self.checks, batch["checks"])
                self._sla_verdict(self.sla.add_checks(batch["checks"]))
            if batch.get("kind") != "rows":
                for sink in sinks:
                    sink.take_report(batch)
                return
            whole, blocks = batch["whole"], [OkBlock(*wire) for wire in batch["ok"] if len(wire[1])]
        else:
            whole, blocks = batch, []
        if whole:
            rows = [to_iteration(raw) for raw in whole]
            for sink in sinks:
                sink.take_rows(rows)
        for block in blocks:
            for sink in sinks:
                sink.take_ok_block(block)

    def on_hook_result(self, result: HookRunResult) -> None:
        """A hook run ended (called from its thread): feed the hooks SLA (and the live metrics)."""
        if self.metrics is not None:
            self.metrics.hook(str(result.get("status", "")))
        self._sla_verdict(self.sla.add_hook_result(result))

    def _sla_verdict(self, passed: bool) -> None:
        # With --abort-on-sla-failure the first failed verdict stops the load.
        if not passed and self.abort_on_sla_failure and not self.aborted_on_sla:
            self.aborted_on_sla = True
            self.pool.stop()

    def interrupt(self) -> None:
        """Ctrl-C: first stop issuing iterations, on the second kill workers."""
        self._interrupts += 1
        self.aborted_by_user = True
        repo.task_set_status_if(self.db, self.task_uuid, ("running",), "aborting")
        if self._interrupts == 1:
            self.pool.stop()
        else:
            self.pool.kill()

    def consume(self) -> None:
        """Run until every worker is done, in a thread that yields the CPU to the load
        (:mod:`~squall.task.engine.below_load`); Ctrl-C is turned into an abort."""
        # What exists before the load (the engine, SQLAlchemy, the plugins) lives on: the collector's full
        # passes over it cost a third of this loop's CPU at high rates, so they are spared it until the end.
        gc.freeze()
        thresholds = gc.get_threshold()
        gc.set_threshold(YOUNG_GC_THRESHOLD, *thresholds[1:])
        if self.intake is not None:
            self.intake.origin = self.pool.started_at
        try:
            run_below_the_load(self._consume, self.interrupt, self.pool.kill)
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()

    def _consume(self) -> None:
        last_flush = last_progress = time.monotonic()
        while not self.pool.finished:
            batch = self.pool.receive()
            if batch:
                self._take(batch)
            now = time.monotonic()
            if now - last_flush >= CHUNK_SECONDS:
                self._flush()
                last_flush = now
            if now - last_progress >= PROGRESS_SECONDS:
                self._progress()
                last_progress = now
        self._flush(final=True)
        self.pool.join()
