"""Two verifications side by side: what broke, what was fixed, what is new, gone or now skipped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from squall.verify.results import TestResult

PASSING = ("success", "xfail")


def _index(results: Iterable[TestResult]) -> dict[str, TestResult]:
    return {r["name"]: r for r in results}


def compare(a: Iterable[TestResult], b: Iterable[TestResult], duration_change: float = 50.0,
            min_duration: float = 0.1) -> dict[str, Any]:
    """B against A; ``regression`` when a test that passed in A fails (or passes unexpectedly) in B.

    Duration changes count when a test took ``min_duration`` seconds or more
    in either run and changed by more than ``duration_change`` percent.
    """
    old, new = _index(a), _index(b)
    out: dict[str, list[Any]] = {"new_failures": [], "fixed": [], "new": [], "gone": [], "now_skipped": [],
                                 "duration_changes": []}
    for name, r in new.items():
        before = old.get(name)
        if before is None:
            out["new"].append({"name": name, "status": r["status"]})
            continue
        was, now = before["status"], r["status"]
        if was in PASSING and now in ("fail", "uxsuccess"):
            out["new_failures"].append({"name": name, "was": was, "now": now, "traceback": r.get("traceback", "")})
        elif was == "fail" and now in PASSING:
            out["fixed"].append({"name": name, "was": was, "now": now})
        elif now == "skip" and was != "skip":
            out["now_skipped"].append({"name": name, "was": was, "reason": r.get("reason", "")})
        d0, d1 = float(before.get("duration") or 0), float(r.get("duration") or 0)
        if max(d0, d1) >= min_duration and d0 > 0 and abs(d1 - d0) / d0 * 100 > duration_change:
            out["duration_changes"].append({"name": name, "a": d0, "b": d1, "change": (d1 - d0) / d0 * 100})
    out["gone"] = [{"name": n, "status": r["status"]} for n, r in old.items() if n not in new]
    for key in out:
        out[key].sort(key=lambda item: item["name"])
    return {**out, "regression": bool(out["new_failures"])}
