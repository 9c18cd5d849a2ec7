"""SLA criteria verdicts, one plugin at a time."""

from __future__ import annotations

from typing import Any

from squall import registry
from squall.task.engine.sla_checker import SLAChecker


def it(duration: float, error: bool = False, atomics: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"duration": duration, "idle_duration": 0.0, "timestamp": 0.0, "error": ["E", "m", ""] if error else [],
            "atomic_actions": atomics or [], "output": {"additive": [], "complete": []}}


def sla(name: str, value: Any) -> Any:
    return registry.get("sla", name)(value)  # type: ignore[call-arg]


def test_failure_rate_bounds() -> None:
    s = sla("failure_rate", {"min": 10, "max": 50})
    assert s.add_iteration(it(1, error=False)) is False  # 0% < min 10%
    assert s.add_iteration(it(1, error=True)) is True  # 50%
    assert s.add_iteration(it(1, error=True)) is False  # 66.7% > 50%
    assert "66.67%" in s.details() and "Failed" in s.details()


def test_default_failure_rate_is_zero() -> None:
    from squall.task.taskfile.normalise import normalise

    absent, empty = (normalise({"Dummy.dummy": [sla]})["subtasks"][0]["workloads"][0]["sla"]
                     for sla in ({}, {"sla": {}}))
    assert absent == {"failure_rate": {"max": 0}} and empty == {}  # Rally's rule: only without an sla section
    checker = SLAChecker(absent)
    assert checker.add_iteration(it(0.1)) is True
    assert checker.add_iteration(it(0.1, error=True)) is False
    assert [r["criterion"] for r in checker.results()] == ["failure_rate"]
    assert checker.passed() is False


def test_max_seconds_per_iteration_counts_every_iteration() -> None:
    s = sla("max_seconds_per_iteration", 1.0)
    assert s.add_iteration(it(0.5)) and s.add_iteration(it(1.0))
    assert s.add_iteration(it(1.5, error=True)) is False


def test_max_avg_duration_ignores_failures() -> None:
    s = sla("max_avg_duration", 1.0)
    s.add_iteration(it(0.5))
    s.add_iteration(it(100.0, error=True))
    assert s.success and abs(s.avg - 0.5) < 1e-9
    s.add_iteration(it(2.0))
    assert not s.success


def test_max_avg_duration_per_atomic() -> None:
    action = lambda name, d: {"name": name, "started_at": 10.0, "finished_at": 10.0 + d, "children": []}  # noqa: E731
    s = sla("max_avg_duration_per_atomic", {"a": 1.0})
    assert s.add_iteration(it(1, atomics=[action("a", 0.5), action("b", 9)]))
    assert not s.add_iteration(it(1, atomics=[action("a", 2.0)]))  # avg 1.25
    assert "a 1.25s <= 1.00s" in s.details()


def test_outliers_after_min_iterations() -> None:
    s = sla("outliers", {"max": 0, "min_iterations": 5, "sigmas": 2})
    for _ in range(10):
        assert s.add_iteration(it(1.0 + 0.01 * (_ % 2)))
    assert s.add_iteration(it(5.0)) is False
    assert s.outliers == 1


def test_performance_degradation() -> None:
    s = sla("performance_degradation", {"max_degradation": 50})
    assert s.add_iteration(it(1.0)) and s.add_iteration(it(1.4))
    assert s.add_iteration(it(1.6)) is False
    assert "60.00%" in s.details()


def test_verdict_figures_show_enough_digits_to_explain_the_verdict() -> None:
    from squall.plugin_api import readable

    assert readable(0.5, 1, unit="s") == ["0.50s", "1.00s"]  # Rally's two decimals where they suffice
    assert readable(0.1004, 0.1, unit="s") == ["0.1004s", "0.1000s"]  # not "0.10s <= 0.10s - Failed"
    assert readable(0.0012, 1.0, unit="s") == ["0.001s", "1.000s"]  # not 0.00s
    assert readable(0, 50, 100, unit="%") == ["0.00%", "50.00%", "100.00%"]  # a true zero stays 0.00
    checker = SLAChecker({"max_seconds_per_iteration": 0.1, "max_avg_duration": 1.0})
    checker.add_iteration({"duration": 0.1004, "error": [], "atomic_actions": [], "idle_duration": 0.0,
                           "timestamp": 0.0})
    details = {r["criterion"]: r["detail"] for r in checker.results()}
    assert details["max_seconds_per_iteration"] == "Maximum seconds per iteration 0.1004s <= 0.1000s - Failed"
    assert details["max_avg_duration"] == "Average duration of one iteration 0.10s <= 1.00s - Passed"


def _request(name: str, took: float, failed: bool = False) -> dict[str, Any]:
    return {"name": name, "started_at": 10.0, "finished_at": 10.0 + took, "failed": failed, "children": []}


def test_percentile_of_one_request_judges_its_runs_only_failed_ones_included() -> None:
    s = sla("percentile", {"p": 95, "max": 0.2, "action": "GET /items"})
    for n in range(100):
        slow = n >= 95  # the slowest 5: p95 lies between the 95th value and the 96th (interpolated, as Rally)
        s.add_iteration(it(9.0, error=slow, atomics=[_request("login", 5.0),
                                                      _request("GET /items", 0.5 if slow else 0.1, failed=slow)]))
    result = s.result()
    assert result["success"] is True, result
    assert result["detail"] == "Percentiles: p95 of GET /items 0.12s <= 0.20s - Passed"
    s.add_iteration(it(9.0, error=True, atomics=[_request("GET /items", 0.5, failed=True)]))  # a 6th slow one
    result = s.result()
    assert result["success"] is False
    assert result["detail"] == "Percentiles: p95 of GET /items 0.50s > 0.20s - Failed"


def test_percentile_bounds_as_a_list_and_of_the_iteration() -> None:
    s = sla("percentile", [{"p": 50, "max": 1.0}, {"p": 99.9, "max": 0.2, "action": "never sent"}])
    for duration in (0.1, 0.2, 3.0):
        s.add_iteration(it(duration))
    assert s.result() == {"criterion": "percentile", "success": True,
                          "detail": "Percentiles: p50 of the iteration 0.20s <= 1.00s, "
                                    "p99.9 of never sent: no values - Passed"}
    s.add_iteration(it(3.0))
    s.add_iteration(it(3.0))  # p50 of 0.1, 0.2, 3, 3, 3 is 3 s
    assert s.result()["success"] is False


def test_percentile_verdict_shows_the_digits_that_explain_it() -> None:
    s = sla("percentile", {"p": 90, "max": 0.1})
    for _ in range(10):
        s.add_iteration(it(0.1004))
    assert s.result()["detail"] == "Percentiles: p90 of the iteration 0.1004s > 0.1000s - Failed"


def test_percentile_live_verdict_can_stop_a_load_before_the_end() -> None:
    s = sla("percentile", {"p": 50, "max": 0.1})
    verdicts = [s.add_iteration(it(1.0)) for _ in range(1000)]
    assert verdicts[:999] == [True] * 999 and verdicts[999] is False  # judged every thousand iterations


def test_percentile_configuration_is_checked() -> None:
    from squall.task.taskfile import validate

    for bad in ({"p": 95}, {"p": 0, "max": 1}, {"p": 101, "max": 1}, {"p": 95, "max": 1, "pct": 2}, []):
        assert validate.plugin_errors("sla", "percentile", bad, "sla.percentile"), bad
    assert not validate.plugin_errors("sla", "percentile", {"p": 99.9, "max": 0.25, "action": "GET /"}, "sla")


def test_failure_rate_per_atomic_counts_every_run_of_each_request() -> None:
    s = sla("max_failure_rate_per_atomic", {"GET /items": 25.0})
    s.add_iteration(it(1, atomics=[_request("GET /items", 0.1), _request("GET /items", 0.1, failed=True)]))
    assert s.success is False and s.rate("GET /items") == 50.0  # both runs of the repeated request count
    for _ in range(3):
        s.add_iteration(it(1, atomics=[_request("login", 0.1, failed=True), _request("GET /items", 0.1)]))
    assert s.success is True  # 1 failure in 5 runs: 20 %
    assert s.details() == ("Failure rate of atomic actions: GET /items 20.00% <= 25.00% (1 of 5) - Passed")


def test_checks_judges_all_checks_together_or_the_worst_one() -> None:
    loose, together, each = (sla("checks", {"min_percent": 90}), sla("checks", {"min_percent": 95}),
                             sla("checks", {"min_percent": 95, "each": True}))
    batch = {"status is 200": [99, 1], "body has id": [90, 10]}
    assert [c.add_iteration(it(1, error=True)) for c in (loose, together, each)] == [True] * 3  # not checks
    assert [c.add_checks(batch) for c in (loose, together, each)] == [True, False, False]
    assert loose.details() == "Checks passed, all checks: 94.50% (189 of 200) >= 90.00% - Passed"
    assert together.details() == "Checks passed, all checks: 94.50% (189 of 200) >= 95.00% - Failed"
    assert each.details() == "Checks passed, worst check 'body has id': 90.00% (90 of 100) >= 95.00% - Failed"
    # Later batches add up: the worst check recovers.
    assert each.add_checks({"body has id": [100, 0]}) is True
    assert each.details() == "Checks passed, worst check 'body has id': 95.00% (190 of 200) >= 95.00% - Passed"
    assert each.result()["success"] is True


def test_checks_fails_a_workload_that_counted_none() -> None:
    checker = SLAChecker({"checks": {"min_percent": 0}})
    assert checker.add_iteration(it(0.1)) is True  # no failed verdict while the load runs
    assert checker.results() == [{"criterion": "checks", "success": False, "detail": "No check was counted - Failed"}]
    assert checker.passed() is False
