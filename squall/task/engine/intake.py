"""squall's side of ``--results aggregate``: reports from every worker become the workload's figures.

Each report (see :mod:`squall.task.load.aggregating`) goes to the
workload's statistics table and SLA criteria (sinks of their own), and here
its seconds are merged across workers until every worker has reported past
them; a complete second becomes one stored record
(:func:`~squall.task.results.seconds.second_record`), which the report's
charts read. Nothing here grows with the number of iterations: memory is
the open seconds and one histogram per table row.
"""

from __future__ import annotations

import math
from typing import Any

from squall.plugin_api.values import Values
from squall.results import add_error_kind
from squall.task.results.seconds import REPORT_SECONDS, SecondBin, second_record
from squall.task.results.stats import WorkloadStats

MAX_OPEN_SECONDS = 120  # seconds held open for a silent worker (a lost one) before they are stored as they are
HISTOGRAM_BINS = 40
PERCENTILES = (50, 66, 75, 90, 95, 99, 99.9)


class AggregateIntake:
    """Folds aggregate reports into per-second records and the figures the report adds to the table (the
    statistics table and the SLA take the same reports as sinks of their own: :mod:`~squall.task.engine.sinks`).
    """

    def __init__(self, stats: WorkloadStats, sources: int) -> None:
        self.stats = stats  # the workload's table, filled by its own sink: read for the percentiles of totals
        self.sources = sources
        self.origin = 0.0  # the load's start on this machine's wall clock: set once it started
        self.reported = 0  # iterations in the reports taken
        self._open: dict[int, SecondBin] = {}
        self._through: dict[Any, float] = {}
        self._ok = Values(0)
        self._errors: dict[str, int] = {}
        self._peak = 0

    def take(self, report: dict[str, Any]) -> None:
        """Fold one worker's report in."""
        self.reported += report["count"]
        for kind, count in report["errors"].items():
            add_error_kind(self._errors, kind, count)
        for second, wire in report["seconds"].items():
            found = self._open.get(int(second))
            if found is None:
                found = self._open[int(second)] = SecondBin()
            found.merge(wire)
        source = report["source"]
        self._through[source] = max(self._through.get(source, -math.inf), report["through"])

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
