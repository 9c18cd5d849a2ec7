"""A worker process whose iterations run as asyncio tasks (``async def run`` scenarios).

Closed loop: ``slots`` coroutines each claim and run iterations. Open loop:
the same coroutines take turns to claim the next iteration and wait until it
is due, so iterations start in order and on time while a slot is free, and
late (never skipped) when all are busy. A timeout cancels the iteration and
records Rally's ThreadTimeoutException.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NamedTuple

from squall.exceptions import ThreadTimeoutException
from squall.plugin_api.atomic import AtomicAction, CallbackIteration, CallbackStep
from squall.plugin_api.scenario import Scenario, VirtualUser
from squall.results import error_triple
from squall.task.load.emitter import FLUSH_SECONDS, RawResult
from squall.task.load.local.worker_base import WorkerBase

#: How a slot begins iteration ``index`` as a user: (user, index, start lag, then, finished).
Begin = Callable[[VirtualUser, int, "float | None", Callable[[], None], "asyncio.Future[None]"], None]


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
        step = self._callback_step()
        # Successful iterations of a callback step, when the emitter records them in columns (flushed from
        # this same thread, by the flusher task).
        self._record_ok = self.emitter.ok_recorder(step.action) if step is not None else None
        begin = self._callback_begin(step)
        closed_loop = self.schedule.rate is None
        if begin is not None:
            await (self._callback_slots(begin) if closed_loop else self._callback_open_loop(begin))
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

    def _callback_step(self) -> CallbackStep | None:
        """The scenario's iteration as a callback step, when it offers one for these arguments (and no
        timeout needs a task to cancel)."""
        if self._callbacks_barred():
            return None
        return self.cls.fast_iteration(self.args)

    def _callbacks_barred(self) -> bool:
        # A timeout needs a task to cancel; ramping users wait between iterations.
        return bool(self.schedule.timeout) or self.schedule.users is not None

    def _callback_begin(self, step: CallbackStep | None) -> Begin | None:
        """How a slot begins an iteration on callbacks: the callback step's, or the scenario's callback
        iteration's (asked only when it has no callback step); None when each iteration calls run()."""
        if step is not None:
            return functools.partial(self._begin, step)
        iteration = None if self._callbacks_barred() else self.cls.callback_iteration(self.args)
        return functools.partial(self._begin_iteration, iteration) if iteration is not None else None

    async def _callback_slots(self, begin: Begin) -> None:
        # Each slot is a virtual user whose iterations are a chain of callbacks: the end of one claims and begins
        # the next, inside the event loop's callback that saw it end. The same atomic actions and result as the
        # scenario's run(), without a scenario instance, coroutine or task per iteration (no context or output).
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        next_index = self.next_index
        running = self.slots

        def chain(user: VirtualUser) -> Callable[[], None]:
            def claim_and_begin() -> None:
                nonlocal running
                index = next_index(start=True)
                if index is None:
                    running -= 1
                    if not running and not finished.done():
                        finished.set_result(None)
                    return
                begin(user, index, None, claim_and_begin, finished)

            return claim_and_begin

        for user in self.new_users():
            chain(user)()
        await finished

    async def _callback_open_loop(self, begin: Begin) -> None:
        # The open loop on callbacks: one claimed iteration waits for its due time (a timer), then starts if a
        # user is free; a user that frees starts the next one at once if it is due (late, never skipped).
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        free = self.new_users()
        pending: int | None = None  # claimed, not yet started
        timer: asyncio.TimerHandle | None = None
        over = False

        def on_timer() -> None:
            nonlocal timer
            timer = None
            pump()

        def freed_by(user: VirtualUser) -> Callable[[], None]:
            def freed() -> None:
                free.append(user)
                pump()

            return freed

        then = {user.number: freed_by(user) for user in free}

        def pump() -> None:
            nonlocal pending, timer, over
            while free and not over:
                if pending is None:
                    pending = self.next_index()
                    if pending is None:
                        over = True
                        break
                pause = self.pause_before(pending)
                if pause is None:  # stopped
                    over = True
                    break
                if pause:
                    if timer is None:
                        timer = loop.call_later(pause, on_timer)
                    return
                index, pending = pending, None
                self.mark_started()
                user = free.pop()
                begin(user, index, self.start_lag(index), then[user.number], finished)
            if over and len(free) == self.slots and not finished.done():
                finished.set_result(None)

        pump()
        await finished
        if timer is not None:
            timer.cancel()

    def _begin(self, step: CallbackStep, user: VirtualUser, index: int, lag: float | None, then: Callable[[], None],
               finished: asyncio.Future[None]) -> None:
        """Begin iteration ``index`` of ``step``; when it ends, emit its result and call ``then`` (at once after a
        success, which always comes from the event loop; on the loop's next turn after a failure, which may come
        from inside ``step.start``)."""
        emit, wall, perf_counter, name = self.emitter.emit, time.time, time.perf_counter, step.action
        record_ok = self._record_ok if lag is None else None
        timestamp = wall()
        started = perf_counter()

        def done(exc: BaseException | None) -> None:
            duration = perf_counter() - started
            try:
                if exc is None and record_ok is not None:
                    record_ok(index + 1, timestamp, duration, wall())
                    then()
                    return
                action = {"name": name, "started_at": timestamp, "finished_at": wall(), "failed": exc is not None,
                          "children": []}
                emit((index + 1, timestamp, duration, 0.0, [] if exc is None else error_triple(exc), None,
                      [action], lag))
                if exc is None:
                    then()
                else:
                    asyncio.get_running_loop().call_soon(then)
            except BaseException as failure:  # the engine's own failure: end the load with it
                if not finished.done():
                    finished.set_exception(failure)

        try:
            step.start(done)
        except Exception as exc:
            done(exc)

    def _begin_iteration(self, iteration: CallbackIteration, user: VirtualUser, index: int, lag: float | None,
                         then: Callable[[], None], finished: asyncio.Future[None]) -> None:
        """Begin iteration ``index`` of a callback iteration as ``user``; when it ends, emit its result and call
        ``then`` (on the loop's next turn when it ended inside ``iteration.start`` or failed: no recursion)."""
        emit, perf_counter = self.emitter.emit, time.perf_counter
        timestamp = time.time()
        started = perf_counter()
        starting = True
        ended = False

        def done(exc: BaseException | None, actions: list[AtomicAction], idle: float) -> None:
            nonlocal ended
            if ended:
                return
            ended = True
            duration = perf_counter() - started
            try:
                emit((index + 1, timestamp, duration - idle, idle, [] if exc is None else error_triple(exc), None,
                      actions, lag))
                if exc is None and not starting:
                    then()
                else:
                    asyncio.get_running_loop().call_soon(then)
            except BaseException as failure:  # the engine's own failure: end the load with it
                if not finished.done():
                    finished.set_exception(failure)

        try:
            iteration.start(user, index + 1, done)
        except Exception as exc:
            done(exc, [], 0.0)
        starting = False

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
