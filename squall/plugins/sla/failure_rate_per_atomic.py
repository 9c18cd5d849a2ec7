"""``max_failure_rate_per_atomic``: a failure-rate bound per atomic action (per request of a journey)."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.sla import SLA, readable
from squall.registry import JSON_SCHEMA, configure


@configure(name="max_failure_rate_per_atomic")
class MaxFailureRatePerAtomic(SLA):
    """Each named atomic action (a request of a journey) may fail in at most its percent of its runs: k6's
    ``http_req_failed`` threshold, per request name. Every run of a top-level action counts, one that repeats
    in an iteration each time.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "patternProperties": {".*": {"type": "number", "minimum": 0.0, "maximum": 100.0}},
        "minProperties": 1,
    }

    def __init__(self, criterion_value: dict[str, float]) -> None:
        super().__init__(criterion_value)
        self.runs = {name: 0 for name in criterion_value}
        self.failed = {name: 0 for name in criterion_value}

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        runs, failed = self.runs, self.failed
        for action in iteration["atomic_actions"]:  # each run, a name repeated in the iteration too
            name = action["name"]
            if name in runs:
                runs[name] += 1
                failed[name] += bool(action.get("failed"))
        self.success = all(self.rate(name) <= limit for name, limit in self.criterion_value.items())
        return self.success

    def rate(self, name: str) -> float:
        """The action's failed runs, in percent of its runs (0 before any)."""
        return 100.0 * self.failed[name] / self.runs[name] if self.runs[name] else 0.0

    def details(self) -> str:
        parts = []
        for name, limit in self.criterion_value.items():
            rate, bound = readable(self.rate(name), limit, unit="%")
            parts.append(f"{name} {rate} <= {bound} ({self.failed[name]} of {self.runs[name]})")
        return f"Failure rate of atomic actions: {', '.join(parts)} - {self.status_of(self.success)}"
