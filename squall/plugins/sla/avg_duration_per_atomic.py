"""``max_avg_duration_per_atomic``: a mean-duration bound per atomic action."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.atomic import flatten
from squall.plugin_api.sla import SLA, SLAFigures, readable
from squall.registry import JSON_SCHEMA, configure


@configure(name="max_avg_duration_per_atomic")
class MaxAverageDurationPerAtomic(SLA):
    """Each named atomic action must take at most its seconds on average.

    Only successful iterations count, as for ``max_avg_duration``.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "patternProperties": {".*": {"type": "number", "exclusiveMinimum": 0.0}},
        "minProperties": 1,
    }

    def __init__(self, criterion_value: dict[str, float]) -> None:
        super().__init__(criterion_value)
        self.sums = {name: 0.0 for name in criterion_value}
        self.counts = {name: 0 for name in criterion_value}
        self.avgs = {name: 0.0 for name in criterion_value}

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        if not iteration["error"]:
            for name, duration, _failed in flatten(iteration["atomic_actions"]):
                if name in self.sums:
                    self.sums[name] += duration
                    self.counts[name] += 1
                    self.avgs[name] = self.sums[name] / self.counts[name]
        self.success = all(self.avgs[n] <= limit for n, limit in self.criterion_value.items())
        return self.success

    AGGREGATE = True

    def add_summary(self, summary: SLAFigures) -> bool:
        for name, (total, count) in summary["atomics_ok"].items():
            if name in self.sums:
                self.sums[name] += total
                self.counts[name] += int(count)
                self.avgs[name] = self.sums[name] / self.counts[name]
        self.success = all(self.avgs[n] <= limit for n, limit in self.criterion_value.items())
        return self.success

    def details(self) -> str:
        parts = [f"{name} {' <= '.join(readable(self.avgs[name], limit, unit='s'))}"
                 for name, limit in self.criterion_value.items()]
        return f"Average duration of atomic actions: {', '.join(parts)} - {self.status_of(self.success)}"
