"""Worker processes that carry out a runner's :class:`Schedule`.

Each process runs its share of the concurrency as threads (plain scenarios)
or as asyncio tasks (``async def run`` scenarios). Iteration numbers come from
one counter shared by all processes, in start order, so the parent knows at
any moment how many iterations have started (iteration triggers use it).
Results travel to the parent in batches over one queue as compact tuples
(:data:`RawResult`); nothing is logged per iteration.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import multiprocessing as mp
import os
import queue as queue_mod
import signal
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from squall import plugin
from squall.exceptions import ThreadTimeoutException
from squall.task import atomic
from squall.task.runner import Schedule
from squall.task.scenario import Scenario

# (iteration, timestamp, duration, idle_duration, error, output, atomic_actions)
RawResult = tuple[int, float, float, float, list[str], dict[str, Any] | None, list[Any]]

_BATCH = 512
_FLUSH_SECONDS = 0.05
# Batches in flight between workers and the parent. When the parent falls
# behind, workers wait instead of piling results up in memory.
_CREDITS = 64
_CTX = mp.get_context("fork")
# A worker whose squall process died (SIGKILL, power loss) stops starting
# iterations and exits: it must not go on loading the system under test.
_ORPHAN_POLL_SECONDS = 0.5
_ORPHAN_GRACE_SECONDS = 10.0
_READY_SECONDS = 120.0  # how long the pool waits for its workers to be ready to load


@dataclass
class _Shared:
    counter: Any  # RawValue('q'): next iteration index
    started: Any  # RawValue('q'): iterations that have started
    lock: Any
    stop: Any  # mp.Event: start no more iterations
    queue: Any
    credits: Any  # Semaphore: one per batch in flight
    ready: Any  # Barrier: the parent and every worker, ready to load
    clock: Any  # RawValue('d'): time.monotonic() of the load's start, set as the barrier opens

    @property
    def t0(self) -> float:
        """The load's start on the monotonic (system-wide) clock: the zero of schedules and time triggers."""
        return float(self.clock.value)


class _Timeout(BaseException):
    """Raised asynchronously inside an iteration thread that ran too long."""


class _Emitter:
    """Collects results and sends them to the parent in batches."""

    def __init__(self, q: Any, credits: Any) -> None:
        self.queue = q
        self.credits = credits
        self.lock = threading.Lock()
        self.buffer: list[RawResult] = []

    def emit(self, result: RawResult) -> None:
        with self.lock:
            self.buffer.append(result)
            if len(self.buffer) < _BATCH:
                return
            batch, self.buffer = self.buffer, []
        self._send(batch)

    def _send(self, batch: list[RawResult]) -> None:
        self.credits.acquire()
        self.queue.put(batch)

    def flush(self) -> None:
        with self.lock:
            batch, self.buffer = self.buffer, []
        if batch:
            self._send(batch)


def _error_of(exc: BaseException) -> list[str]:
    return [type(exc).__name__, str(exc), traceback.format_exc()]


class _Worker:
    """The body of one worker process."""

    def __init__(self, shared: _Shared, schedule: Schedule, scenario_name: str,
                 args: dict[str, Any], context: dict[str, Any], slots: int) -> None:
        self.shared = shared
        self.schedule = schedule
        self.cls: type[Scenario] = plugin.get("scenario", scenario_name)  # type: ignore[assignment]
        self.args = args
        self.context = context
        self.slots = slots
        self.emitter = _Emitter(shared.queue, shared.credits)
        self.deadline = None if schedule.duration is None else shared.t0 + schedule.duration
        # thread id -> (deadline, iteration, its scenario, its start timestamp)
        self._running: dict[int, tuple[float, int, Scenario, float]] = {}
        self._timed_out: set[int] = set()
        self._running_lock = threading.Lock()

    # -- iteration numbering -------------------------------------------------
    def next_index(self, start: bool = False) -> int | None:
        """Claim the next iteration index, or None when the load is over.

        With ``start`` the iteration also counts as started, in the same
        critical section (closed loop: an iteration starts when claimed).
        """
        sh = self.shared
        if sh.stop.is_set():
            return None
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return None
        with sh.lock:
            index = sh.counter.value
            if self.schedule.times is not None and index >= self.schedule.times:
                return None
            sh.counter.value = index + 1
            if start:
                sh.started.value += 1
        return index

    def wait_for_turn(self, index: int) -> bool:
        """Open loop: sleep until iteration ``index`` is due; False to give up."""
        rate = self.schedule.rate
        if rate is None:
            return True
        due = self.shared.t0 + rate.offset(index)
        while True:
            left = due - time.monotonic()
            if left <= 0:
                return True
            if self.shared.stop.is_set():
                return False
            time.sleep(min(left, 0.05))

    def mark_started(self) -> None:
        sh = self.shared
        with sh.lock:
            sh.started.value += 1

    # -- one iteration -------------------------------------------------------
    def _context_for(self, index: int) -> dict[str, Any]:
        ctx = dict(self.context)
        ctx["iteration"] = index + 1
        return ctx

    def run_sync(self, index: int) -> RawResult | None:
        scenario = self.cls(self._context_for(index))
        tid = threading.get_ident()
        timeout = self.schedule.timeout
        timestamp = time.time()
        if timeout:
            with self._running_lock:
                self._running[tid] = (time.monotonic() + timeout, index, scenario, timestamp)
        error: list[str] = []
        started = time.perf_counter()
        try:
            scenario.run(**self.args)
        except _Timeout:
            pass
        except Exception as exc:
            error = _error_of(exc)
        duration = time.perf_counter() - started
        if timeout:
            with self._running_lock:
                self._running.pop(tid, None)
                if index in self._timed_out:
                    self._timed_out.discard(index)
                    return None  # the watchdog already reported it
        return self._result(index, timestamp, duration, scenario, error)

    async def run_async(self, index: int) -> RawResult:
        scenario = self.cls(self._context_for(index))
        error: list[str] = []
        timestamp = time.time()
        started = time.perf_counter()
        try:
            if self.schedule.timeout:
                await asyncio.wait_for(scenario.run(**self.args), self.schedule.timeout)
            else:
                await scenario.run(**self.args)
        except TimeoutError:
            exc = ThreadTimeoutException(timeout=self.schedule.timeout or 0)
            error = [type(exc).__name__, str(exc), ""]
        except Exception as exc:
            error = _error_of(exc)
        duration = time.perf_counter() - started
        return self._result(index, timestamp, duration, scenario, error)

    @staticmethod
    def _result(index: int, timestamp: float, duration: float, scenario: Scenario,
                error: list[str]) -> RawResult:
        out = scenario._output
        output = out if (out["additive"] or out["complete"]) else None
        idle = scenario._idle_duration
        return (index + 1, timestamp, duration - idle, idle, error, output, scenario._atomic_actions)

    # -- threads -------------------------------------------------------------
    def _slot_loop(self) -> None:
        # Closed loop only: an iteration starts as soon as it is claimed.
        while True:
            try:
                index = self.next_index(start=True)
                if index is None:
                    return
                result = self.run_sync(index)
                if result is not None:
                    self.emitter.emit(result)
            except _Timeout:
                continue  # an interrupt that landed just after its iteration ended

    def _open_loop_threads(self) -> None:
        # Iterations are claimed in order by one scheduler; a bounded pool runs them.
        sem = threading.BoundedSemaphore(self.slots)

        def task(index: int) -> None:
            try:
                result = self.run_sync(index)
                if result is not None:
                    self.emitter.emit(result)
            except _Timeout:
                pass
            finally:
                sem.release()

        with ThreadPoolExecutor(max_workers=self.slots) as pool:
            while True:
                index = self.next_index()
                if index is None or not self.wait_for_turn(index):
                    break
                sem.acquire()
                self.mark_started()
                pool.submit(task, index)

    def _watchdog(self, done: threading.Event) -> None:
        while not done.wait(0.01):
            now = time.monotonic()
            with self._running_lock:
                expired = [(tid, it, sc, ts) for tid, (dl, it, sc, ts) in self._running.items() if dl <= now]
                for tid, it, _, _ in expired:
                    del self._running[tid]
                    self._timed_out.add(it)
            for tid, it, scenario, started_at in expired:
                exc = ThreadTimeoutException(timeout=self.schedule.timeout or 0)
                actions = atomic.interrupted_copy(scenario._atomic_actions, time.time())
                self.emitter.emit((it + 1, started_at, float(self.schedule.timeout or 0), 0.0,
                                   [type(exc).__name__, str(exc), ""], None, actions))
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), ctypes.py_object(_Timeout))

    def _flusher(self, done: threading.Event) -> None:
        while not done.wait(_FLUSH_SECONDS):
            self.emitter.flush()

    def run_threads(self) -> None:
        done = threading.Event()
        helpers = [threading.Thread(target=self._flusher, args=(done,), daemon=True)]
        if self.schedule.timeout:
            helpers.append(threading.Thread(target=self._watchdog, args=(done,), daemon=True))
        for h in helpers:
            h.start()
        if self.schedule.rate is not None:
            self._open_loop_threads()
        else:
            threads = [threading.Thread(target=self._slot_loop, daemon=True) for _ in range(self.slots)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        done.set()
        for h in helpers:
            h.join()

    # -- asyncio -------------------------------------------------------------
    async def _async_main(self) -> None:
        async def flusher() -> None:
            while True:
                await asyncio.sleep(_FLUSH_SECONDS)
                self.emitter.flush()

        flush_task = asyncio.create_task(flusher())
        if self.schedule.rate is None:
            async def slot() -> None:
                while (index := self.next_index(start=True)) is not None:
                    self.emitter.emit(await self.run_async(index))

            await asyncio.gather(*(slot() for _ in range(self.slots)))
        else:
            sem = asyncio.Semaphore(self.slots)
            pending: set[asyncio.Task[None]] = set()

            async def one(index: int) -> None:
                try:
                    self.emitter.emit(await self.run_async(index))
                finally:
                    sem.release()

            while (index := self.next_index()) is not None:
                due = self.shared.t0 + self.schedule.rate.offset(index)
                while (left := due - time.monotonic()) > 0 and not self.shared.stop.is_set():
                    await asyncio.sleep(min(left, 0.05))
                if self.shared.stop.is_set():
                    break
                await sem.acquire()
                self.mark_started()
                t = asyncio.create_task(one(index))
                pending.add(t)
                t.add_done_callback(pending.discard)
            if pending:
                await asyncio.gather(*pending)
        flush_task.cancel()
        await self._close_scenario_resources()

    async def _close_scenario_resources(self) -> None:
        closer = getattr(self.cls, "close_worker_resources", None)
        if closer is not None:
            await closer()

    def main(self) -> None:
        if self.cls.is_async():
            asyncio.run(self._async_main())
        else:
            self.run_threads()
        self.emitter.flush()


def _watch_parent(parent_pid: int, shared: _Shared) -> None:
    """Stop the load once the parent is gone; exit after a grace period for running iterations.

    Nobody reads the results any more, so the exit cannot wait for the
    result queue; the grace period lets running iterations undo what they made.
    """
    while os.getppid() == parent_pid:
        time.sleep(_ORPHAN_POLL_SECONDS)
    shared.stop.set()
    time.sleep(_ORPHAN_GRACE_SECONDS)
    os._exit(3)


def _process_main(worker_id: int, parent_pid: int, shared: _Shared, schedule: Schedule, scenario_name: str,
                  args: dict[str, Any], context: dict[str, Any], slots: int) -> None:
    # Ctrl-C is the parent's to handle: running iterations must finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid, shared), name="parent-watch", daemon=True).start()
    status = "ok"
    try:
        worker = _Worker(shared, schedule, scenario_name, args, context, slots)
        # The clock starts when every worker is ready, so an open-loop schedule
        # does not begin late and then burst to catch up.
        shared.ready.wait(timeout=_READY_SECONDS)
        worker.deadline = None if schedule.duration is None else shared.t0 + schedule.duration
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
        self.shared = _Shared(
            counter=_CTX.RawValue("q", 0),
            started=_CTX.RawValue("q", 0),
            lock=_CTX.Lock(),
            stop=_CTX.Event(),
            queue=_CTX.Queue(),
            credits=_CTX.Semaphore(_CREDITS),
            ready=_CTX.Barrier(len(schedule.slots) + 1, action=self._start_clock),
            clock=_CTX.RawValue("d", 0.0),
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
    def started_iterations(self) -> int:
        """How many iterations have started so far, across all processes."""
        return int(self.shared.started.value)

    def stop(self) -> None:
        """Start no new iterations; running ones finish."""
        self.shared.stop.set()

    def kill(self) -> None:
        """Terminate the workers at once (second Ctrl-C)."""
        self.shared.stop.set()
        for proc in self.processes:
            if proc.is_alive():
                proc.kill()

    def receive(self, poll: float = 0.1) -> list[RawResult] | None:
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
