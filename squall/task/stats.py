"""Workload statistics, computed while iterations stream in.

Durations are kept in compact arrays (8 bytes an iteration) so percentiles are
exact, not estimated; numpy sorts them in place of a list of Python floats,
which would cost 32 bytes a value at the end of a million-iteration load. The output has Rally's ``statistics`` shape:
``{"durations": {"atomics": [row...], "total": row}}``.
"""

from __future__ import annotations

import math
from array import array
from typing import Any

# Below this many values a plain sort is cheaper than importing numpy.
_NUMPY_FROM = 20_000


def percentile(sorted_values: Any, fraction: float) -> float | None:
    """The ``fraction`` percentile with linear interpolation (numpy's default)."""
    if len(sorted_values) == 0:
        return None
    k = (len(sorted_values) - 1) * fraction
    low, high = math.floor(k), math.ceil(k)
    if low == high:
        return float(sorted_values[int(k)])
    return float(sorted_values[low] * (high - k) + sorted_values[high] * (k - low))


class DurationRow:
    """Statistics of one row of the table: ``total`` or one atomic action."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.durations: array[float] = array("d")
        self.count = 0
        self.count_per_iteration = 1
        self.children: dict[str, DurationRow] = {}

    def add(self, duration: float, failed: bool) -> None:
        self.count += 1
        if not failed:
            self.durations.append(duration)

    def child(self, name: str) -> DurationRow:
        row = self.children.get(name)
        if row is None:
            row = self.children[name] = DurationRow(name)
        return row

    def data(self) -> dict[str, Any]:
        return self.data_of(self.durations)

    def data_of(self, durations: Any) -> dict[str, Any]:
        """The row's figures for ``durations`` (an array or numpy array)."""
        ok = len(durations)
        values: Any = None
        if ok >= _NUMPY_FROM:
            import numpy as np

            values = np.sort(np.asarray(durations, dtype=np.float64))
        elif ok:
            values = sorted(durations)

        def pct(fraction: float) -> float | None:
            return None if values is None else percentile(values, fraction)

        return {
            "min": None if values is None else float(values[0]),
            "median": pct(0.5),
            "90%ile": pct(0.9),
            "95%ile": pct(0.95),
            "99%ile": pct(0.99),
            "max": None if values is None else float(values[-1]),
            "avg": None if values is None else math.fsum(values) / ok,
            "success": f"{(100.0 * ok / self.count) if self.count else 0.0:.1f}%",
            "iteration_count": self.count,
        }

    def to_dict(self, data: dict[str, Any] | None = None,
                children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        display = self.name if self.count_per_iteration == 1 else f"{self.name} (x{self.count_per_iteration})"
        return {
            "name": self.name,
            "display_name": display,
            "count_per_iteration": self.count_per_iteration,
            "data": self.data() if data is None else data,
            "children": [c.to_dict() for c in self.children.values()] if children is None else children,
        }


def _merge_siblings(actions: list[dict[str, Any]]) -> dict[str, tuple[float, bool, int, list[dict[str, Any]]]]:
    # Same-named siblings in one iteration are one row: durations add up.
    merged: dict[str, tuple[float, bool, int, list[dict[str, Any]]]] = {}
    for action in actions:
        finished = action.get("finished_at") or action["started_at"]
        duration = finished - action["started_at"]
        failed = bool(action.get("failed"))
        name = action["name"]
        if name in merged:
            d, f, n, kids = merged[name]
            merged[name] = (d + duration, f or failed, n + 1, kids + list(action.get("children") or []))
        else:
            merged[name] = (duration, failed, 1, list(action.get("children") or []))
    return merged


class WorkloadStats:
    """Everything the statistics table and workload summary need."""

    def __init__(self) -> None:
        # ``total`` holds duration + idle of successful iterations; idle times
        # are kept only once one is non-zero, and ``duration`` is derived.
        self.total = DurationRow("total")
        self._idle: array[float] | None = None
        self.atomics: dict[str, DurationRow] = {}
        self.failed = 0
        self.first_start: float | None = None
        self.last_end: float | None = None
        self.min_duration: float | None = None
        self.max_duration: float | None = None

    def _add_atomics(self, rows: dict[str, DurationRow], parent: DurationRow | None,
                     actions: list[dict[str, Any]]) -> None:
        for name, (duration, failed, n, kids) in _merge_siblings(actions).items():
            row = rows.get(name)
            if row is None:
                row = DurationRow(name)
                rows[name] = row
                if parent is not None:
                    parent.children[name] = row
            row.count_per_iteration = max(row.count_per_iteration, n)
            row.add(duration, failed)
            if kids:
                self._add_atomics(row.children, row, kids)

    def add_iteration(self, it: dict[str, Any]) -> None:
        """Account one iteration result (Rally's shape)."""
        failed = bool(it["error"])
        duration = it["duration"]
        self.failed += failed
        idle = it["idle_duration"]
        self.total.add(duration + idle, failed)
        if not failed:
            if idle and self._idle is None:
                self._idle = array("d", bytes(8 * (len(self.total.durations) - 1)))
            if self._idle is not None:
                self._idle.append(idle)
        if it["atomic_actions"]:
            self._add_atomics(self.atomics, None, it["atomic_actions"])
        start = it["timestamp"]
        end = start + duration + it["idle_duration"]
        if self.first_start is None or start < self.first_start:
            self.first_start = start
        if self.last_end is None or end > self.last_end:
            self.last_end = end
        if self.min_duration is None or duration < self.min_duration:
            self.min_duration = duration
        if self.max_duration is None or duration > self.max_duration:
            self.max_duration = duration

    @property
    def count(self) -> int:
        """Iterations accounted."""
        return self.total.count

    @property
    def load_duration(self) -> float:
        """From the first iteration's start to the last one's end."""
        if self.first_start is None or self.last_end is None:
            return 0.0
        return self.last_end - self.first_start

    def columns(self) -> dict[str, Any]:
        """The workload row's figures: start (microseconds), durations, counts and ``statistics``."""
        return {
            "start_time": int(self.first_start * 1_000_000) if self.first_start else None,
            "load_duration": self.load_duration,
            "min_duration": self.min_duration,
            "max_duration": self.max_duration,
            "total_iteration_count": self.count,
            "failed_iteration_count": self.failed,
            "statistics": self.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Rally's ``statistics`` field."""
        totals = self.total.durations
        if self._idle is None:
            pairs: list[tuple[str, Any]] = [("duration", totals), ("idle_duration", array("d", bytes(8 * len(totals))))]
        else:
            idles = self._idle
            pairs = [("duration", array("d", (t - i for t, i in zip(totals, idles, strict=True)))),
                     ("idle_duration", idles)]
        children = []
        for name, values in pairs:
            row = DurationRow(name)
            row.count = self.total.count
            children.append(row.to_dict(data=row.data_of(values), children=[]))
        return {
            "durations": {
                "atomics": [row.to_dict() for row in self.atomics.values()],
                "total": self.total.to_dict(children=children),
            }
        }
