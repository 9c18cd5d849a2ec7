"""``max_avg_duration``: the mean duration of successful iterations is bounded."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.sla import SLA, SLAFigures, readable
from squall.registry import JSON_SCHEMA, configure


@configure(name="max_avg_duration")
class MaxAverageDuration(SLA):
    """Successful iterations must take at most this many seconds on average."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"$schema": JSON_SCHEMA, "type": "number", "exclusiveMinimum": 0.0}

    def __init__(self, criterion_value: float) -> None:
        super().__init__(criterion_value)
        self.count = 0
        self.total = 0.0
        self.avg = 0.0

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        if not iteration["error"]:
            self.count += 1
            self.total += iteration["duration"]
            self.avg = self.total / self.count
        self.success = self.avg <= self.criterion_value
        return self.success

    AGGREGATE = True

    def add_summary(self, summary: SLAFigures) -> bool:
        self.count += summary["ok_count"]
        self.total += summary["ok_sum"]
        if self.count:
            self.avg = self.total / self.count
        self.success = self.avg <= self.criterion_value
        return self.success

    def details(self) -> str:
        avg, limit = readable(self.avg, self.criterion_value, unit="s")
        return (f"Average duration of one iteration {avg} <= {limit} - "
                f"{self.status_of(self.success)}")
