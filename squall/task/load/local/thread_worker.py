"""A worker process whose iterations run as threads (plain ``def run`` scenarios).

Closed loop: each of ``slots`` threads claims an iteration and runs it, over
and over. Open loop (a rate): one scheduler claims iterations in order, waits
for each one's turn, and hands it to a bounded thread pool. A watchdog thread
ends iterations that outlive the runner's ``timeout``, as Rally does: their
result is reported at once and the thread is interrupted.
"""

from __future__ import annotations

import ctypes
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from squall.exceptions import ThreadTimeoutException
from squall.plugin_api import atomic
from squall.plugin_api.scenario import Scenario
from squall.results import error_triple
from squall.task.load.emitter import FLUSH_SECONDS, RawResult
from squall.task.load.local.worker_base import WorkerBase


class _Timeout(BaseException):
    """Raised asynchronously inside an iteration thread that ran too long."""


class ThreadWorker(WorkerBase):
    """Runs this process's share of the load on threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # thread id -> (deadline, iteration, its scenario, its start timestamp, its start lag)
        self._running: dict[int, tuple[float, int, Scenario, float, float | None]] = {}
        self._timed_out: set[int] = set()
        self._running_lock = threading.Lock()

    def main(self) -> None:
        """Run the load with its helper threads (batch flusher, timeout watchdog)."""
        done = threading.Event()
        helpers = [threading.Thread(target=self._flusher, args=(done,), daemon=True)]
        if self.schedule.timeout:
            helpers.append(threading.Thread(target=self._watchdog, args=(done,), daemon=True))
        for h in helpers:
            h.start()
        if self.schedule.rate is not None:
            self._open_loop()
        else:
            threads = [threading.Thread(target=self._slot_loop, args=(user.number,), daemon=True)
                       for user in self.new_users()]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        done.set()
        for h in helpers:
            h.join()
        self.emitter.flush(final=True)

    def run_one(self, index: int) -> RawResult | None:
        """Run iteration ``index``; None when the watchdog already reported it as timed out."""
        scenario = self.new_scenario(index)
        tid = threading.get_ident()
        timeout = self.schedule.timeout
        lag = self.start_lag(index)
        timestamp = time.time()
        if timeout:
            with self._running_lock:
                self._running[tid] = (time.monotonic() + timeout, index, scenario, timestamp, lag)
        error: list[str] = []
        started = time.perf_counter()
        try:
            scenario.run(**self.args)
        except _Timeout:
            pass
        except Exception as exc:
            error = error_triple(exc)
        duration = time.perf_counter() - started
        if timeout:
            with self._running_lock:
                self._running.pop(tid, None)
                if index in self._timed_out:
                    self._timed_out.discard(index)
                    return None
        return self.result(index, timestamp, duration, scenario, error, lag)

    def _run_and_emit(self, index: int) -> None:
        try:
            result = self.run_one(index)
            if result is not None:
                self.emitter.emit(result)
        except _Timeout:
            pass  # an interrupt that landed just after its iteration ended

    def _slot_loop(self, user: int) -> None:
        while True:
            try:
                if not self._user_may_go(user):
                    return
                index = self.next_index(start=True)
                if index is None:
                    return
                self._run_and_emit(index)
            except _Timeout:
                continue  # an interrupt that landed just after its iteration ended

    def _user_may_go(self, user: int) -> bool:
        # Ramping users: wait while the stages keep this user out; False once the load is over for it.
        while (pause := self.user_pause(user)) is not None:
            if not pause:
                return True
            time.sleep(pause)
        return False

    def _wait_for_turn(self, index: int) -> bool:
        while (pause := self.pause_before(index)) is not None:
            if not pause:
                return True
            time.sleep(pause)
        return False

    def _open_loop(self) -> None:
        sem = threading.BoundedSemaphore(self.slots)

        def task(index: int) -> None:
            try:
                self._run_and_emit(index)
            finally:
                sem.release()

        with ThreadPoolExecutor(max_workers=self.slots) as pool:
            while (index := self.next_index()) is not None and self._wait_for_turn(index):
                sem.acquire()
                self.mark_started()
                pool.submit(task, index)

    def _watchdog(self, done: threading.Event) -> None:
        while not done.wait(0.01):
            now = time.monotonic()
            with self._running_lock:
                expired = [(tid, it, sc, ts, lag) for tid, (dl, it, sc, ts, lag) in self._running.items() if dl <= now]
                for tid, it, *_ in expired:
                    del self._running[tid]
                    self._timed_out.add(it)
            for tid, it, scenario, started_at, lag in expired:
                exc = ThreadTimeoutException(timeout=self.schedule.timeout or 0)
                actions = atomic.interrupted_copy(scenario.atomic_actions(), time.time())
                self.emitter.emit((it + 1, started_at, float(self.schedule.timeout or 0), 0.0,
                                   error_triple(exc, ""), None, actions, lag))
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), ctypes.py_object(_Timeout))

    def _flusher(self, done: threading.Event) -> None:
        while not done.wait(FLUSH_SECONDS):
            self.emitter.flush()
