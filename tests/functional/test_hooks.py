"""Hooks and triggers on the real engine, with every runner."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from squall import exceptions
from squall.api import API
from squall.plugin_api.hook import HookAction
from squall.registry import configure
from squall.report.model import workload_report
from squall.task.engine import hook_executor
from tests.conftest import CLI
from tests.functional.helpers import iterations, only_workload, run_task


def task_with_hooks(hooks: list[dict[str, Any]], runner: dict[str, Any], args: dict[str, Any] | None = None,
                    sla: dict[str, Any] | None = None, scenario: str = "Dummy.dummy") -> str:
    workload: dict[str, Any] = {"scenario": {scenario: args or {}}, "runner": runner, "hooks": hooks}
    if sla:
        workload["sla"] = sla
    return json.dumps({"version": 2, "title": "hooks", "subtasks": [{"title": "h", "workloads": [workload]}]})


def hook(action: dict[str, Any], trigger: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"action": action, "trigger": trigger, "description": description}


RUNNERS = {
    "constant": {"constant": {"times": 60, "concurrency": 4}},
    "serial": {"serial": {"times": 60}},
    "rps": {"rps": {"times": 60, "rps": 200}},
    "constant_for_duration": {"constant_for_duration": {"duration": 0.5, "concurrency": 2}},
}


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_iteration_triggers_fire_at_their_iterations(api: API, runner: str) -> None:
    hooks = [hook({"sys_call": "true"}, {"event": {"unit": "iteration", "at": [1, 7, 30]}}),
             hook({"sys_call": "true"}, {"periodic": {"unit": "iteration", "step": 20, "start": 5, "end": 50}})]
    task = run_task(api, task_with_hooks(hooks, RUNNERS[runner], {"sleep": 0.005}))
    wl = only_workload(task)
    assert wl["total_iteration_count"] >= 45
    event, periodic = wl["hooks"]
    assert [r["triggered_by"] for r in event["results"]] == [
        {"event_type": "iteration", "value": v} for v in (1, 7, 30)]
    assert [r["iteration"] for r in event["results"]] == [1, 7, 30]
    assert [r["triggered_by"]["value"] for r in periodic["results"]] == [5, 25, 45]
    assert event["summary"] == {"success": 3} and periodic["summary"] == {"success": 3}
    # Each triggering iteration's own result is there to match.
    numbers = {it["iteration"] for it in iterations(api, task["uuid"])}
    assert {1, 7, 30, 5, 25, 45} <= numbers


def test_iteration_trigger_fires_when_the_iteration_starts(api: API) -> None:
    hooks = [hook({"sys_call": "true"}, {"event": {"unit": "iteration", "at": [3]}})]
    task = run_task(api, task_with_hooks(hooks, {"serial": {"times": 4}}, {"sleep": 1}))
    (run,) = only_workload(task)["hooks"][0]["results"]
    third = next(it for it in iterations(api, task["uuid"]) if it["iteration"] == 3)
    # Fired during iteration 3, not after it ended.
    assert third["timestamp"] - 0.05 <= run["started_at"] < third["timestamp"] + third["duration"]


def test_time_triggers(api: API) -> None:
    hooks = [hook({"sys_call": "true"}, {"event": {"unit": "time", "at": [0, 1]}}),
             hook({"sys_call": "true"}, {"periodic": {"unit": "time", "step": 1, "end": 2}})]
    task = run_task(api, task_with_hooks(hooks, {"constant_for_duration": {"duration": 2.5, "concurrency": 2}},
                                         {"sleep": 0.01}))
    wl = only_workload(task)
    event, periodic = wl["hooks"]
    assert [r["triggered_by"] for r in event["results"]] == [{"event_type": "time", "value": 0},
                                                             {"event_type": "time", "value": 1}]
    assert [r["triggered_by"]["value"] for r in periodic["results"]] == [0, 1, 2]
    # Time counts from the load's start (every worker ready), which precedes the first iteration.
    origin = wl["load_started_at"]
    assert origin <= min(it["timestamp"] for it in iterations(api, task["uuid"]))
    # A time hook never fires before its moment, and the report draws it at or after that second.
    series = workload_report(api.task.db, wl)["series"]
    assert series["t0"] == origin
    for run in event["results"] + periodic["results"]:
        assert run["started_at"] >= origin + run["triggered_by"]["value"]
        assert run["started_at"] - series["t0"] >= run["triggered_by"]["value"]


def test_hooks_run_in_parallel_with_the_load(api: API) -> None:
    hooks = [hook({"sys_call": "sleep 2"}, {"event": {"unit": "iteration", "at": [2]}})]
    task = run_task(api, task_with_hooks(hooks, {"constant_for_duration": {"duration": 3, "concurrency": 1}},
                                         {"sleep": 0.01}))
    (run,) = only_workload(task)["hooks"][0]["results"]
    assert run["status"] == "success" and run["duration"] >= 2
    during = [it for it in iterations(api, task["uuid"]) if run["started_at"] < it["timestamp"] < run["finished_at"]]
    assert len(during) >= 10  # iterations kept starting while the hook ran


def test_sys_call_failure_timeout_and_outputs(api: API, tmp_path: Path) -> None:
    charts = tmp_path / "charts.sh"
    charts.write_text('#!/bin/sh\necho \'{"additive": [], "complete": [{"title": "t", "chart_plugin": "Lines", '
                      '"data": [["a", [[1, 2]]]]}]}\'\n')
    charts.chmod(0o755)
    hooks = [hook({"sys_call": "/bin/echo 123"}, {"event": {"unit": "iteration", "at": [1]}}),
             hook({"sys_call": "sh -c 'echo oops; exit 3'"}, {"event": {"unit": "iteration", "at": [1]}}),
             hook({"sys_call": {"cmd": "sleep 30", "timeout": 0.3}}, {"event": {"unit": "iteration", "at": [1]}}),
             hook({"sys_call": str(charts)}, {"event": {"unit": "iteration", "at": [1]}}),
             hook({"sys_call": "/no/such/binary"}, {"event": {"unit": "iteration", "at": [1]}})]
    task = run_task(api, task_with_hooks(hooks, {"serial": {"times": 2}}, {"sleep": 0.5}))
    echo, fail, slow, chart, missing = (h["results"][0] for h in only_workload(task)["hooks"])
    # The seed's own example: bare JSON (123) is text, and the hook succeeds.
    assert echo["status"] == "success"
    assert echo["output"]["complete"][0]["chart_plugin"] == "TextArea"
    assert echo["output"]["complete"][0]["data"] == ["123"]
    assert fail["status"] == "failed" and fail["error"]["description"] == "Subprocess returned 3"
    assert "oops" in fail["error"]["details"]
    assert slow["status"] == "failed" and slow["error"]["exception_name"] == "TimeoutExpired"
    assert slow["duration"] < 5
    assert chart["output"]["complete"][0]["chart_plugin"] == "Lines"
    assert missing["status"] == "failed" and "cannot run /no/such/binary" in missing["error"]["description"]
    assert task["pass_sla"] is True  # failed hooks alone do not fail the task


def test_hooks_sla_fails_the_task(api: API) -> None:
    hooks = [hook({"sys_call": "false"}, {"event": {"unit": "iteration", "at": [1]}})]
    task = run_task(api, task_with_hooks(hooks, {"serial": {"times": 2}}, sla={"hooks": {"max_failed": 0}}))
    verdicts = {r["criterion"]: r for r in only_workload(task)["sla_results"]["sla"]}
    assert verdicts["hooks"]["success"] is False
    assert verdicts["hooks"]["detail"] == "Failed hook runs 1 of 1 <= 0 - Failed"
    assert task["pass_sla"] is False


@configure(name="test_hang_forever")
class HangingHook(HookAction):
    """A hook that never returns by itself (tests only)."""

    CONFIG_SCHEMA = {"type": "null"}

    def run(self) -> None:
        time.sleep(3600)


def test_a_hanging_hook_is_bounded(api: API, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hook_executor, "WAIT_SECONDS", 0.5)
    hooks = [hook({"test_hang_forever": None}, {"event": {"unit": "iteration", "at": [1]}})]
    started = time.monotonic()
    task = run_task(api, task_with_hooks(hooks, {"serial": {"times": 1}}))
    assert time.monotonic() - started < 60
    (run,) = only_workload(task)["hooks"][0]["results"]
    assert run["status"] == "failed" and run["error"]["exception_name"] == "HookTimeout"


def test_abort_stops_triggers(api: API) -> None:
    hooks = [hook({"sys_call": "true"}, {"periodic": {"unit": "iteration", "step": 1}})]
    text = task_with_hooks(hooks, {"serial": {"times": 1000}},
                           {"sleep": 0.001, "from_iteration": 20, "to_iteration": 1000}, scenario="Dummy.failure")
    task = run_task(api, text, abort_on_sla_failure=True)
    wl = only_workload(task)
    runs = wl["hooks"][0]["results"]
    assert wl["total_iteration_count"] < 1000
    assert max(r["triggered_by"]["value"] for r in runs) <= wl["total_iteration_count"]


def test_bad_hook_configs_are_rejected_with_paths(api: API) -> None:
    bad = task_with_hooks([
        hook({"sys_cal": "true"}, {"event": {"unit": "iteration", "at": [1]}}),
        hook({"sys_call": "true"}, {"event": {"unit": "iteration", "at": [0]}}),
        hook({"sys_call": 5}, {"periodic": {"unit": "time"}}),
    ], {"serial": {"times": 1}})
    with pytest.raises(exceptions.InvalidTaskError) as info:
        api.task.validate(config=bad)
    errors = info.value.errors
    assert any(e.startswith("subtasks[0].workloads[0].hooks[0].action.sys_cal: unknown hook plugin") for e in errors)
    assert "subtasks[0].workloads[0].hooks[1].trigger.event.at[0]: 0 is less than the minimum of 1" in errors
    assert any(e.startswith("subtasks[0].workloads[0].hooks[2].action.sys_call: 5 is not of type") for e in errors)
    assert "subtasks[0].workloads[0].hooks[2].trigger.periodic: 'step' is a required property" in errors


def test_v1_hooks_and_old_hook_section_run(api: API) -> None:
    # The shape of hook-and-trigger-plugins.rst (its users context needs OpenStack, so it is left out here).
    v1 = {"Dummy.dummy": [{
        "args": {"sleep": 0.001},
        "runner": {"type": "constant", "times": 300, "concurrency": 1},
        "hooks": [{"name": "sys_call", "args": "/bin/echo 123",
                   "trigger": {"name": "event", "args": {"unit": "iteration", "at": [5, 50, 200, 1000]}}}],
    }]}
    task = run_task(api, json.dumps(v1))
    runs = only_workload(task)["hooks"][0]["results"]
    assert [r["triggered_by"]["value"] for r in runs] == [5, 50, 200]
    # The shape of hooks-task-section.rst, with harmless commands and its misspelt "pereodic".
    old = {"Dummy.dummy": [{
        "args": {"sleep": 0.001},
        "runner": {"type": "constant", "times": 100, "concurrency": 10},
        "hook": {"iterations": {
            "20": [{"example_hook": {"cmd": "true"}}, {"example_hook": {"cmd": "true"}}],
            "40": [{"example_hook": {"cmd": "true"}}, {"example_hook": {"cmd": "false"}}],
            "pereodic": {"10": [{"example_hook": {"cmd": "true"}}, {"example_hook": {"cmd": "true"}}]},
        }},
    }]}
    task = run_task(api, json.dumps(old))
    flat = api.task.hooks(task_id=task["uuid"])
    assert sorted((r["iteration"], r["status"]) for r in flat if r["triggered_by"]["value"] in (20, 40)
                  and r["description"].startswith("at")) == [(20, "success"), (20, "success"),
                                                              (40, "failed"), (40, "success")]
    periodic = [r["iteration"] for r in flat if r["description"] == "every 10 iterations"]
    assert sorted(periodic) == sorted([10, 20, 30, 40, 50, 60, 70, 80, 90, 100] * 2)
    assert {"hook", "iteration", "started_at", "finished_at", "action", "status"} <= set(flat[0])


def test_hooks_in_every_output(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(task_with_hooks([
        hook({"sys_call": "true"}, {"event": {"unit": "iteration", "at": [2]}}, "ok hook"),
        hook({"sys_call": "false"}, {"periodic": {"unit": "iteration", "step": 2}}, "bad hook"),
    ], {"serial": {"times": 4}}))
    out = cli("task", "start", str(path), check=True).stdout
    assert "Hooks" in out and "iteration 2" in out
    flat = json.loads(cli("task", "hooks", "--json", check=True).stdout)
    assert [(r["iteration"], r["status"]) for r in flat if r["description"] == "bad hook"] == [
        (1, "failed"), (3, "failed")]
    doc = json.loads(cli("task", "export", check=True).stdout)
    hooks = doc["tasks"][0]["subtasks"][0]["workloads"][0]["hooks"]
    # Rally's stored form of a hook, [name, args] pairs (docs/rally-compat.md says why).
    assert hooks[1]["config"] == {"description": "bad hook", "action": ["sys_call", "false"],
                                  "trigger": ["periodic", {"unit": "iteration", "step": 2}]}
    assert hooks[1]["summary"] == {"failed": 2}
    assert set(hooks[0]["results"][0]) >= {"status", "started_at", "finished_at", "triggered_by"}
    junit = tmp_path / "j.xml"
    cli("task", "export", "--type", "junit-xml", "--to", str(junit), check=True)
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "4"  # the workload and 3 hook runs
    assert suite.get("failures") == "2"
