"""One API suite, run direct and over HTTP against a real service."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from squall import exceptions
from squall.api import API
from tests.api.conftest import wait_final
from tests.conftest import ServiceFactory

TASK = json.dumps({"version": 2, "title": "shared", "tags": ["api"], "subtasks": [{"title": "s", "workloads": [{
    "scenario": {"Dummy.failure": {"sleep": 0.001, "from_iteration": 3, "to_iteration": 4}},
    "runner": {"constant": {"times": 20, "concurrency": 2}},
    "sla": {"failure_rate": {"max": 5}},
    "hooks": [{"action": {"sys_call": "true"}, "trigger": {"event": {"unit": "iteration", "at": [5]}}}]}]}]})


def run(api: API, text: str = TASK) -> dict[str, Any]:
    task = api.task.create(config=text)
    api.task.start(task_id=task["uuid"])  # over HTTP this returns at once
    wait_final(api, task["uuid"])
    return api.task.get(task_id=task["uuid"])


def test_plugins(any_api: API) -> None:
    names = {p["name"] for p in any_api.plugin.list(kind="runner")}
    assert names == {"constant", "constant_for_duration", "rps", "serial",
                     "ramping_vus", "ramping_arrival_rate"}
    assert any_api.plugin.show(name="rps")["schema"]["required"] == ["rps"]
    with pytest.raises(exceptions.PluginNotFoundError) as info:
        any_api.plugin.show(name="nope")
    assert info.value.kwargs == {"kind": "plugin", "name": "nope"}


def test_environments(any_api: API) -> None:
    env = any_api.env.create(name="web", spec={"http": {"base_url": "http://127.0.0.1:9/"}})
    assert any_api.env.get()["uuid"] == env["uuid"]
    with pytest.raises(exceptions.DuplicateError):
        any_api.env.create(name="web")
    with pytest.raises(exceptions.InvalidConfigError) as info:
        any_api.env.create(name="bad", spec={"http": {"base_url": "ftp://x"}})
    assert "http.base_url" in info.value.message
    check = any_api.env.check(env="web")
    assert check["available"] is False and check["platforms"][0]["platform"] == "http"
    any_api.env.delete(env="web")
    with pytest.raises(exceptions.NotFoundError):
        any_api.env.get(env="web")


def test_invalid_task_error_round_trips(any_api: API) -> None:
    with pytest.raises(exceptions.InvalidTaskError) as info:
        any_api.task.validate(config='{"Dummy.dummy": [{"runner": {"type": "constant", "times": 0}}]}')
    assert info.value.errors == ["Dummy.dummy[0].runner.times: 0 is less than the minimum of 1"]
    assert any_api.task.validate(config=TASK)["workloads"] == 1


def test_task_lifecycle(any_api: API) -> None:
    task = run(any_api)
    (wl,) = task["subtasks"][0]["workloads"]
    assert task["status"] == "finished" and task["pass_sla"] is False  # 2 of 20 failed > 5 %
    assert wl["total_iteration_count"] == 20 and wl["failed_iteration_count"] == 2
    verdicts = any_api.task.sla_check(task_id=task["uuid"])
    assert verdicts["pass_sla"] is False and verdicts["verdicts"][0]["criterion"] == "failure_rate"
    (hook,) = any_api.task.hooks(task_id=task["uuid"])
    assert hook["iteration"] == 5 and hook["status"] == "success"
    doc = json.loads(any_api.results.export(task_ids=[task["uuid"]], type="json")["content"])
    assert len(doc["tasks"][0]["subtasks"][0]["workloads"][0]["data"]) == 20
    assert any_api.results.report(task_ids=[task["uuid"]])["content"].startswith("<!DOCTYPE html>")
    assert [t["uuid"] for t in any_api.task.list(tags=["api"])] == [task["uuid"]]
    with pytest.raises(exceptions.InvalidStateError):
        any_api.task.start(task_id=task["uuid"])
    any_api.task.delete(task_id=task["uuid"])
    with pytest.raises(exceptions.NotFoundError):
        any_api.task.get(task_id=task["uuid"])


def test_abort(any_api: API) -> None:
    long = json.dumps({"Dummy.dummy": [{"args": {"sleep": 0.05},
                                        "runner": {"type": "constant_for_duration", "duration": 60}}]})
    task = any_api.task.create(config=long)
    if any_api.remote is None:
        any_api.task.launch(task_id=task["uuid"])
    else:
        any_api.task.start(task_id=task["uuid"])
    deadline = time.time() + 30
    while any_api.task.progress(task_id=task["uuid"])["workloads"] == [] or \
            not any_api.task.progress(task_id=task["uuid"])["workloads"][0]["done"]:
        assert time.time() < deadline
        time.sleep(0.1)
    any_api.task.abort(task_id=task["uuid"])
    assert wait_final(any_api, task["uuid"])["status"] == "aborted"


def test_positional_arguments_are_refused(any_api: API) -> None:
    with pytest.raises(TypeError, match="keyword arguments only"):
        any_api.task.list("finished")  # type: ignore[misc]


def _normalise(task: dict[str, Any]) -> Any:
    (wl,) = task["subtasks"][0]["workloads"]
    return {"status": task["status"], "pass_sla": task["pass_sla"], "title": task["title"],
            "iterations": wl["total_iteration_count"], "failed": wl["failed_iteration_count"],
            "sla": [(r["criterion"], r["success"]) for r in wl["sla_results"]["sla"]],
            "hooks": [h["summary"] for h in wl["hooks"]], "runner": wl["runner"], "args": wl["args"]}


def test_direct_and_http_give_the_same_results(tmp_path: Path, start_service: ServiceFactory,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQUALL_HOME", str(tmp_path / "direct"))
    direct = _normalise(run(API()))
    remote = _normalise(run(API(endpoint_url=start_service("--allow-exec"))))
    assert direct == remote
