"""What a task asks before it runs, read from its task file or its stored row: the commands and host files
``--allow-exec`` guards, the URLs it loads, the scenarios a Dask cluster must run, and whether its SLA can judge
from aggregate figures. The task group's transport marks and start checks."""

from __future__ import annotations

from typing import Any

from squall import exceptions, registry
from squall.env.executor_spec import ExecutorSpec
from squall.task.engine.sla_checker import needs_rows
from squall.task.taskfile import normalise as task_config
from squall.task.taskfile import validate as validation


def probe_first(spec: ExecutorSpec) -> bool:
    """Whether the cluster is checked before the task starts (a refusal is then a one-line error, exit 1): a
    remote scheduler always; a local cluster when it must import --plugin-paths files (its workers are
    processes of their own)."""
    return spec.kind == "dask" or (spec.kind == "dask-local" and bool(registry.path_files()))


def host_access(cfg: task_config.TaskConfig) -> list[str]:
    # What --allow-exec guards in a task: hooks that run commands, arguments that read this machine's files.
    return [f"hook {path} runs commands" for path in validation.command_hooks(cfg)] + validation.host_file_reads(cfg)


def _config_in(api: Any, kwargs: dict[str, Any]) -> task_config.TaskConfig:
    """The task file a validate or create call carries, loaded as the call will load it."""
    return api.task._load(kwargs.get("config") or {}, kwargs.get("task_args"), kwargs.get("source", "task file"),
                          kwargs.get("task_args_file_content"), kwargs.get("templates"))


def host_files_in_config(api: Any, kwargs: dict[str, Any]) -> list[str]:
    """The host files the task file being validated names: validation says whether they exist."""
    return validation.host_file_reads(_config_in(api, kwargs))


def hooks_in_config(api: Any, kwargs: dict[str, Any]) -> list[str]:
    """The hooks of the task file being created that run commands, and the host files it reads."""
    return host_access(_config_in(api, kwargs))


def targets_in_config(api: Any, kwargs: dict[str, Any]) -> list[tuple[str, str]]:
    """The URLs the task file being created would load, with their places."""
    return validation.load_targets(_config_in(api, kwargs))


def targets_in_stored_task(api: Any, kwargs: dict[str, Any]) -> list[tuple[str, str]]:
    """The URLs the stored task about to start would load, with their places."""
    return validation.load_targets(api.task.resolve(kwargs.get("task_id"))["config"])


def hooks_in_stored_task(api: Any, kwargs: dict[str, Any]) -> list[str]:
    """The hooks of the stored task about to start that run commands, the host files it reads, and a Dask
    cluster it would send its scenarios' code to (``executor``, or its environment's ``dask`` section)."""
    row = api.task.resolve(kwargs.get("task_id"))
    found = host_access(row["config"])
    try:
        spec = api.task._executor_for(row, kwargs.get("executor"), kwargs.get("dask_workers"),
                                      bool(kwargs.get("fail_on_worker_loss")), kwargs.get("results"))
    except exceptions.SquallError:
        return found  # the call itself refuses it, with the reason
    if spec.kind != "local":
        found.append(f"the load runs on a Dask cluster ({spec.address or spec.kind}), which runs code squall sends")
    return found



def scenarios(row: dict[str, Any]) -> tuple[str, ...]:
    """The scenario plugins a stored task runs."""
    config = row["config"] or {}
    return tuple(sorted({wl["scenario_name"] for sub in config.get("subtasks", []) for wl in sub["workloads"]}))


def check_results_mode(spec: ExecutorSpec, row: dict[str, Any]) -> None:
    """In aggregate mode, refuse a task whose SLA needs every iteration, naming the workload and criterion."""
    if spec.results != "aggregate":
        return
    for sub in (row["config"] or {}).get("subtasks", []):
        for wl in sub["workloads"]:
            needing = needs_rows(wl["sla"] or {})
            if needing:
                raise exceptions.InvalidArgumentsError(
                    f"--results aggregate: workload {wl['scenario_name']} (subtask {sub['title']!r}) has SLA "
                    f"{', '.join(needing)}, which needs every iteration; run it with --results rows")
