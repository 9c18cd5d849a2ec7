"""``outliers``: limit iterations much slower than the ones before them."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from squall.plugin_api.sla import SLA
from squall.registry import JSON_SCHEMA, configure


@configure(name="outliers")
class Outliers(SLA):
    """At most ``max`` successful iterations may be outliers.

    An outlier lasts longer than mean + ``sigmas`` standard deviations of the
    successful iterations before it; counting starts once ``min_iterations``
    have run (the running mean and deviation use Welford's method).
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "max": {"type": "integer", "minimum": 0},
            "min_iterations": {"type": "integer", "minimum": 3},
            "sigmas": {"type": "number", "exclusiveMinimum": 0.0},
        },
        "additionalProperties": False,
    }

    def __init__(self, criterion_value: dict[str, Any]) -> None:
        super().__init__(criterion_value)
        self.max_outliers = criterion_value.get("max", 1)
        self.min_iterations = criterion_value.get("min_iterations", 10)
        self.sigmas = criterion_value.get("sigmas", 3.0)
        self.iterations = 0
        self.outliers = 0
        self.threshold: float | None = None
        self._mean = 0.0
        self._m2 = 0.0

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        if iteration["error"]:
            return self.success
        duration = iteration["duration"]
        self.iterations += 1
        if self.iterations >= self.min_iterations and self.threshold is not None and duration > self.threshold:
            self.outliers += 1
        delta = duration - self._mean
        self._mean += delta / self.iterations
        self._m2 += delta * (duration - self._mean)
        if self.iterations >= 2:
            std = math.sqrt(self._m2 / (self.iterations - 1))
            self.threshold = self._mean + self.sigmas * std
        self.success = self.outliers <= self.max_outliers
        return self.success

    def details(self) -> str:
        return f"Maximum number of outliers {self.outliers} <= {self.max_outliers} - {self.status_of(self.success)}"
