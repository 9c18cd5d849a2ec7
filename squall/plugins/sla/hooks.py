"""``hooks``: fail the workload when hook runs fail."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from squall.plugin_api.sla import SLA, SLAFigures
from squall.registry import JSON_SCHEMA, configure


@configure(name="hooks")
class HooksSLA(SLA):
    """At most ``max_failed`` hook runs may fail (default 0).

    Without this criterion a failed hook is reported but does not fail the
    task.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {"max_failed": {"type": "integer", "minimum": 0}},
        "additionalProperties": False,
    }

    def __init__(self, criterion_value: dict[str, Any]) -> None:
        super().__init__(criterion_value)
        self.max_failed = int(criterion_value.get("max_failed", 0))
        self.runs = 0
        self.failed = 0
        self._lock = threading.Lock()  # hook runs end in their own threads

    AGGREGATE = True

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        return self.success

    def add_summary(self, summary: SLAFigures) -> bool:
        return self.success

    def add_hook_result(self, result: dict[str, Any]) -> bool:
        with self._lock:
            self.runs += 1
            if result["status"] != "success":
                self.failed += 1
            self.success = self.failed <= self.max_failed
        return self.success

    def details(self) -> str:
        return (f"Failed hook runs {self.failed} of {self.runs} <= {self.max_failed} - "
                f"{self.status_of(self.success)}")
