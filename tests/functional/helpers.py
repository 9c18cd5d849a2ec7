"""Helpers to build task files and read results in functional tests."""

from __future__ import annotations

import json
from typing import Any

from squall.api import API


def v2_task(scenario: str, args: dict[str, Any] | None = None, runner: dict[str, Any] | None = None,
            contexts: dict[str, Any] | None = None, sla: dict[str, Any] | None = None, title: str = "test",
            hooks: list[dict[str, Any]] | None = None) -> str:
    workload: dict[str, Any] = {"scenario": {scenario: args or {}}, "runner": runner or {"serial": {"times": 1}}}
    if hooks is not None:
        workload["hooks"] = hooks
    if contexts is not None:
        workload["contexts"] = contexts
    if sla is not None:
        workload["sla"] = sla
    return json.dumps({"version": 2, "title": title, "subtasks": [{"title": scenario, "workloads": [workload]}]})


def run_task(api: API, text: str, **start: Any) -> dict[str, Any]:
    """Create and run a task through the API; returns ``task.get``."""
    task = api.task.create(config=text)
    api.task.start(task_id=task["uuid"], **start)
    return api.task.get(task_id=task["uuid"])


def only_workload(task: dict[str, Any]) -> dict[str, Any]:
    (sub,) = task["subtasks"]
    (wl,) = sub["workloads"]
    return wl


def iterations(api: API, task_id: str) -> list[dict[str, Any]]:
    doc = json.loads(api.results.export(task_ids=[task_id], type="squall-json")["content"])
    return [it for sub in doc["tasks"][0]["subtasks"] for wl in sub["workloads"] for it in wl["data"]]
