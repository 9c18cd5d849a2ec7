"""Task file formats, normalised to one internal model.

Three shapes are accepted (see docs/architecture.md):

* v2: ``{version: 2, title, subtasks: [{title, workloads: [...]}]}``
* v1: ``{"Scenario.name": [{args, runner: {type, ...}, context, sla, hooks}]}``
* inside v1 workloads, the old ``hook: {iterations: {...}}`` section.

Every workload becomes a :class:`WorkloadConfig`; each remembers where in the
file it came from, so validation errors name exact paths.
"""

from __future__ import annotations

import copy
from typing import Any, NotRequired, TypedDict

from squall import exceptions, schema, utils
from squall.task.taskfile.schemas import TASK_V2_SCHEMA, WORKLOAD_V1_SCHEMA


class HookConfig(TypedDict):
    """One hook: an action run whenever its trigger fires."""

    description: str
    action: dict[str, Any]
    trigger: dict[str, Any]
    action_path: str
    trigger_path: str


class WorkloadConfig(TypedDict):
    """One workload: a scenario issued by a runner, with set-up and criteria."""

    position: int
    description: str
    scenario_name: str
    scenario_args: dict[str, Any]
    runner_name: str
    runner_args: dict[str, Any]
    contexts: dict[str, Any]
    sla: dict[str, Any]
    hooks: list[HookConfig]
    paths: dict[str, str]


class SubtaskConfig(TypedDict):
    """A titled group of workloads."""

    title: str
    description: str
    tags: list[str]
    workloads: list[WorkloadConfig]


class TaskConfig(TypedDict):
    """A whole task file after normalisation."""

    version: int
    title: str
    description: str
    tags: list[str]
    subtasks: list[SubtaskConfig]
    #: The persistent context the task file names (v2 only; ``--persistent-context`` overrides it).
    persistent_context: NotRequired[str]


# As in Rally 5.1.1: a workload without an "sla" section gets this one; an
# "sla" section, even an empty one, is taken as written.
DEFAULT_SLA: dict[str, Any] = {"failure_rate": {"max": 0}}


def _sla_of(raw: dict[str, Any]) -> dict[str, Any]:
    sla = raw.get("sla")
    return copy.deepcopy(DEFAULT_SLA if sla is None else sla)


def _hooks_v2(raw: list[dict[str, Any]], base: str) -> list[HookConfig]:
    hooks: list[HookConfig] = []
    for i, hook in enumerate(raw):
        action_name, _ = utils.only_item(hook["action"])
        trigger_name, _ = utils.only_item(hook["trigger"])
        hooks.append(
            HookConfig(
                description=hook.get("description", ""),
                action=copy.deepcopy(hook["action"]),
                trigger=copy.deepcopy(hook["trigger"]),
                action_path=f"{base}.hooks[{i}].action.{action_name}",
                trigger_path=f"{base}.hooks[{i}].trigger.{trigger_name}",
            )
        )
    return hooks


def _hooks_v1(raw: list[dict[str, Any]], base: str) -> list[HookConfig]:
    return [
        HookConfig(
            description=hook.get("description", ""),
            action={hook["name"]: copy.deepcopy(hook["args"])},
            trigger={hook["trigger"]["name"]: copy.deepcopy(hook["trigger"]["args"])},
            action_path=f"{base}.hooks[{i}].args",
            trigger_path=f"{base}.hooks[{i}].trigger.args",
        )
        for i, hook in enumerate(raw)
    ]


def _hooks_old_section(section: dict[str, Any], base: str) -> list[HookConfig]:
    """Translate ``hook: {iterations: {...}}`` into event and periodic hooks."""
    hooks: list[HookConfig] = []
    for key, value in section["iterations"].items():
        if key in ("periodic", "pereodic"):
            for step, actions in value.items():
                for j, action in enumerate(actions):
                    name, _ = utils.only_item(action)
                    trigger = {"unit": "iteration", "step": int(step), "start": int(step)}
                    hooks.append(
                        HookConfig(
                            description=f"every {step} iterations",
                            action=copy.deepcopy(action),
                            trigger={"periodic": trigger},
                            action_path=f"{base}.hook.iterations.{key}.{step}[{j}].{name}",
                            trigger_path=f"{base}.hook.iterations.{key}.{step}",
                        )
                    )
        else:
            for j, action in enumerate(value):
                name, _ = utils.only_item(action)
                hooks.append(
                    HookConfig(
                        description=f"at iteration {key}",
                        action=copy.deepcopy(action),
                        trigger={"event": {"unit": "iteration", "at": [int(key)]}},
                        action_path=f"{base}.hook.iterations.{key}[{j}].{name}",
                        trigger_path=f"{base}.hook.iterations.{key}",
                    )
                )
    return hooks


def _workload_v2(raw: dict[str, Any], base: str, position: int) -> WorkloadConfig:
    scenario_name, scenario_args = utils.only_item(raw["scenario"])
    runner_name, runner_args = utils.only_item(raw.get("runner") or {"serial": {}})
    contexts_key = "contexts" if "contexts" in raw else "context"
    return WorkloadConfig(
        position=position,
        description=raw.get("description", ""),
        scenario_name=scenario_name,
        scenario_args=copy.deepcopy(scenario_args or {}),
        runner_name=runner_name,
        runner_args=copy.deepcopy(runner_args or {}),
        contexts=copy.deepcopy(raw.get(contexts_key) or {}),
        sla=_sla_of(raw),
        hooks=_hooks_v2(raw.get("hooks") or [], base),
        paths={
            "workload": base,
            "scenario": f"{base}.scenario.{scenario_name}",
            "runner": f"{base}.runner.{runner_name}",
            "contexts": f"{base}.{contexts_key}",
            "sla": f"{base}.sla",
        },
    )


def _workload_v1(name: str, raw: dict[str, Any], base: str, position: int) -> WorkloadConfig:
    runner = dict(raw.get("runner") or {"type": "serial"})
    runner_name = runner.pop("type")
    hooks = _hooks_v1(raw.get("hooks") or [], base)
    if "hook" in raw:
        hooks.extend(_hooks_old_section(raw["hook"], base))
    return WorkloadConfig(
        position=position,
        description=raw.get("description", ""),
        scenario_name=name,
        scenario_args=copy.deepcopy(raw.get("args") or {}),
        runner_name=runner_name,
        runner_args=copy.deepcopy(runner),
        contexts=copy.deepcopy(raw.get("context") or {}),
        sla=_sla_of(raw),
        hooks=hooks,
        paths={
            "workload": base,
            "scenario": f"{base}.args",
            "runner": f"{base}.runner",
            "contexts": f"{base}.context",
            "sla": f"{base}.sla",
        },
    )


def _quote(name: str) -> str:
    return name if name.replace(".", "").replace("_", "").isalnum() else repr(name)


DEFAULT_MAX_WORKLOADS = 1000


def count_workloads(data: dict[str, Any]) -> int:
    """How many workloads a task file's document holds, counted before anything else is checked."""
    if "version" in data and data["version"] != 1:
        subtasks = data.get("subtasks")
        if not isinstance(subtasks, list):
            return 0
        return sum(len(sub["workloads"]) if isinstance(sub, dict) and isinstance(sub.get("workloads"), list)
                   else 1 for sub in subtasks)
    return sum(len(v) for k, v in data.items() if k != "version" and isinstance(v, list))


def normalise(data: dict[str, Any], max_workloads: int = DEFAULT_MAX_WORKLOADS) -> TaskConfig:
    """Check the file's structure and return the one internal model.

    Raises InvalidTaskError listing every structural problem with its path.
    A file of more than ``max_workloads`` workloads is refused first, before
    the work of checking them. Plugin-level checks are done later by
    :mod:`squall.task.taskfile.validate`.
    """
    count = count_workloads(data)
    if count > max_workloads:
        raise exceptions.InvalidTaskError([
            f"the task file has {count:,} workloads; the limit is {max_workloads:,} "
            "(--max-workloads, or SQUALL_MAX_WORKLOADS, raises it)"])
    if "version" in data and data["version"] != 1:
        errors = schema.collect(TASK_V2_SCHEMA, data, "")
        if errors:
            raise exceptions.InvalidTaskError(errors)
        return _normalise_v2(data)
    body = {k: v for k, v in data.items() if k != "version"}
    problems: list[str] = []
    if not body:
        problems.append("the task file defines no workloads")
    for name, workloads in body.items():
        base = _quote(name)
        if not isinstance(workloads, list):
            problems.append(f"{base}: must be a list of workloads, got {type(workloads).__name__}")
            continue
        for i, workload in enumerate(workloads):
            problems.extend(schema.collect(WORKLOAD_V1_SCHEMA, workload, f"{base}[{i}]"))
    if problems:
        raise exceptions.InvalidTaskError(problems)
    subtasks: list[SubtaskConfig] = []
    position = 0
    for name, workloads in body.items():
        for i, workload in enumerate(workloads):
            subtasks.append(
                SubtaskConfig(
                    title=name,
                    description="",
                    tags=[],
                    workloads=[_workload_v1(name, workload, f"{_quote(name)}[{i}]", position)],
                )
            )
            position += 1
    return TaskConfig(version=1, title="Task", description="", tags=[], subtasks=subtasks)


def _normalise_v2(data: dict[str, Any]) -> TaskConfig:
    subtasks: list[SubtaskConfig] = []
    position = 0
    for i, raw in enumerate(data["subtasks"]):
        base = f"subtasks[{i}]"
        workloads: list[WorkloadConfig] = []
        if "workloads" in raw:
            for j, workload in enumerate(raw["workloads"]):
                workloads.append(_workload_v2(workload, f"{base}.workloads[{j}]", position))
                position += 1
        else:
            workloads.append(_workload_v2(raw, base, position))
            position += 1
        subtasks.append(
            SubtaskConfig(
                title=raw.get("title") or workloads[0]["scenario_name"],
                description=raw.get("description", ""),
                tags=list(raw.get("tags") or []),
                workloads=workloads,
            )
        )
    cfg = TaskConfig(
        version=2,
        title=data.get("title", "Task"),
        description=data.get("description", ""),
        tags=list(data.get("tags") or []),
        subtasks=subtasks,
    )
    if data.get("persistent_context"):
        cfg["persistent_context"] = data["persistent_context"]
    return cfg


def hook_parts(hook: HookConfig) -> tuple[str, Any, str, Any]:
    """(action name, action args, trigger name, trigger args) of a hook."""
    action_name, action_args = utils.only_item(hook["action"])
    trigger_name, trigger_args = utils.only_item(hook["trigger"])
    return action_name, action_args, trigger_name, trigger_args
