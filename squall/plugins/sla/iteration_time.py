"""``max_seconds_per_iteration``: no iteration may take longer than this."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.sla import SLA, SLAFigures, readable
from squall.registry import JSON_SCHEMA, configure


@configure(name="max_seconds_per_iteration")
class MaxSecondsPerIteration(SLA):
    """The longest iteration must take at most this many seconds."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"$schema": JSON_SCHEMA, "type": "number", "exclusiveMinimum": 0.0}

    def __init__(self, criterion_value: float) -> None:
        super().__init__(criterion_value)
        self.max_iteration_time = 0.0

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        self.max_iteration_time = max(self.max_iteration_time, iteration["duration"])
        self.success = self.max_iteration_time <= self.criterion_value
        return self.success

    AGGREGATE = True

    def add_summary(self, summary: SLAFigures) -> bool:
        self.max_iteration_time = max(self.max_iteration_time, summary["max"])
        self.success = self.max_iteration_time <= self.criterion_value
        return self.success

    def details(self) -> str:
        longest, limit = readable(self.max_iteration_time, self.criterion_value, unit="s")
        return f"Maximum seconds per iteration {longest} <= {limit} - {self.status_of(self.success)}"
