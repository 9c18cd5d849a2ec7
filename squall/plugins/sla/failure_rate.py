"""``failure_rate``: the share of failed iterations must stay within bounds."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.sla import SLA, SLAFigures, readable
from squall.registry import JSON_SCHEMA, configure


@configure(name="failure_rate")
class FailureRate(SLA):
    """Failed iterations, in percent, must lie between ``min`` and ``max``."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "min": {"type": "number", "minimum": 0.0, "maximum": 100.0},
            "max": {"type": "number", "minimum": 0.0, "maximum": 100.0},
        },
        "minProperties": 1,
        "additionalProperties": False,
    }

    def __init__(self, criterion_value: dict[str, Any]) -> None:
        super().__init__(criterion_value)
        self.min = float(criterion_value.get("min", 0))
        self.max = float(criterion_value.get("max", 100))
        self.total = 0
        self.errors = 0
        self.rate = 0.0

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        self.total += 1
        if iteration["error"]:
            self.errors += 1
        self.rate = 100.0 * self.errors / self.total
        self.success = self.min <= self.rate <= self.max
        return self.success

    AGGREGATE = True

    def add_summary(self, summary: SLAFigures) -> bool:
        self.total += summary["count"]
        self.errors += summary["failed"]
        if self.total:
            self.rate = 100.0 * self.errors / self.total
        self.success = self.min <= self.rate <= self.max
        return self.success

    def details(self) -> str:
        low, rate, high = readable(self.min, self.rate, self.max, unit="%")
        return f"Failure rate criteria {low} <= {rate} <= {high} - {self.status_of(self.success)}"
