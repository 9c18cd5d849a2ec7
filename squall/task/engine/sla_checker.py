"""Every SLA criterion of one workload, fed each iteration, hook run and leak check, plus squall's own verdicts."""

from __future__ import annotations

from typing import Any, cast

from squall import registry
from squall.plugin_api.sla import SLA, SLAFigures


def needs_rows(config: dict[str, Any]) -> list[str]:
    """The criteria of an ``sla`` section that cannot judge from aggregate figures."""
    return [name for name in config if not getattr(registry.get("sla", name), "AGGREGATE", False)]


class SLAChecker:
    """All criteria of one workload, plus the verdicts squall adds itself."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.criteria: list[SLA] = [
            cast(type[SLA], registry.get("sla", name))(value)
            for name, value in config.items()
        ]
        self.extra: list[dict[str, Any]] = []

    def judges_from_sums(self) -> bool:
        """Whether every criterion can take figures (:meth:`add_summary`) instead of each iteration."""
        return all(getattr(criterion, "AGGREGATE", False) for criterion in self.criteria)

    # Every criterion sees every event: a list, not a short-circuiting generator.
    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        """Feed one iteration to every criterion; False once any fails."""
        return all([criterion.add_iteration(iteration) for criterion in self.criteria])

    def add_summary(self, summary: SLAFigures) -> bool:
        """Feed one aggregate report's figures to every criterion; False once any fails."""
        return all([criterion.add_summary(summary) for criterion in self.criteria])

    def add_hook_result(self, result: Any) -> bool:
        """Feed one hook run to every criterion; False once any fails."""
        return all([criterion.add_hook_result(result) for criterion in self.criteria])

    def add_leaks(self, leaks: list[dict[str, Any]]) -> bool:
        """Feed the post-workload leak check to every criterion; False when any fails."""
        return all([criterion.add_leaks(leaks) for criterion in self.criteria])

    def add_checks(self, counts: dict[str, list[int]]) -> bool:
        """Feed one batch's check counts to every criterion; False once any fails."""
        return all([criterion.add_checks(counts) for criterion in self.criteria])

    def add_extra(self, criterion: str, success: bool, detail: str) -> None:
        """Record a verdict that is not a plugin (abort, crash, no iterations)."""
        self.extra.append({"criterion": criterion, "success": success, "detail": detail})

    def results(self) -> list[dict[str, Any]]:
        """Every verdict, plugins first."""
        return [c.result() for c in self.criteria] + self.extra

    def passed(self) -> bool:
        """True when every verdict is a pass."""
        return all(r["success"] for r in self.results())
