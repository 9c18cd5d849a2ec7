"""The worker processes of one workload, seen from squall's process.

:class:`WorkerPool` forks one process per slot group of the runner's
:class:`~squall.plugin_api.runner.Schedule`; each runs a
:class:`~squall.task.load.local.thread_worker.ThreadWorker` or, for ``async def run``
scenarios, an :class:`~squall.task.load.local.async_worker.AsyncWorker`. The pool starts
the load's clock once every process is ready, hands results to the engine in
batches (with back-pressure: at most ``_CREDITS`` batches in flight), and
notices a worker that died.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import queue as queue_mod
import signal
import threading
import time
from typing import Any

from squall import registry
from squall.plugin_api.runner import Schedule
from squall.task.load.emitter import RawResult
from squall.task.load.executor import Batch
from squall.task.load.local.async_worker import AsyncWorker
from squall.task.load.local.thread_worker import ThreadWorker
from squall.task.load.local.worker_base import SharedState, StopFlag

__all__ = ["RawResult", "WorkerPool"]

# Batches in flight between workers and the parent. When the parent falls
# behind, workers wait instead of piling results up in memory.
_CREDITS = 64
_CTX = mp.get_context("fork")
# A worker whose squall process died (SIGKILL, power loss) stops starting
# iterations and exits: it must not go on loading the system under test.
_ORPHAN_POLL_SECONDS = 0.5
_ORPHAN_GRACE_SECONDS = 10.0
_READY_SECONDS = 120.0  # how long the pool waits for its workers to be ready to load


def _watch_parent(parent_pid: int, shared: SharedState) -> None:
    """Stop the load once the parent is gone; exit after a grace period for running iterations.

    Nobody reads the results any more, so the exit cannot wait for the
    result queue; the grace period lets running iterations undo what they made.
    """
    while os.getppid() == parent_pid:
        time.sleep(_ORPHAN_POLL_SECONDS)
    shared.stop.set()
    time.sleep(_ORPHAN_GRACE_SECONDS)
    os._exit(3)


def _process_main(worker_id: int, parent_pid: int, shared: SharedState, schedule: Schedule, scenario_name: str,
                  args: dict[str, Any], context: dict[str, Any], slots: int) -> None:
    # Ctrl-C is the parent's to handle: running iterations must finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid, shared), name="parent-watch", daemon=True).start()
    status = "ok"
    try:
        worker_cls = AsyncWorker if registry.get("scenario", scenario_name).is_async() else ThreadWorker  # type: ignore[attr-defined]
        worker = worker_cls(shared, schedule, scenario_name, args, context, slots, worker_id)
        # The clock starts when every worker is ready, so an open-loop schedule
        # does not begin late and then burst to catch up.
        shared.ready.wait(timeout=_READY_SECONDS)
        worker.start_clock()
        worker.main()
    except BaseException as exc:  # report, never die silently
        status = f"{type(exc).__name__}: {exc}"
    shared.queue.put(("done", worker_id, status))
    shared.queue.close()
    shared.queue.join_thread()


class WorkerPool:
    """Parent-side handle of the worker processes of one workload."""

    def __init__(self, schedule: Schedule, scenario_name: str, args: dict[str, Any],
                 context: dict[str, Any]) -> None:
        self.schedule = schedule
        self.shared = SharedState(
            counter=_CTX.RawValue("q", 0),
            started=_CTX.RawValue("q", 0),
            started_open=_CTX.RawArray("q", len(schedule.slots)),
            lock=_CTX.Lock(),
            stop=StopFlag(_CTX.RawValue("b", 0)),
            queue=_CTX.Queue(),
            credits=_CTX.Semaphore(_CREDITS),
            ready=_CTX.Barrier(len(schedule.slots) + 1, action=self._start_clock),
            clock=_CTX.RawValue("d", 0.0),
            row_columns=True,
        )
        self._spec = (scenario_name, args, context)
        self.processes: list[Any] = []
        self.errors: list[str] = []
        self.started_at = 0.0
        self._running: set[int] = set()

    def start(self) -> None:
        """Fork the worker processes; the load starts now."""
        # Objects that exist now are never collected in the workers; freezing
        # them keeps the collector from touching (and so copying) their pages.
        gc.freeze()
        name, args, context = self._spec
        for worker_id, slots in enumerate(self.schedule.slots):
            proc = _CTX.Process(
                target=_process_main,
                args=(worker_id, os.getpid(), self.shared, self.schedule, name, args, context, slots),
                name=f"squall-worker-{worker_id}",
                daemon=True,
            )
            proc.start()
            self.processes.append(proc)
        gc.unfreeze()
        self._running = set(range(len(self.processes)))
        try:
            self.shared.ready.wait(timeout=_READY_SECONDS)
        except threading.BrokenBarrierError:
            self.shared.ready.abort()  # a worker died before it was ready: receive() reports it
            if not self.shared.clock.value:
                self._start_clock()
        # The load's start on the wall clock, as iteration timestamps are.
        self.started_at = time.time() - (time.monotonic() - self.shared.t0)

    def _start_clock(self) -> None:
        # Runs once, in whichever process reaches the barrier last, before any is released.
        self.shared.clock.value = time.monotonic()

    @property
    def t0(self) -> float:
        """The load's start on the monotonic clock (the zero of schedules and time triggers)."""
        return self.shared.t0

    def stopped(self) -> bool:
        """Whether the load was told to stop."""
        return self.shared.stop.is_set()

    @property
    def started_iterations(self) -> int:
        """How many iterations have started so far, across all processes."""
        return int(self.shared.started.value) + sum(self.shared.started_open)

    def stop(self) -> None:
        """Start no new iterations; running ones finish."""
        self.shared.stop.set()

    def kill(self) -> None:
        """Terminate the workers at once (second Ctrl-C)."""
        self.shared.stop.set()
        for proc in self.processes:
            if proc.is_alive():
                proc.kill()

    def receive(self, poll: float = 0.1) -> Batch | None:
        """The next batch of results, or None when none came within ``poll``.

        Check :attr:`finished` after each call; a worker that died is noted
        in :attr:`errors` and no longer waited for.
        """
        try:
            item = self.shared.queue.get(timeout=poll)
        except queue_mod.Empty:
            for worker_id in list(self._running):
                proc = self.processes[worker_id]
                if not proc.is_alive() and proc.exitcode not in (0, None):
                    self.errors.append(f"worker {worker_id} died with exit code {proc.exitcode}")
                    self._running.discard(worker_id)
            return None
        if isinstance(item, tuple) and item and item[0] == "done":
            _, worker_id, status = item
            self._running.discard(worker_id)
            if status != "ok":
                self.errors.append(f"worker {worker_id}: {status}")
            return None
        self.shared.credits.release()
        return item  # type: ignore[no-any-return]

    @property
    def result_sources(self) -> int:
        """One per worker process."""
        return len(self.schedule.slots)

    @property
    def finished(self) -> bool:
        """True once every worker has reported done (or died)."""
        return not self._running

    def join(self) -> None:
        """Reap the worker processes."""
        for proc in self.processes:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
