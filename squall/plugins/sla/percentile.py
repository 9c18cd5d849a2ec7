"""``percentile``: a latency percentile of the iterations, or of one named request or atomic action, under a bound.

squall's threshold in the manner of k6's ``p(95)<200``; Rally has none. Every
iteration (or every run of the action) counts, failed ones included: a
request that failed slowly is latency the user saw.
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.sla import SLA, readable
from squall.plugin_api.values import Values
from squall.registry import JSON_SCHEMA, configure

_BOUND = {
    "type": "object",
    "properties": {
        "p": {"type": "number", "exclusiveMinimum": 0.0, "maximum": 100.0,
              "description": "the percentile, e.g. 95 or 99.9"},
        "max": {"type": "number", "exclusiveMinimum": 0.0, "description": "seconds the percentile may reach"},
        "action": {"type": "string", "minLength": 1,
                   "description": "an atomic action's (a request's) name; the whole iteration when absent"},
    },
    "required": ["p", "max"],
    "additionalProperties": False,
}
_JUDGE_EVERY = 1_000  # values between two live verdicts: a percentile is not worth computing per iteration


class Bound:
    """One ``{p, max, action}`` and the durations it judges."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.fraction = float(spec["p"]) / 100.0
        self.percent = spec["p"]
        self.limit = float(spec["max"])
        self.action: str | None = spec.get("action")
        self.values = Values()
        self.level: float | None = None

    def add(self, iteration: dict[str, Any]) -> None:
        """Account the iteration's duration, or each run of the action in it."""
        if self.action is None:
            self.values.append(iteration["duration"])
            return
        for action in iteration["atomic_actions"]:  # each run, a name repeated in the iteration too
            if action["name"] == self.action:
                finished = action.get("finished_at") or action["started_at"]
                self.values.append(finished - action["started_at"])

    def judge(self) -> bool:
        """The percentile now, against the bound (a pass while nothing was measured)."""
        self.values.compact()
        self.level = self.values.percentile(self.fraction) if len(self.values) else None
        return self.level is None or self.level <= self.limit

    def describe(self) -> str:
        """``p95 of GET /items 0.183s <= 0.2s`` (``no values`` while nothing was measured)."""
        subject = f"p{self.percent:g} of {self.action}" if self.action else f"p{self.percent:g} of the iteration"
        if self.level is None:
            return f"{subject}: no values"
        level, limit = readable(self.level, self.limit, unit="s")
        return f"{subject} {level} {'<=' if self.level <= self.limit else '>'} {limit}"


@configure(name="percentile")
class Percentile(SLA):
    """A percentile of the iteration durations, or of a named atomic action (an HTTP request), must stay at or
    under ``max`` seconds: ``{p: 95, max: 0.2, action: "GET /items"}``, or a list of such bounds.

    Failed iterations count too. The verdict is computed every thousand values while the load runs (for
    ``--abort-on-sla-failure``) and once more at the end.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "oneOf": [_BOUND, {"type": "array", "items": _BOUND, "minItems": 1}],
    }

    def __init__(self, criterion_value: dict[str, Any] | list[dict[str, Any]]) -> None:
        super().__init__(criterion_value)
        specs = criterion_value if isinstance(criterion_value, list) else [criterion_value]
        self.bounds = [Bound(spec) for spec in specs]
        self._seen = 0

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        for bound in self.bounds:
            bound.add(iteration)
        self._seen += 1
        if self._seen % _JUDGE_EVERY == 0:
            self._judge()
        return self.success

    def _judge(self) -> bool:
        self.success = all([bound.judge() for bound in self.bounds])
        return self.success

    def result(self) -> dict[str, Any]:
        self._judge()
        return super().result()

    def details(self) -> str:
        self._judge()
        return f"Percentiles: {', '.join(bound.describe() for bound in self.bounds)} - {self.status_of(self.success)}"
