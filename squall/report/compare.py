"""Comparison of two runs, workload by workload, with a regression verdict."""

from __future__ import annotations

from typing import Any

METRICS = ("median", "95%ile", "max")
#: The smallest growth of a duration that can be a regression (seconds): below it, timer and scheduler noise.
NOISE_FLOOR = 0.00005
# The spread within a run that a difference between runs must exceed: for the median, half the distance from the
# median to the 90th percentile; for the 95th percentile, the distance from it to the 99th (or to the maximum).
_SPREAD = {"median": ("median", "90%ile", 0.5), "95%ile": ("95%ile", "99%ile", 1.0)}


def _total(wl: dict[str, Any]) -> dict[str, Any]:
    return ((wl.get("statistics") or {}).get("durations") or {}).get("total", {}).get("data", {})


def failure_rate(wl: dict[str, Any]) -> float:
    """Failed iterations in percent."""
    total = wl["total_iteration_count"]
    return 100.0 * wl["failed_iteration_count"] / total if total else 0.0


def change(a: float | None, b: float | None) -> float | None:
    """Relative change from a to b in percent (None when undefined)."""
    if a is None or b is None or a == 0:
        return None
    return 100.0 * (b - a) / a


CONFIG_PARTS = ("args", "runner_type", "runner", "contexts", "sla", "hooks")


def config_differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The parts of two workloads' configurations that differ (their figures may not compare)."""
    def part(wl: dict[str, Any], key: str) -> Any:
        value = wl.get(key)
        return [h.get("config") for h in value or []] if key == "hooks" else value
    return [key for key in CONFIG_PARTS if part(a, key) != part(b, key)]


def _keyed(workloads: list[dict[str, Any]]) -> list[tuple[tuple[str, int], dict[str, Any]]]:
    # The k-th workload of a scenario in one run matches the k-th in the other.
    seen: dict[str, int] = {}
    out = []
    for wl in workloads:
        seen[wl["name"]] = seen.get(wl["name"], 0) + 1
        out.append(((wl["name"], seen[wl["name"]]), wl))
    return out


def allowance(metric: str, da: dict[str, Any], db: dict[str, Any], floor: float = NOISE_FLOOR) -> float:
    """How much ``metric`` may grow between two runs as noise (seconds): the larger of the noise floor and the
    runs' own spread around it (see ``_SPREAD``)."""
    low_key, high_key, share = _SPREAD[metric]
    spreads = []
    for data in (da, db):
        low, high = data.get(low_key), data.get(high_key)
        if high is None and metric == "95%ile":
            high = data.get("max")
        if isinstance(low, int | float) and isinstance(high, int | float):
            spreads.append((high - low) * share)
    return max([floor, *spreads])


def _judged(metric: str, values: dict[str, Any], da: dict[str, Any], db: dict[str, Any], max_degradation: float,
            floor: float) -> str | None:
    """The reason ``metric`` regressed, or None; a growth within the runs' spread is marked as noise."""
    grown = values["change"]
    if grown is None or grown <= max_degradation:
        return None
    values["allowance"] = room = allowance(metric, da, db, floor)
    values["noise"] = values["b"] - values["a"] <= room
    if values["noise"]:
        return None
    return f"{metric} +{grown:.1f}% (+{_ms(values['b'] - values['a'])}, more than the runs' spread {_ms(room)})"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3g} ms"


def compare(task_a: dict[str, Any], task_b: dict[str, Any], max_degradation: float = 10.0,
            max_failure_increase: float = 1.0, noise_floor: float = NOISE_FLOOR) -> dict[str, Any]:
    """Match workloads of two task trees and judge B against A.

    Workloads match by scenario, in order (the k-th of a scenario in A
    with the k-th in B). B regresses when a matched workload's median or
    95th percentile grew by more than ``max_degradation`` percent and by
    more than noise allows (:func:`allowance`: ``noise_floor`` seconds, and
    the spread of each run around that figure), or its failure rate by more
    than ``max_failure_increase`` percentage points.
    """
    wl_a = _keyed([w for s in task_a["subtasks"] for w in s["workloads"]])
    by_key_b = dict(_keyed([w for s in task_b["subtasks"] for w in s["workloads"]]))
    unmatched_b = len(by_key_b)
    rows = []
    for key, a in wl_a:
        b = by_key_b.get(key)
        if b is None:
            continue
        unmatched_b -= 1
        da, db = _total(a), _total(b)
        metrics: dict[str, dict[str, Any]] = {
            m: {"a": da.get(m), "b": db.get(m), "change": change(da.get(m), db.get(m))} for m in METRICS}
        fa, fb = failure_rate(a), failure_rate(b)
        metrics["failure_rate"] = {"a": fa, "b": fb, "change": fb - fa}
        reasons = [reason for m in ("median", "95%ile")
                   if (reason := _judged(m, metrics[m], da, db, max_degradation, noise_floor)) is not None]
        if fb - fa > max_failure_increase:
            reasons.append(f"failure rate +{fb - fa:.1f} points")
        rows.append({"name": a["name"], "position_a": a["position"], "position_b": b["position"],
                     "iterations_a": a["total_iteration_count"], "iterations_b": b["total_iteration_count"],
                     "metrics": metrics, "regression": bool(reasons), "reasons": reasons,
                     "config_differs": config_differences(a, b)})
    return {
        "a": {"uuid": task_a["uuid"], "title": task_a["title"], "created_at": str(task_a["created_at"])},
        "b": {"uuid": task_b["uuid"], "title": task_b["title"], "created_at": str(task_b["created_at"])},
        "max_degradation": max_degradation,
        "max_failure_increase": max_failure_increase,
        "noise_floor": noise_floor,
        "workloads": rows,
        "unmatched_a": len(wl_a) - len(rows),
        "unmatched_b": unmatched_b,
        "regression": any(r["regression"] for r in rows),
    }
