"""SLA plugins: pass criteria checked on every iteration and at the end (the base class)."""

from __future__ import annotations

from typing import Any, ClassVar

from squall import registry


class SLA(registry.Plugin):
    """Base class of SLA criteria.

    ``add_iteration`` sees each iteration result (Rally's shape) as it
    arrives and returns whether the criterion still holds; ``details`` says
    why in one line.
    """

    plugin_kind: ClassVar[str] = "sla"
    #: Whether the criterion can judge from per-report figures (``--results aggregate``), not only from rows.
    AGGREGATE: ClassVar[bool] = False

    def __init__(self, criterion_value: Any) -> None:
        self.criterion_value = criterion_value
        self.success = True

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        """Account one iteration; return the current verdict."""
        raise NotImplementedError

    def add_summary(self, summary: dict[str, Any]) -> bool:
        """Account one worker report's figures in aggregate mode (see
        :func:`squall.task.aggregate.new_summary`); only criteria with ``AGGREGATE`` set can."""
        raise NotImplementedError(f"{self.plugin_name} needs every iteration")

    def add_hook_result(self, result: dict[str, Any]) -> bool:
        """Account one finished hook run; most criteria ignore hooks."""
        return self.success

    def add_leaks(self, leaks: list[dict[str, Any]]) -> bool:
        """Account what the task still owned after the workload; most criteria ignore it."""
        return self.success

    def details(self) -> str:
        """One line explaining the verdict."""
        raise NotImplementedError

    @staticmethod
    def status_of(success: bool) -> str:
        """``Passed`` or ``Failed``."""
        return "Passed" if success else "Failed"

    def result(self) -> dict[str, Any]:
        """``{criterion, success, detail}`` as Rally stores it."""
        return {"criterion": self.plugin_name, "success": self.success, "detail": self.details()}


def readable(*figures: float, unit: str = "") -> list[str]:
    """The figures of a verdict with Rally's two decimals, or more (up to six) where two would show a figure
    that is not zero as 0.00, or two different figures alike: the detail must show why it passed or failed."""
    shown: list[str] = []
    for decimals in range(2, 7):
        shown = [f"{f:.{decimals}f}" for f in figures]
        hidden = any(f != 0 and float(text) == 0 for f, text in zip(figures, shown, strict=True))
        merged = len(set(shown)) < len(set(figures))
        if not hidden and not merged:
            break
    return [text + unit for text in shown]

