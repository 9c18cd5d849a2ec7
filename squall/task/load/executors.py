"""The executor a workload's load runs on: local worker processes or a Dask cluster, chosen by its spec.

Kept apart from :mod:`squall.task.load.executor` (the interface and the spec),
which the executors themselves import.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from squall.env.executor_spec import ExecutorSpec
from squall.plugin_api.runner import Schedule
from squall.task.load.executor import Executor


def probe_scheduler(spec: ExecutorSpec, scenarios: tuple[str, ...] = ()) -> None:
    """Reach the Dask scheduler and check its workers' squall (and these scenario plugins) now, so that a bad
    address or a missing plugin fails before the task starts (a one-line error)."""
    from squall.task.load.dask.executor import probe

    probe(spec, scenarios)


def make_executor(spec: ExecutorSpec, schedule: Schedule, scenario_name: str, args: dict[str, Any],
                  context: dict[str, Any]) -> Executor:
    """The executor ``spec`` names, for one workload."""
    schedule = replace(schedule, results=spec.results)
    if spec.kind == "local":
        from squall.task.load.local.pool import WorkerPool

        return WorkerPool(schedule, scenario_name, args, context)
    from squall.task.load.dask.executor import DaskExecutor

    return DaskExecutor(spec, schedule, scenario_name, args, context)
