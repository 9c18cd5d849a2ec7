"""Where an environment's or a task's load runs: the ``--executor`` value and its options, parsed.

An environment's ``dask`` section and ``task start --executor`` both name an
executor; this is their one parser, read by the Dask platform and by the
engine that builds the executor (:mod:`squall.task.load.executors`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from squall import exceptions

RESULT_MODES = ("rows", "aggregate")
_DASK_LOCAL = re.compile(r"dask-local:(\d{1,3})")
_DASK = re.compile(r"dask://[A-Za-z0-9._\-\[\]:]+")


@dataclass(frozen=True)
class ExecutorSpec:
    """A parsed ``--executor`` value."""

    kind: str  # "local", "dask" or "dask-local"
    address: str | None = None  # dask: the scheduler's address
    workers: int = 0  # dask-local: how many workers the local cluster starts
    dask_workers: int | None = None  # how many of the cluster's workers to use (all by default)
    fail_on_worker_loss: bool = False  # stop the whole load when one worker is lost
    results: str = "rows"  # "rows": one per iteration; "aggregate": figures about once a second per worker


def parse_executor(value: str | None, dask_workers: int | None = None,
                   fail_on_worker_loss: bool = False, results: str | None = None) -> ExecutorSpec:
    """``local``, ``dask://HOST:PORT`` or ``dask-local:N``, and how results travel; a precise error otherwise."""
    results = results or "rows"
    if results not in RESULT_MODES:
        raise exceptions.InvalidArgumentsError(f"--results {results!r}: give 'rows' (one per iteration, the "
                                               "default) or 'aggregate' (per-second figures, for high rates)")
    if value in (None, "", "local"):
        if dask_workers is not None or fail_on_worker_loss:
            option = "--dask-workers" if dask_workers is not None else "--fail-on-worker-loss"
            raise exceptions.InvalidArgumentsError(f"{option} needs a Dask executor (--executor dask://...)")
        return ExecutorSpec("local", results=results)
    assert value is not None
    if dask_workers is not None and dask_workers < 1:
        raise exceptions.InvalidArgumentsError("--dask-workers must be 1 or more")
    local = _DASK_LOCAL.fullmatch(value)
    if local:
        count = int(local.group(1))
        if not 1 <= count <= 64:
            raise exceptions.InvalidArgumentsError(f"executor {value!r}: a local Dask cluster has 1 to 64 workers")
        return ExecutorSpec("dask-local", workers=count, dask_workers=dask_workers,
                            fail_on_worker_loss=fail_on_worker_loss, results=results)
    if _DASK.fullmatch(value):
        return ExecutorSpec("dask", address="tcp://" + value[len("dask://"):], dask_workers=dask_workers,
                            fail_on_worker_loss=fail_on_worker_loss, results=results)
    raise exceptions.InvalidArgumentsError(
        f"executor {value!r}: give 'local', 'dask://HOST:PORT' (a Dask scheduler) or 'dask-local:N' "
        "(a local Dask cluster of N workers)")


def executor_argument(spec: ExecutorSpec) -> str:
    """The ``--executor`` value that parses back to ``spec``'s kind and address."""
    if spec.kind == "dask":
        assert spec.address is not None
        return "dask://" + spec.address.removeprefix("tcp://")
    return f"dask-local:{spec.workers}" if spec.kind == "dask-local" else "local"
