"""Every runner, run for real in worker processes."""

from __future__ import annotations

from squall.api import API
from tests.functional.helpers import iterations, only_workload, run_task, v2_task


def test_constant_runs_exactly_times_iterations_numbered_once(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", runner={"constant": {"times": 500, "concurrency": 7}}))
    wl = only_workload(task)
    assert task["status"] == "finished" and task["pass_sla"] is True
    assert wl["total_iteration_count"] == 500 and wl["failed_iteration_count"] == 0
    numbers = sorted(it["iteration"] for it in iterations(api, task["uuid"]))
    assert numbers == list(range(1, 501))


def test_constant_concurrency_is_respected(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", {"sleep": 0.2},
                                 runner={"constant": {"times": 8, "concurrency": 4}}))
    its = iterations(api, task["uuid"])
    # With 4 slots and 0.2 s iterations, at most 4 overlap at any instant.
    events = sorted([(it["timestamp"], 1) for it in its] + [(it["timestamp"] + it["duration"], -1) for it in its])
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    assert peak == 4


def test_max_cpu_count_one_still_runs_all(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", runner={"constant": {"times": 50, "concurrency": 5,
                                                                      "max_cpu_count": 1}}))
    assert only_workload(task)["total_iteration_count"] == 50


def test_serial_runs_one_after_another(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", {"sleep": 0.05}, runner={"serial": {"times": 4}}))
    its = sorted(iterations(api, task["uuid"]), key=lambda i: i["iteration"])
    for a, b in zip(its, its[1:], strict=False):
        assert b["timestamp"] >= a["timestamp"] + a["duration"]


def test_constant_for_duration_stops_starting_iterations(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", {"sleep": 0.05},
                                 runner={"constant_for_duration": {"duration": 0.6, "concurrency": 2}}))
    its = iterations(api, task["uuid"])
    first = min(it["timestamp"] for it in its)
    assert len(its) >= 2
    assert all(it["timestamp"] - first < 0.6 + 0.05 for it in its)


def test_rps_spreads_starts_over_time(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", runner={"rps": {"times": 20, "rps": 20}}))
    its = sorted(iterations(api, task["uuid"]), key=lambda i: i["iteration"])
    assert len(its) == 20
    # Iteration 20 is due 0.95 s after the first; it can start late, never early.
    assert its[-1]["timestamp"] - its[0]["timestamp"] >= 0.95 - 0.02


def test_rps_ramp(api: API) -> None:
    runner = {"rps": {"times": 6, "rps": {"start": 2, "end": 4, "step": 2, "duration": 1}}}
    task = run_task(api, v2_task("Dummy.dummy", runner=runner))
    its = sorted(iterations(api, task["uuid"]), key=lambda i: i["iteration"])
    t0 = its[0]["timestamp"]
    # Due at 0, 0.5, then 4/s: 1.0, 1.25, 1.5, 1.75.
    assert its[2]["timestamp"] - t0 >= 1.0 - 0.02
    assert its[5]["timestamp"] - t0 >= 1.75 - 0.02


def test_timeout_fails_the_iteration_not_the_run(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", {"sleep": 3},
                                 runner={"constant": {"times": 3, "concurrency": 3, "timeout": 0.3}},
                                 sla={"failure_rate": {"max": 100}}))
    wl = only_workload(task)
    assert wl["total_iteration_count"] == 3 and wl["failed_iteration_count"] == 3
    its = iterations(api, task["uuid"])
    assert {it["error"][0] for it in its} == {"ThreadTimeoutException"}
    assert task["status"] == "finished"
    assert wl["full_duration"] < 3  # interrupted, not waited for


def test_timeout_in_rps_runner(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", {"sleep": 2},
                                 runner={"rps": {"times": 2, "rps": 10, "timeout": 0.2}},
                                 sla={"failure_rate": {"max": 100}}))
    assert only_workload(task)["failed_iteration_count"] == 2
