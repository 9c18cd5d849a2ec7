"""Where a workload's results go in squall's process: one stream, several sinks.

The consumer (:mod:`~squall.task.engine.consumer`) turns each batch from the
executor into the stream's three kinds of item and hands every item to every
sink, in order: whole rows (Rally's iteration dicts), blocks of successful
single-action iterations as columns (:class:`OkBlock`), and, in aggregate
mode, one worker's report. The statistics table, the live SLA, the
Prometheus series, the stored chunks and the stored seconds are each a sink;
a new consumer of results (a live feed, say) is one more class with these
four methods, not another branch in the consumer's loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from squall.plugin_api.sla import block_figures
from squall.results import MAX_ERROR_KIND_CHARS, MAX_ERROR_KINDS, IterationRecord
from squall.storage import repo
from squall.storage.chunk import Chunk, ok_rows
from squall.storage.db import Database
from squall.task.engine.intake import AggregateIntake
from squall.task.engine.metrics import WorkloadMetrics
from squall.task.engine.sla_checker import SLAChecker
from squall.task.results.stats import WorkloadStats
from squall.task.results.stats_wire import merge_wire

CHUNK_SIZE = 2_000


class OkBlock:
    """Successful iterations of one atomic action, as the columns a worker sent (see
    :class:`~squall.task.load.ok_columns.OkColumns`), with the numpy views and the Rally rows they stand for
    made once, when a sink first asks."""

    def __init__(self, name: str, numbers: Any, starts: Any, durations: Any, finished: Any) -> None:
        import numpy as np

        self.name, self.numbers, self.starts, self.durations, self.finished = name, numbers, starts, durations, finished
        self.begun, self.spent, ended = (np.frombuffer(c, dtype=np.float64) for c in (starts, durations, finished))
        self.took = ended - self.begun  # the action's durations
        self._rows: list[IterationRecord] | None = None

    def __len__(self) -> int:
        return len(self.numbers)

    def rows(self) -> list[IterationRecord]:
        """Rally's iteration dicts of the block, for a sink that needs each iteration."""
        if self._rows is None:
            self._rows = ok_rows(self.name, self.numbers, self.starts, self.durations, self.finished)
        return self._rows


class ResultSink(Protocol):
    """One consumer of a workload's result stream."""

    def take_rows(self, rows: list[IterationRecord]) -> None:
        """Whole iterations, in arrival order."""

    def take_ok_block(self, block: OkBlock) -> None:
        """A block of successes as columns."""

    def take_report(self, report: dict[str, Any]) -> None:
        """One worker's aggregate report (``--results aggregate``)."""

    def flush(self, final: bool) -> None:
        """Store what is held (every ``CHUNK_SECONDS``, and once at the end with ``final``)."""


class StatisticsSink:
    """The workload's statistics table (:class:`~squall.task.results.stats.WorkloadStats`)."""

    def __init__(self, stats: WorkloadStats, origin: Callable[[], float]) -> None:
        self.stats = stats
        self._origin = origin  # the load's start on this machine's wall clock, known once it started

    def take_rows(self, rows: list[IterationRecord]) -> None:
        add = self.stats.add_iteration
        for it in rows:
            add(it)
        self.stats.compact()

    def take_ok_block(self, block: OkBlock) -> None:
        self.stats.add_ok_block(block.name, block.begun, block.spent, block.took)
        self.stats.compact()

    def take_report(self, report: dict[str, Any]) -> None:
        merge_wire(self.stats, report["stats"], self._origin())

    def flush(self, final: bool) -> None:
        """Nothing to store: the engine stores the table at the end."""


class SLASink:
    """The live SLA check; ``on_verdict`` hears every failed verdict (and, for blocks and reports, each one)."""

    def __init__(self, sla: SLAChecker, on_verdict: Callable[[bool], None]) -> None:
        self.sla = sla
        self._on_verdict = on_verdict
        self._from_sums = sla.judges_from_sums()

    def take_rows(self, rows: list[IterationRecord]) -> None:
        add = self.sla.add_iteration
        for it in rows:
            if not add(it):  # the call only on a failed verdict: this loop runs per iteration
                self._on_verdict(False)

    def take_ok_block(self, block: OkBlock) -> None:
        if self._from_sums:
            self._on_verdict(self.sla.add_summary(block_figures(block.name, block.spent, block.took)))
        else:
            self._on_verdict(all([self.sla.add_iteration(it) for it in block.rows()]))

    def take_report(self, report: dict[str, Any]) -> None:
        self._on_verdict(self.sla.add_summary(report["summary"]))

    def flush(self, final: bool) -> None:
        """Nothing to store: the engine stores the verdicts at the end."""


class MetricsSink:
    """The Prometheus series of ``task start --prometheus-port``."""

    def __init__(self, metrics: WorkloadMetrics) -> None:
        self.metrics = metrics

    def take_rows(self, rows: list[IterationRecord]) -> None:
        observe = self.metrics.iteration
        for it in rows:
            observe(it)

    def take_ok_block(self, block: OkBlock) -> None:
        self.take_rows(block.rows())

    def take_report(self, report: dict[str, Any]) -> None:
        self.metrics.summary(report["summary"])

    def flush(self, final: bool) -> None:
        """Nothing to store: the series are read by Prometheus."""


class ChunkSink:
    """The workload's iterations stored in chunks (``workload_data``), every :data:`CHUNK_SIZE` iterations and
    at each flush."""

    def __init__(self, db: Database, task_uuid: str, workload_uuid: str) -> None:
        self.db, self.task_uuid, self.workload_uuid = db, task_uuid, workload_uuid
        self._chunk = Chunk()
        self._order = 0

    def take_rows(self, rows: list[IterationRecord]) -> None:
        self._chunk.add_rows(rows)
        self._store_when_full()

    def take_ok_block(self, block: OkBlock) -> None:
        self._chunk.add_successes(block.name, block.numbers, block.starts, block.durations, block.finished)
        self._store_when_full()

    def take_report(self, report: dict[str, Any]) -> None:
        """Reports carry no iterations: the seconds sink stores their figures."""

    def _store_when_full(self) -> None:
        if len(self._chunk) >= CHUNK_SIZE:
            self.flush(final=False)

    def flush(self, final: bool) -> None:
        if len(self._chunk):
            repo.chunk_add(self.db, self.workload_uuid, self.task_uuid, self._order, self._chunk)
            self._order += 1
            self._chunk = Chunk()


class SecondsSink:
    """Aggregate mode: the workers' seconds merged and stored once complete (``workload_seconds``), and the
    figures the report adds to the table (:class:`~squall.task.engine.intake.AggregateIntake`)."""

    def __init__(self, db: Database, task_uuid: str, workload_uuid: str, intake: AggregateIntake) -> None:
        self.db, self.task_uuid, self.workload_uuid = db, task_uuid, workload_uuid
        self.intake = intake

    def take_rows(self, rows: list[IterationRecord]) -> None:
        """Rows do not come in aggregate mode."""

    def take_ok_block(self, block: OkBlock) -> None:
        """Blocks do not come in aggregate mode."""

    def take_report(self, report: dict[str, Any]) -> None:
        self.intake.take(report)

    def flush(self, final: bool) -> None:
        records = self.intake.complete(final)
        if records:
            repo.seconds_add(self.db, self.workload_uuid, self.task_uuid, records)


class ErrorKindsSink:
    """The failures by kind (type and message), counted, with the first iteration of each: what the terminal
    says when iterations failed. At most :data:`~squall.results.MAX_ERROR_KINDS` kinds; the rest count under
    ``other``."""

    def __init__(self) -> None:
        self.kinds: dict[tuple[str, str], list[Any]] = {}  # (type, message) -> [count, first iteration]
        self.other = 0

    def _count(self, etype: str, message: str, count: int, iteration: int | None) -> None:
        key = (etype, message[:MAX_ERROR_KIND_CHARS])
        entry = self.kinds.get(key)
        if entry is not None:
            entry[0] += count
            if iteration is not None and (entry[1] is None or iteration < entry[1]):
                entry[1] = iteration
        elif len(self.kinds) < MAX_ERROR_KINDS:
            self.kinds[key] = [count, iteration]
        else:
            self.other += count

    def take_rows(self, rows: list[IterationRecord]) -> None:
        for it in rows:
            error = it["error"]
            if error:
                self._count(str(error[0]), str(error[1]) if len(error) > 1 else "", 1, it.get("iteration"))

    def take_ok_block(self, block: OkBlock) -> None:
        """Successes only."""

    def take_report(self, report: dict[str, Any]) -> None:
        for kind, count in report["errors"].items():
            etype, _, message = kind.partition(": ")
            self._count(etype, message, count, None)

    def flush(self, final: bool) -> None:
        """Nothing to store: the engine stores :meth:`summary` with the statistics."""

    def summary(self) -> list[dict[str, Any]]:
        """The kinds, most frequent first: ``{type, message, count, first_iteration}`` (and ``other``)."""
        found = [{"type": t, "message": m, "count": c, "first_iteration": first}
                 for (t, m), (c, first) in sorted(self.kinds.items(), key=lambda kv: -kv[1][0])]
        if self.other:
            found.append({"type": "other", "message": f"more than {MAX_ERROR_KINDS} kinds", "count": self.other,
                          "first_iteration": None})
        return found
