"""task compare's verdict: a duration's growth is a regression past the threshold and past noise."""

from __future__ import annotations

from typing import Any

import pytest

from squall.report.compare import compare


def _tree(uuid: str, median: float, p90: float, p95: float, p99: float, failed: int = 0) -> dict[str, Any]:
    data = {"median": median, "90%ile": p90, "95%ile": p95, "99%ile": p99, "max": p99 * 2}
    workload = {"name": "HttpRequests.check_request", "position": 0, "total_iteration_count": 1000,
                "failed_iteration_count": failed, "statistics": {"durations": {"total": {"data": data}}}}
    return {"uuid": uuid, "title": uuid, "created_at": "2026-12-06", "subtasks": [{"workloads": [workload]}]}


def test_a_growth_within_the_runs_spread_is_noise_not_a_regression() -> None:
    # Two runs of the same HTTP load on a busy machine: the median moves by 60 %, well inside each run's spread.
    verdict = compare(_tree("a", 0.0010, 0.0040, 0.0060, 0.0100), _tree("b", 0.0016, 0.0050, 0.0066, 0.0110))
    (row,) = verdict["workloads"]
    assert verdict["regression"] is False and row["reasons"] == []
    assert row["metrics"]["median"]["noise"] is True
    assert row["metrics"]["median"]["allowance"] == pytest.approx(0.0017)  # half of B's median to p90


def test_a_growth_beyond_a_tight_spread_is_a_regression_and_says_by_how_much() -> None:
    verdict = compare(_tree("a", 0.0010, 0.0011, 0.0012, 0.0013), _tree("b", 0.0016, 0.0017, 0.0018, 0.0019))
    (row,) = verdict["workloads"]
    assert verdict["regression"] is True
    assert row["reasons"][0] == "median +60.0% (+0.6 ms, more than the runs' spread 0.05 ms)"


def test_growths_under_the_noise_floor_are_noise_and_the_floor_can_be_set() -> None:
    a, b = _tree("a", 0.000010, 0.000011, 0.000012, 0.000013), _tree("b", 0.000020, 0.000021, 0.000022, 0.000023)
    assert compare(a, b)["regression"] is False  # +100 %, but 10 µs: timer noise
    assert compare(a, b, noise_floor=0.000001)["regression"] is True


def test_failures_need_no_spread() -> None:
    verdict = compare(_tree("a", 0.001, 0.002, 0.003, 0.004), _tree("b", 0.001, 0.002, 0.003, 0.004, failed=50))
    assert verdict["regression"] is True and verdict["workloads"][0]["reasons"] == ["failure rate +5.0 points"]
