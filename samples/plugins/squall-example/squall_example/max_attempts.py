"""SLA ``max_failed_attempts``: at most this many failed ``echo.attempt`` actions in the whole workload."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api import SLA, configure


@configure(name="max_failed_attempts")
class MaxFailedAttempts(SLA):
    """Fails once more than ``criterion_value`` atomic actions named ``echo.attempt`` have failed."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "integer", "minimum": 0}

    def __init__(self, criterion_value: Any) -> None:
        super().__init__(criterion_value)
        self.failed = 0

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        self.failed += sum(1 for action in iteration["atomic_actions"]
                           if action["name"] == "echo.attempt" and action.get("failed"))
        self.success = self.failed <= self.criterion_value
        return self.success

    def details(self) -> str:
        return (f"Failed echo attempts {self.failed} <= {self.criterion_value} - "
                f"{self.status_of(self.success)}")
