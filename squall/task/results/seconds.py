"""One second of the load in aggregate mode: what a worker folds, what squall's process merges across workers,
and what it stores (:func:`second_record`), which the report's charts read."""

from __future__ import annotations

from typing import Any

from squall.plugin_api.values import Values
from squall.results import SECOND_SUMS, add_second_extras

#: How often a worker reports in aggregate mode (seconds).
REPORT_SECONDS = 1.0


class SecondBin:
    """The iterations that ended in one second of the load: one worker's (folded), or every worker's (merged
    from their reports in squall's process)."""

    __slots__ = ("count", "failed", "busy", "ok", "from_schedule", "atomics", "errors", "late", "peak")

    def __init__(self) -> None:
        self.count = 0
        self.failed = 0
        self.busy = 0.0
        self.ok = Values()
        self.from_schedule: Values | None = None
        self.atomics: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.late = 0
        self.peak = 0

    def to_wire(self) -> dict[str, Any]:
        """Plain data (histograms encoded)."""
        return {"n": self.count, "failed": self.failed, "busy": self.busy, "ok": self.ok.to_wire(),
                "fs": self.from_schedule.to_wire() if self.from_schedule is not None else None,
                "a": self.atomics, "errors": self.errors, "late": self.late, "peak": self.peak}

    def merge(self, wire: dict[str, Any]) -> None:
        """Add another worker's figures for this second (from :meth:`to_wire`)."""
        for key, attribute in SECOND_SUMS:
            setattr(self, attribute, getattr(self, attribute) + wire[key])
        self.ok.merge_wire(wire["ok"])
        if wire["fs"] is not None:
            if self.from_schedule is None:
                self.from_schedule = Values()
            self.from_schedule.merge_wire(wire["fs"])
        add_second_extras(self.atomics, self.errors, wire)


def second_record(second: int, found: SecondBin) -> dict[str, Any]:
    """What is stored of one second: counts, busy time, atomic sums, error types, and percentiles of the
    successful durations (``ok``: p50, p90, p99, max) and of the latency from the due time (``fs``)."""
    ok = found.ok.percentiles((0.5, 0.9, 0.99)) + [found.ok.high] if len(found.ok) else None
    fs = found.from_schedule
    return {"s": second, "n": found.count, "failed": found.failed, "busy": found.busy, "ok_n": len(found.ok),
            "ok": ok, "fs": fs.percentiles((0.5, 0.99)) + [fs.high] if fs is not None and len(fs) else None,
            "a": found.atomics, "errors": found.errors, "late": found.late, "peak": found.peak}
