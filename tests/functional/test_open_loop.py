"""Open-loop load and honest latency: a stalled server costs every request that was due, not only those in flight.

A closed loop (Rally's and Locust's model) stops sending while the server
stalls, so only the requests in flight see the stall: coordinated omission.
The ``rps`` runner keeps a schedule; squall records how late each iteration
started (``start_lag``) and so the latency from its due time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from squall.api import API
from tests.functional.helpers import iterations, only_workload, run_task, v2_task
from tests.stalling import serve

STALL = 1.0  # seconds the server stops answering, once
STALL_AT = 100  # the request that starts the stall
SLOTS = 10


@pytest.fixture
def stalling() -> Iterator[Any]:
    """An HTTP server on 127.0.0.1 that stops answering for STALL seconds from its STALL_AT-th request on."""
    server = serve(STALL_AT, STALL)
    yield server
    server.shutdown()
    server.server_close()


def _run(api: API, url: str, runner: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    task = run_task(api, v2_task("HttpRequests.check_request", {"url": url, "method": "GET", "status_code": 200},
                                 runner=runner, sla={"failure_rate": {"max": 0}}))
    its = sorted(iterations(api, task["uuid"]), key=lambda it: it["iteration"])
    return only_workload(task), its


def test_open_loop_counts_the_wait_of_requests_due_during_a_stall(api: API, stalling: Any) -> None:
    rate = 200
    wl, its = _run(api, stalling.url, {"rps": {"times": 600, "rps": rate, "max_concurrency": SLOTS}})
    assert len(its) == 600 and all(not it["error"] for it in its)
    stall_start, stall_end = stalling.stall
    first = its[0]
    schedule_zero = first["timestamp"] - first["start_lag"]
    due = {it["iteration"]: schedule_zero + (it["iteration"] - 1) / rate for it in its}
    during = [it for it in its if stall_start <= due[it["iteration"]] < stall_end]
    assert len(during) > 100
    # No request due during the stall can be answered before it ends: the latency counted from its due time
    # covers the rest of the stall, also for the ones that could only start once a slot was free again.
    for it in during:
        assert it["start_lag"] + it["duration"] >= stall_end - due[it["iteration"]] - 0.005, it
    assert sum(1 for it in during if it["start_lag"] + it["duration"] > STALL / 2) >= 50
    schedule = wl["statistics"]["schedule"]
    assert schedule["max_concurrency"] == SLOTS  # every slot was busy: the generator says so
    assert schedule["late"] >= len(during) - SLOTS - 10
    assert schedule["from_schedule"]["max"] >= stall_end - min(due[it["iteration"]] for it in during) - 0.005
    assert schedule["start_lag"]["iteration_count"] == 600


def test_closed_loop_sees_the_stall_only_in_the_requests_in_flight(api: API, stalling: Any) -> None:
    wl, its = _run(api, stalling.url, {"constant": {"times": 600, "concurrency": SLOTS}})
    assert len(its) == 600 and all("start_lag" not in it for it in its)
    assert "schedule" not in wl["statistics"]
    stall_start, stall_end = stalling.stall
    # While the server stalls no request ends, so no slot frees and none starts: at most SLOTS of them
    # overlap the stall; every other request looks fast, whatever was due meanwhile.
    overlapping = [it for it in its if it["timestamp"] < stall_end - 0.01
                   and it["timestamp"] + it["duration"] > stall_start + 0.01]
    assert 0 < len(overlapping) <= SLOTS


def test_an_open_loop_with_a_ramp_starts_nothing_before_it_is_due(api: API) -> None:
    from squall.plugin_api.runner import RateSchedule, ramp_segments

    server = serve(10**9, 0)  # never stalls
    try:
        ramp = {"start": 100, "end": 300, "step": 100, "duration": 1}
        wl, its = _run(api, server.url, {"rps": {"times": 600, "rps": ramp, "max_concurrency": SLOTS}})
    finally:
        server.shutdown()
        server.server_close()
    assert [it["iteration"] for it in its] == list(range(1, 601)) and all(not it["error"] for it in its)
    schedule = RateSchedule(ramp_segments(ramp))
    zero = min(it["timestamp"] - it["start_lag"] for it in its)  # the load's start, as the workers saw it
    for it in its:
        due = zero + schedule.offset(it["iteration"] - 1)
        assert it["timestamp"] >= due - 0.002, it  # never early (the clocks' reading differs by microseconds)
        # Its lag never claims more delay than its start had (measured just before the start's timestamp).
        assert it["timestamp"] - it["start_lag"] >= due - 0.002, it
    assert wl["statistics"]["schedule"]["start_lag"]["iteration_count"] == 600
