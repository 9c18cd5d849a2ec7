"""A worker process whose iterations run as asyncio tasks (``async def run`` scenarios).

Closed loop: ``slots`` coroutines each claim and run iterations. Open loop:
the same coroutines take turns to claim the next iteration and wait until it
is due, so iterations start in order and on time while a slot is free, and
late (never skipped) when all are busy. A timeout cancels the iteration and
records Rally's ThreadTimeoutException.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from squall.exceptions import ThreadTimeoutException
from squall.task.atomic import FastIteration
from squall.task.worker_base import FLUSH_SECONDS, RawResult, WorkerBase, error_of


class AsyncWorker(WorkerBase):
    """Runs this process's share of the load on one event loop."""

    def main(self) -> None:
        """Run the load (on uvloop when installed), then let the scenario close what its worker opened."""
        try:
            import uvloop
        except ImportError:  # not on this platform: asyncio's own loop
            asyncio.run(self._main())
        else:
            uvloop.run(self._main())
        self.emitter.flush(final=True)

    async def run_one(self, index: int) -> RawResult:
        """Run iteration ``index``."""
        scenario = self.new_scenario(index)
        error: list[str] = []
        lag = self.start_lag(index)
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
            error = error_of(exc)
        duration = time.perf_counter() - started
        return self.result(index, timestamp, duration, scenario, error, lag)

    async def _main(self) -> None:
        flush_task = asyncio.create_task(self._flusher())
        if self.schedule.rate is None:
            await asyncio.gather(*(self._slot() for _ in range(self.slots)))
        else:
            await self._open_loop()
        flush_task.cancel()
        closer = getattr(self.cls, "close_worker_resources", None)
        if closer is not None:
            await closer()

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self.emitter.flush()

    async def _slot(self) -> None:
        fast = getattr(self.cls, "fast_iteration", None)
        step = fast(self.args) if fast is not None and not self.schedule.timeout else None
        if step is not None:
            await self._fast_slot(step)
            return
        while (index := self.next_index(start=True)) is not None:
            self.emitter.emit(await self.run_one(index))

    async def _fast_slot(self, step: FastIteration) -> None:
        # A scenario's fast_iteration: the same request and atomic action as its run(), without a scenario
        # instance per iteration (no context, output or idle time to collect: it has none).
        emit, perf_counter, wall = self.emitter.emit, time.perf_counter, time.time
        while (index := self.next_index(start=True)) is not None:
            actions: list[Any] = []
            error: list[str] = []
            timestamp = wall()
            started = perf_counter()
            try:
                await step(actions)
            except Exception as exc:
                error = error_of(exc)
            emit((index + 1, timestamp, perf_counter() - started, 0.0, error, None, actions, None))

    async def _wait_for_turn(self, index: int) -> bool:
        while (pause := self.pause_before(index)) is not None:
            if not pause:
                return True
            await asyncio.sleep(pause)
        return False

    async def _open_loop(self) -> None:
        # ``slots`` coroutines take turns: the one holding ``turn`` claims the next iteration, waits until it
        # is due and starts it; then the next free one claims the one after. When every slot is busy, the
        # next iteration starts late, when one frees. No task is made per iteration.
        turn = asyncio.Lock()

        async def slot() -> None:
            while True:
                async with turn:
                    index = self.next_index()
                    if index is None or not await self._wait_for_turn(index):
                        return
                    self.mark_started()
                self.emitter.emit(await self.run_one(index))

        await asyncio.gather(*(slot() for _ in range(self.slots)))
