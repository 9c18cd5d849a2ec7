"""SLA plugins: pass criteria checked on every iteration and at the end (the base class)."""

from __future__ import annotations

from typing import Any, ClassVar, TypedDict

from squall import registry


class SLAFigures(TypedDict):
    """What a criterion that supports aggregate mode reads of a worker's report: exact counts, sums and
    extremes of the iterations it folded (successful ones, ``ok_*``), and each atomic action's
    ``[total seconds, count]`` over the successful iterations, by Rally's numbered names."""

    count: int
    failed: int
    ok_count: int
    ok_sum: float
    ok_min: float | None
    ok_max: float | None
    max: float
    atomics_ok: dict[str, list[float]]


def new_figures() -> SLAFigures:
    """Figures of no iteration."""
    return {"count": 0, "failed": 0, "ok_count": 0, "ok_sum": 0.0, "ok_min": None, "ok_max": None, "max": 0.0,
            "atomics_ok": {}}


def block_figures(name: str, durations: Any, took: Any) -> SLAFigures:
    """Figures of a block of successful iterations of one atomic action ``name`` (numpy arrays of the
    iterations' durations and of the action's)."""
    count = len(durations)
    low, high = float(durations.min()), float(durations.max())
    return {"count": count, "failed": 0, "ok_count": count, "ok_sum": float(durations.sum()), "ok_min": low,
            "ok_max": high, "max": high, "atomics_ok": {name: [float(took.sum()), count]}}


def merge_figures(into: SLAFigures, other: SLAFigures) -> None:
    """Add ``other``'s figures to ``into``."""
    for key in ("count", "failed", "ok_count"):
        into[key] += other[key]  # type: ignore[literal-required]
    into["ok_sum"] += other["ok_sum"]
    into["max"] = max(into["max"], other["max"])
    for key, pick in (("ok_min", min), ("ok_max", max)):
        theirs, mine = other[key], into[key]  # type: ignore[literal-required]
        if theirs is not None:
            into[key] = theirs if mine is None else pick(mine, theirs)  # type: ignore[literal-required]
    for name, (total, count) in other["atomics_ok"].items():
        entry = into["atomics_ok"].setdefault(name, [0.0, 0])
        entry[0] += total
        entry[1] += count


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

    def add_summary(self, summary: SLAFigures) -> bool:
        """Account one worker report's figures in aggregate mode; only criteria with ``AGGREGATE`` set can."""
        raise NotImplementedError(f"{self.plugin_name} needs every iteration")

    def add_hook_result(self, result: dict[str, Any]) -> bool:
        """Account one finished hook run; most criteria ignore hooks."""
        return self.success

    def add_leaks(self, leaks: list[dict[str, Any]]) -> bool:
        """Account what the task still owned after the workload; most criteria ignore it."""
        return self.success

    def add_checks(self, counts: dict[str, list[int]]) -> bool:
        """Account the named checks a batch counted (name -> [passed, failed]); most criteria ignore them."""
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

