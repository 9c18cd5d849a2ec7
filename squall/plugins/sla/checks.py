"""``checks``: the share of named checks that passed must stay above a floor (k6's ``checks: rate>X``)."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.sla import SLA, SLAFigures, readable
from squall.registry import JSON_SCHEMA, configure
from squall.results import add_checks


@configure(name="checks")
class ChecksSLA(SLA):
    """At least ``min_percent`` of the checks must pass: all checks together, or each one on its own with
    ``each: true``. A workload that counted no check fails it: the criterion would judge nothing."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "min_percent": {"type": "number", "minimum": 0.0, "maximum": 100.0},
            "each": {"type": "boolean"},
        },
        "required": ["min_percent"],
        "additionalProperties": False,
    }
    AGGREGATE = True

    def __init__(self, criterion_value: dict[str, Any]) -> None:
        super().__init__(criterion_value)
        self.floor = float(criterion_value["min_percent"])
        self.each = bool(criterion_value.get("each", False))
        self.counts: dict[str, list[int]] = {}

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        return self.success

    def add_summary(self, summary: SLAFigures) -> bool:
        return self.success

    def add_checks(self, counts: dict[str, list[int]]) -> bool:
        add_checks(self.counts, counts)
        passed, total, _ = self._judged()
        self.success = self._percent(passed, total) >= self.floor
        return self.success

    @staticmethod
    def _percent(passed: int, total: int) -> float:
        return 100.0 * passed / total if total else 0.0

    def _judged(self) -> tuple[int, int, str]:
        """(passed, total, what) of all checks together, or of the check with the lowest share."""
        if not self.each:
            passed = sum(p for p, _ in self.counts.values())
            return passed, passed + sum(f for _, f in self.counts.values()), "all checks"
        name, (passed, failed) = min(self.counts.items(), key=lambda item: self._percent(item[1][0], sum(item[1])))
        return passed, passed + failed, f"worst check {name!r}"

    def result(self) -> dict[str, Any]:
        if not self.counts:
            self.success = False
        return super().result()

    def details(self) -> str:
        if not self.counts:
            return "No check was counted - Failed"
        passed, total, what = self._judged()
        share, floor = readable(self._percent(passed, total), self.floor, unit="%")
        return (f"Checks passed, {what}: {share} ({passed} of {total}) >= {floor} - "
                f"{self.status_of(self.success)}")
