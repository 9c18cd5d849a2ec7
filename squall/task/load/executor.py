"""Where a workload's iterations run: the executor seam.

The engine drives one :class:`Executor` per workload and cannot tell them
apart: it starts it, takes batches of :data:`~squall.task.load.local.worker_base.RawResult`
from it, reads how many iterations have started (iteration triggers), and
stops it. Two executors exist:

- ``local`` (the default): :class:`~squall.task.load.local.pool.WorkerPool`, forked
  worker processes on this machine;
- ``dask://HOST:PORT`` or ``dask-local:N``:
  :class:`~squall.task.load.dask.executor.DaskExecutor`, the load sharded over the
  workers of a Dask cluster (``distributed``), results streamed back here.
"""

from __future__ import annotations

from typing import Any, Protocol

from squall.plugin_api.runner import Schedule
from squall.task.load.emitter import RawResult

#: What an executor hands the engine: a batch of rows, or (aggregate mode) one worker's report.
Batch = list[RawResult] | dict[str, Any]


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

