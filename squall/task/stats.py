"""Workload statistics, computed while iterations stream in.

Durations are kept in compact arrays (8 bytes an iteration) so percentiles are
exact, not estimated. The output has Rally's ``statistics`` shape:
``{"durations": {"atomics": [row...], "total": row}}``.
"""

from __future__ import annotations

import math
from array import array
from typing import Any


def percentile(sorted_values: list[float] | array[float], fraction: float) -> float | None:
    """The ``fraction`` percentile with linear interpolation (numpy's default)."""
    if not sorted_values:
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
        values = sorted(self.durations)
        ok = len(values)
        return {
            "min": values[0] if values else None,
            "median": percentile(values, 0.5),
            "90%ile": percentile(values, 0.9),
            "95%ile": percentile(values, 0.95),
            "99%ile": percentile(values, 0.99),
            "max": values[-1] if values else None,
            "avg": (math.fsum(values) / ok) if ok else None,
            "success": f"{(100.0 * ok / self.count) if self.count else 0.0:.1f}%",
            "iteration_count": self.count,
        }

    def to_dict(self) -> dict[str, Any]:
        display = self.name if self.count_per_iteration == 1 else f"{self.name} (x{self.count_per_iteration})"
        return {
            "name": self.name,
            "display_name": display,
            "count_per_iteration": self.count_per_iteration,
            "data": self.data(),
            "children": [c.to_dict() for c in self.children.values()],
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
        self.total = DurationRow("total")
        self.duration_row = self.total.child("duration")
        self.idle_row = self.total.child("idle_duration")
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
        self.total.add(duration + it["idle_duration"], failed)
        self.duration_row.add(duration, failed)
        self.idle_row.add(it["idle_duration"], failed)
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

    def to_dict(self) -> dict[str, Any]:
        """Rally's ``statistics`` field."""
        return {
            "durations": {
                "atomics": [row.to_dict() for row in self.atomics.values()],
                "total": self.total.to_dict(),
            }
        }
