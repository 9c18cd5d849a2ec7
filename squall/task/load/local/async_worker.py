"""A worker process whose iterations run as asyncio tasks (``async def run`` scenarios).

Closed loop: ``slots`` coroutines each claim and run iterations. Open loop:
the same coroutines take turns to claim the next iteration and wait until it
is due, so iterations start in order and on time while a slot is free, and
late (never skipped) when all are busy. A timeout cancels the iteration and
records Rally's ThreadTimeoutException. A scenario that offers its iteration
on callbacks runs without any of this, in :mod:`callback_load`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NamedTuple

from squall.exceptions import ThreadTimeoutException
from squall.plugin_api.scenario import Scenario, VirtualUser
from squall.results import error_triple
from squall.task.load.emitter import FLUSH_SECONDS, RawResult
from squall.task.load.local.callback_load import CallbackLoad
from squall.task.load.local.worker_base import WorkerBase


class Ran(NamedTuple):
    """One run iteration before it becomes a result: :meth:`WorkerBase.result`'s arguments."""

    iteration: int  # 0-based
    timestamp: float
    duration: float
    scenario: Scenario
    error: list[str]
    lag: float | None


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

    async def run_one(self, index: int, user: VirtualUser) -> RawResult:
        """Run iteration ``index`` as ``user``."""
        return self.result(*await self._iterate(index, user))

    async def _iterate(self, index: int, user: VirtualUser) -> Ran:
        scenario = self.new_scenario(index, user)
        lag = self.start_lag(index)
        timestamp = time.time()
        started = time.perf_counter()
        error = await self._timed(scenario.run(**self.args))
        return Ran(index, timestamp, time.perf_counter() - started, scenario, error, lag)

    async def _timed(self, call: Coroutine[Any, Any, Any]) -> list[str]:
        """Await a scenario's coroutine within the runner's timeout: its error triple, empty when it succeeded."""
        try:
            if self.schedule.timeout:
                await asyncio.wait_for(call, self.schedule.timeout)
            else:
                await call
        except TimeoutError:
            return error_triple(ThreadTimeoutException(timeout=self.schedule.timeout or 0), "")
        except Exception as exc:
            return error_triple(exc)
        return []

    async def _user_lifetime(self, user: VirtualUser, claim: Callable[[], Awaitable[int | None]]) -> None:
        """Run ``user``'s iterations while ``claim`` gives their numbers. A scenario that stops its users (a
        logout) has each user's latest iteration held back until the next one ends: the stop joins the
        user's last iteration, its requests and time counted there, as a start joins the first."""
        if not self.cls.stops_users():
            while (index := await claim()) is not None:
                self.emitter.emit(await self.run_one(index, user))
            return
        last: Ran | None = None
        while (index := await claim()) is not None:
            ran = await self._iterate(index, user)
            if last is not None:
                self.emitter.emit(self.result(*last))
            last = ran
        if last is not None:
            began = time.perf_counter()
            error = await self._timed(last.scenario.stop_user(**self.args))
            last = last._replace(duration=last.duration + time.perf_counter() - began, error=last.error or error)
            self.emitter.emit(self.result(*last))

    async def _main(self) -> None:
        flush_task = asyncio.create_task(self._flusher())
        on_callbacks = CallbackLoad.for_worker(self)
        closed_loop = self.schedule.rate is None
        if on_callbacks is not None:
            await on_callbacks.run()
        elif closed_loop:
            await asyncio.gather(*(self._slot(user) for user in self.new_users()))
        else:
            await self._open_loop()
        flush_task.cancel()
        await self.cls.close_worker_resources()

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self.emitter.flush()

    async def _slot(self, user: VirtualUser) -> None:
        async def claim() -> int | None:
            return self.next_index(start=True) if await self._user_may_go(user) else None

        await self._user_lifetime(user, claim)

    async def _user_may_go(self, user: VirtualUser) -> bool:
        # Ramping users: wait while the stages keep this user out; False once the load is over for it.
        while (pause := self.user_pause(user.number)) is not None:
            if not pause:
                return True
            await asyncio.sleep(pause)
        return False

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

        async def claim() -> int | None:
            async with turn:
                index = self.next_index()
                if index is None or not await self._wait_for_turn(index):
                    return None
                self.mark_started()
                return index

        await asyncio.gather(*(self._user_lifetime(user, claim) for user in self.new_users()))
