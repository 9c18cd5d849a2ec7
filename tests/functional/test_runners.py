"""Every runner, run for real in worker processes."""

from __future__ import annotations

import math
from typing import Any

import pytest

from squall.api import API
from squall.plugin_api.runner import Stages
from tests.functional.helpers import counting_server, iterations, only_workload, run_task, v2_task


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


def _running_at(its: list[dict[str, Any]], moment: float) -> int:
    return sum(1 for it in its if it["timestamp"] <= moment < it["timestamp"] + it["duration"])


@pytest.mark.parametrize("on_callbacks", [False, True])
def test_ramping_vus_let_users_in_by_the_stages_and_reach_the_target(api: API, on_callbacks: bool) -> None:
    stages = [{"duration": 2, "target": 4}, {"duration": 1.5, "target": 4}]
    runner = {"ramping_vus": {"stages": stages}}
    with counting_server() as (base, seen):
        if on_callbacks:  # a journey's iterations, each user a chain of callbacks: the same ramp
            steps = [{"name": "slow", "url": "/slow"}, {"name": "slow 2", "url": "/slow"}]
            journey = {"base_url": base, "steps": steps}
            task = run_task(api, v2_task("HttpJourney.run", journey, runner=runner))
        else:
            task = run_task(api, v2_task("Dummy.dummy", {"sleep": 0.1}, runner=runner))
    wl = only_workload(task)
    assert seen["/slow"] == (2 * wl["total_iteration_count"] if on_callbacks else 0)
    assert task["status"] == "finished" and wl["failed_iteration_count"] == 0
    its = sorted(iterations(api, task["uuid"]), key=lambda it: it["timestamp"])
    t0 = its[0]["timestamp"]  # user 0 starts at once
    ramp = Stages(0, ((2.0, 4.0), (1.5, 4.0)))
    for it in its:  # never early: at each start, no more users at work than the stages had let in by then
        moment = it["timestamp"]
        assert _running_at(its, moment) <= math.ceil(ramp.at(moment - t0 + 0.02)), moment - t0
    assert max(_running_at(its, it["timestamp"]) for it in its) == 4  # the hold reaches the target
    assert all(it["timestamp"] - t0 < 3.5 + 0.05 for it in its)  # none starts after the last stage


def test_ramping_arrival_rate_starts_the_stages_iterations_never_early(api: API) -> None:
    stages = [{"duration": 1, "target": 50}, {"duration": 1, "target": 50}]
    task = run_task(api, v2_task("Dummy.dummy", runner={"ramping_arrival_rate": {"stages": stages,
                                                                                 "max_concurrency": 20}}))
    wl = only_workload(task)
    assert wl["total_iteration_count"] == 75  # 25 while the rate ramps from 0 to 50 a second, then 50
    starts = sorted(it["timestamp"] for it in iterations(api, task["uuid"]))
    t0 = starts[0]
    # By half a second in, the ramp has made 0.5 * 25 / 2 ≈ 6 iterations due: none may have started earlier.
    assert sum(1 for s in starts if s - t0 < 0.5) <= 8
    assert wl["statistics"]["schedule"]["start_lag"]["iteration_count"] == 75


def test_rps_for_a_duration_instead_of_times(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", runner={"rps": {"rps": 40, "duration": 1}}))
    count = only_workload(task)["total_iteration_count"]
    assert task["status"] == "finished" and 1 <= count <= 40  # due at 0, 1/40, ... 39/40 s; none due later


def test_stage_runners_refuse_stages_that_run_nothing(api: API) -> None:
    from squall import exceptions

    for runner in ({"ramping_vus": {"stages": [{"duration": 0, "target": 3}]}},
                   {"ramping_vus": {"stages": [{"duration": 5, "target": 0}]}},
                   {"ramping_arrival_rate": {"stages": [{"duration": 1, "target": 1}]}}):
        with pytest.raises(exceptions.InvalidTaskError) as caught:
            api.task.create(config=v2_task("Dummy.dummy", runner=runner))
        assert "stages" in str(caught.value), caught.value
