"""``performance_degradation``: the slowest iteration against the fastest."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.sla import SLA, SLAFigures
from squall.registry import JSON_SCHEMA, configure


@configure(name="performance_degradation")
class PerformanceDegradation(SLA):
    """(max - min) / min of successful iteration durations, in percent, is bounded."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {"max_degradation": {"type": "number", "minimum": 0.0}},
        "required": ["max_degradation"],
        "additionalProperties": False,
    }

    def __init__(self, criterion_value: dict[str, Any]) -> None:
        super().__init__(criterion_value)
        self.max_degradation = float(criterion_value["max_degradation"])
        self.min: float | None = None
        self.max: float | None = None
        self.degradation = 0.0

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        if iteration["error"]:
            return self.success
        duration = iteration["duration"]
        self.min = duration if self.min is None else min(self.min, duration)
        self.max = duration if self.max is None else max(self.max, duration)
        if self.min and self.min > 0:
            self.degradation = 100.0 * (self.max - self.min) / self.min
        self.success = self.degradation <= self.max_degradation
        return self.success

    AGGREGATE = True

    def add_summary(self, summary: SLAFigures) -> bool:
        low, high = summary["ok_min"], summary["ok_max"]
        if low is None or high is None:
            return self.success
        self.min = low if self.min is None else min(self.min, low)
        self.max = high if self.max is None else max(self.max, high)
        if self.min and self.min > 0:
            self.degradation = 100.0 * (self.max - self.min) / self.min
        self.success = self.degradation <= self.max_degradation
        return self.success

    def details(self) -> str:
        return (f"Current degradation: {self.degradation:.2f}% - {self.status_of(self.success)}")
