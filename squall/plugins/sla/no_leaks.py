"""``no_leaks``: fail the workload when the task still owns resources after its clean-up."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.sla import SLA, SLAFigures
from squall.registry import JSON_SCHEMA, configure


@configure(name="no_leaks")
class NoLeaksSLA(SLA):
    """``no_leaks: true``: after the workload and its contexts are cleaned up, nothing of the task may remain.

    squall lists what the task still owns on the environment's platforms after
    every workload (the leak check); this criterion turns a non-empty list
    into a failure. ``false`` records the check without judging it.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"$schema": JSON_SCHEMA, "type": "boolean"}

    def __init__(self, criterion_value: bool) -> None:
        super().__init__(criterion_value)
        self.leaks: list[dict[str, Any]] | None = None

    AGGREGATE = True

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        return self.success

    def add_summary(self, summary: SLAFigures) -> bool:
        return self.success

    def add_leaks(self, leaks: list[dict[str, Any]]) -> bool:
        self.leaks = leaks
        self.success = not (self.criterion_value and leaks)
        return self.success

    def details(self) -> str:
        if self.leaks is None:
            return "Leak check did not run - Passed"
        if not self.leaks:
            return "No resources left behind - Passed"
        shown = ", ".join(f"{leak.get('type')} {leak.get('name') or leak.get('id')}" for leak in self.leaks[:5])
        more = f" and {len(self.leaks) - 5} more" if len(self.leaks) > 5 else ""
        return f"{len(self.leaks)} resources left behind: {shown}{more} - {self.status_of(self.success)}"
