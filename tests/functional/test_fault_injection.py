"""fault_injection freezes a real server during a load; the history records it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from squall.api import API
from tests.conftest import free_port
from tests.functional.helpers import iterations, only_workload


@pytest.fixture
def victim() -> tuple[subprocess.Popen[bytes], int, str]:
    """A real HTTP server process with a unique marker in its command line."""
    port, marker = free_port(), f"squall-victim-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen([sys.executable, "-c", f"import http.server, sys; sys.argv[0] = '{marker}'; "
                             f"http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, "
                             f"ServerClass=http.server.ThreadingHTTPServer, port={port}, bind='127.0.0.1')",
                             marker], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield proc, port, marker
    subprocess.run(["pkill", "-CONT", "-f", marker])
    proc.kill()
    proc.wait()


def test_freeze_and_resume_a_process_during_a_load(api: API, victim: tuple) -> None:
    _, port, marker = victim
    api.env.create(name="lab", spec={"nodes": [{"id": 1, "name": "local", "roles": ["web"]}]})
    task = {"version": 2, "title": "fault", "subtasks": [{"title": "f", "workloads": [{
        "scenario": {"HttpRequests.check_request": {"url": f"http://127.0.0.1:{port}/", "method": "GET",
                                                    "status_code": 200}},
        "runner": {"constant_for_duration": {"duration": 6, "concurrency": 2, "timeout": 1.0}},
        "sla": {"failure_rate": {"max": 100}},
        "hooks": [
            {"action": {"fault_injection": {"action": "kill-stop", "process": marker, "roles": ["web"]}},
             "trigger": {"event": {"unit": "time", "at": [1]}}},
            {"action": {"fault_injection": {"action": "kill-cont", "process": marker, "nodes": [1]}},
             "trigger": {"event": {"unit": "time", "at": [4]}}},
        ]}]}]}
    created = api.task.create(config=json.dumps(task))
    api.task.start(task_id=created["uuid"])
    wl = only_workload(api.task.get(task_id=created["uuid"]))
    stop_hook, cont_hook = (h["results"][0] for h in wl["hooks"])
    assert stop_hook["status"] == "success" and cont_hook["status"] == "success"
    its = iterations(api, created["uuid"])
    frozen_from, frozen_to = stop_hook["finished_at"], cont_hook["started_at"]
    # The timeout (1 s) is generous so a busy machine does not fail requests outside the freeze.
    during = [it for it in its if frozen_from + 0.05 < it["timestamp"] < frozen_to - 1.05]
    before = [it for it in its if it["timestamp"] + it["duration"] < stop_hook["started_at"]]
    after = [it for it in its if it["timestamp"] > cont_hook["finished_at"] + 0.5]
    assert during and all(it["error"] for it in during)  # frozen: every request timed out
    assert before and not any(it["error"] for it in before)
    assert after and not any(it["error"] for it in after)  # resumed
    # The audit trail: two fault runs, one row each on node 1.
    faults = [r for r in api.deployment.runs() if r["kind"] == "fault"]
    assert [r["name"] for r in faults] == [f"kill-stop:{marker}", f"kill-cont:{marker}"]
    rows = api.deployment.history(run_id=faults[0]["id"])
    assert [(r["node_id"], r["status"]) for r in rows] == [(1, "ready")]
    assert rows[0]["time_start"] >= stop_hook["started_at"] - 0.01
    assert rows[0]["summary"]["command"].startswith("exec pkill -STOP -f")


def test_fault_on_a_missing_process_fails_the_hook(api: API) -> None:
    api.env.create(name="lab", spec={"nodes": [{"id": 1, "name": "local"}]})
    task = {"Dummy.dummy": [{"runner": {"type": "serial", "times": 2},
                             "hooks": [{"name": "fault_injection",
                                        "args": {"action": "kill-stop", "process": "no-such-process-xyz-42"},
                                        "trigger": {"name": "event", "args": {"unit": "iteration", "at": [1]}}}]}]}
    created = api.task.create(config=json.dumps(task))
    api.task.start(task_id=created["uuid"])
    (run,) = only_workload(api.task.get(task_id=created["uuid"]))["hooks"][0]["results"]
    assert run["status"] == "failed" and run["error"]["exception_name"] == "FaultActionFailed"
    with pytest.raises(Exception, match="service"):
        api.task.validate(config=json.dumps({"Dummy.dummy": [{"hooks": [{
            "name": "fault_injection", "args": {"action": "restart"},
            "trigger": {"name": "event", "args": {"unit": "iteration", "at": [1]}}}]}]}))
