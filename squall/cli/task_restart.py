"""``squall task restart``: run a stored task's workloads again as a new task (Rally's spelling)."""

from __future__ import annotations

from typing import Any

import typer

from squall import exceptions
from squall.cli.task_run import run_and_report


def task_file_of(task: dict[str, Any], scenarios: list[str] | None = None) -> dict[str, Any]:
    """A version 2 task file that runs ``task``'s workloads (``task.get``'s answer) again: each scenario with its
    arguments, runner, contexts, SLA and hooks, in their subtasks; only the ``scenarios`` named, when given."""
    subtasks = []
    for sub in task["subtasks"]:
        workloads = [_workload(wl) for wl in sub["workloads"] if not scenarios or wl["name"] in scenarios]
        if workloads:
            subtasks.append({"title": sub["title"], "workloads": workloads})
    if not subtasks:
        wanted = ", ".join(scenarios or [])
        raise exceptions.InvalidArgumentsError(f"task {task['uuid']} has no workload of {wanted or 'any scenario'}")
    return {"version": 2, "title": task["title"], "description": f"restart of task {task['uuid']}",
            "tags": list(task.get("tags") or []), "subtasks": subtasks}


def _workload(wl: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"scenario": {wl["name"]: wl["args"] or {}},
                           "runner": {wl["runner_type"]: wl["runner"] or {}},
                           "contexts": wl["contexts"] or {}, "sla": wl["sla"] or {}}
    hooks = [_hook(h["config"]) for h in wl.get("hooks") or []]
    if hooks:
        out["hooks"] = hooks
    return out


def _hook(config: dict[str, Any]) -> dict[str, Any]:
    def pair(value: Any) -> dict[str, Any]:  # stored as {name: args} or Rally's [name, args]
        return {value[0]: value[1]} if isinstance(value, list) else dict(value)

    hook = {"action": pair(config["action"]), "trigger": pair(config["trigger"])}
    if config.get("description"):
        hook["description"] = config["description"]
    return hook


def restart(ctx: typer.Context, task_id: str | None = typer.Argument(None, help="Task UUID (default: in use)."),
            scenario: list[str] | None = typer.Option(None, "--scenario",
                                                      help="Only this scenario's workloads (repeatable)."),
            tag: list[str] | None = typer.Option(None, "--tag", help="Tag the new task (repeatable)."),
            abort_on_sla_failure: bool = typer.Option(False, "--abort-on-sla-failure",
                                                      help="Stop a workload as soon as an SLA fails."),
            quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
            rally_seconds: bool = typer.Option(False, "--seconds", help="Durations as Rally prints them.")) -> None:
    """Run a task's workloads again, as a new task on the same environment (Rally's restart)."""
    api = ctx.obj
    old = api.task.get(task_id=task_id)
    env = old.get("env_uuid") or None
    task = api.task.create(config=task_file_of(old, scenario), env=env, tags=tag,
                           source=f"restart of task {old['uuid']}")
    run_and_report(api, task, abort_on_sla_failure, None, {}, quiet, rally_seconds)
