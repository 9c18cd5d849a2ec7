"""squall's side of ``--results aggregate``: reports from every worker become the workload's figures.

Each report (see :mod:`squall.task.aggregate`) is folded into the
workload's statistics table, fed to the SLA criteria, and its seconds are
merged across workers until every worker has reported past them; a complete
second becomes one stored record (:func:`second_record`), which the report's
charts read. Nothing here grows with the number of iterations: memory is
the open seconds and one histogram per table row.
"""

from __future__ import annotations

import math
from typing import Any

from squall.results import add_error_kind
from squall.task.aggregate import REPORT_SECONDS, SecondBin
from squall.task.sla_checker import SLAChecker
from squall.task.stats import WorkloadStats
from squall.task.stats_wire import merge_wire
from squall.task.values import Values

MAX_OPEN_SECONDS = 120  # seconds held open for a silent worker (a lost one) before they are stored as they are
HISTOGRAM_BINS = 40
PERCENTILES = (50, 66, 75, 90, 95, 99, 99.9)


def second_record(second: int, found: SecondBin) -> dict[str, Any]:
    """What is stored of one second: counts, busy time, atomic sums, error types, and percentiles of the
    successful durations (``ok``: p50, p90, p99, max) and of the latency from the due time (``fs``)."""
    ok = found.ok.percentiles((0.5, 0.9, 0.99)) + [found.ok.high] if len(found.ok) else None
    fs = found.from_schedule
    return {"s": second, "n": found.count, "failed": found.failed, "busy": found.busy, "ok_n": len(found.ok),
            "ok": ok, "fs": fs.percentiles((0.5, 0.99)) + [fs.high] if fs is not None and len(fs) else None,
            "a": found.atomics, "errors": found.errors, "late": found.late, "peak": found.peak}


class AggregateIntake:
    """Folds aggregate reports into statistics, SLA verdicts and per-second records."""

    def __init__(self, stats: WorkloadStats, sla: SLAChecker, sources: int) -> None:
        self.stats = stats
        self.sla = sla
        self.sources = sources
        self.origin = 0.0  # the load's start on this machine's wall clock: set once it started
        self.reported = 0  # iterations in the reports taken
        self._open: dict[int, SecondBin] = {}
        self._through: dict[Any, float] = {}
        self._ok = Values(0)
        self._errors: dict[str, int] = {}
        self._peak = 0

    def take(self, report: dict[str, Any]) -> bool:
        """Fold one worker's report in; returns the SLA's verdict so far."""
        merge_wire(self.stats, report["stats"], self.origin)
        self.reported += report["count"]
        passed = self.sla.add_summary(report["summary"])
        for kind, count in report["errors"].items():
            add_error_kind(self._errors, kind, count)
        for second, wire in report["seconds"].items():
            found = self._open.get(int(second))
            if found is None:
                found = self._open[int(second)] = SecondBin()
            found.merge(wire)
        source = report["source"]
        self._through[source] = max(self._through.get(source, -math.inf), report["through"])
        return passed

    def complete(self, final: bool = False) -> list[dict[str, Any]]:
        """The seconds every worker has reported past (every open one when ``final``), as records, in order."""
        if final:
            mark = math.inf
        elif len(self._through) < self.sources:
            mark = -math.inf
        else:
            mark = min(self._through.values())
        ready = sorted(s for s in self._open if s + 1 <= mark)
        held = sorted(s for s in self._open if s + 1 > mark)
        ready += held[:max(0, len(held) - MAX_OPEN_SECONDS)]
        records = []
        for second in sorted(ready):
            found = self._open.pop(second)
            self._peak = max(self._peak, found.peak)
            self._ok.merge(found.ok)
            records.append(second_record(second, found))
        return records

    @property
    def peak(self) -> int:
        """The most iterations in flight in any complete second (the sum of each worker's own peak)."""
        return self._peak

    def statistics(self) -> dict[str, Any]:
        """What the report needs beyond the table: the mode, the histogram of successful durations, the
        percentiles of every duration, the most in flight, and the errors by type and message."""
        totals = self.stats.total_values()
        levels = totals.percentiles(tuple(q / 100 for q in PERCENTILES))
        edges, counts = self._ok.linear_histogram(HISTOGRAM_BINS)
        errors = [{"type": kind.split(": ", 1)[0], "message": kind.split(": ", 1)[-1] if ": " in kind else "",
                   "count": count} for kind, count in sorted(self._errors.items(), key=lambda kv: -kv[1])]
        return {"mode": "aggregate", "binned_by": "end", "report_seconds": REPORT_SECONDS,
                "histogram": {"edges": edges, "counts": counts},
                "percentiles": {str(q): v for q, v in zip(PERCENTILES, levels, strict=True) if v is not None},
                "peak_concurrency": self._peak, "errors": errors}
