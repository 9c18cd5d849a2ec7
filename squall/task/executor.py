"""Where a workload's iterations run: the executor seam.

The engine drives one :class:`Executor` per workload and cannot tell them
apart: it starts it, takes batches of :data:`~squall.task.worker_base.RawResult`
from it, reads how many iterations have started (iteration triggers), and
stops it. Two executors exist:

- ``local`` (the default): :class:`~squall.task.pool.WorkerPool`, forked
  worker processes on this machine;
- ``dask://HOST:PORT`` or ``dask-local:N``:
  :class:`~squall.task.dask_executor.DaskExecutor`, the load sharded over the
  workers of a Dask cluster (``distributed``), results streamed back here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from squall import exceptions
from squall.plugin_api.runner import Schedule
from squall.task.emitter import RawResult

RESULT_MODES = ("rows", "aggregate")
#: What an executor hands the engine: a batch of rows, or (aggregate mode) one worker's report.
Batch = list[RawResult] | dict[str, Any]
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


class Executor(Protocol):
    """What the engine needs of whatever runs a workload's iterations."""

    schedule: Schedule
    errors: list[str]
    started_at: float

    def start(self) -> None:
        """Start the load; returns once it has begun."""

    def receive(self, poll: float = 0.1) -> Batch | None:
        """The next batch of results (or aggregate report), or None when none came within ``poll``."""

    @property
    def result_sources(self) -> int:
        """How many workers report results (aggregate mode waits for each before a second is complete)."""

    @property
    def finished(self) -> bool:
        """True once every worker is done (or lost)."""

    @property
    def started_iterations(self) -> int:
        """Iterations started so far, everywhere."""

    @property
    def t0(self) -> float:
        """The load's start on this machine's monotonic clock."""

    def stopped(self) -> bool:
        """Whether the load was told to stop."""

    def stop(self) -> None:
        """Start no new iterations; running ones finish."""

    def kill(self) -> None:
        """Stop at once."""

    def join(self) -> None:
        """Release what the load used."""

