"""A worker's load on callbacks: each virtual user is a chain of callbacks, with no coroutine, future or task per
iteration.

A scenario offers its iteration as a :class:`~squall.plugin_api.atomic.CallbackStep` (one atomic action:
``fast_iteration``) or a :class:`~squall.plugin_api.atomic.CallbackIteration` (a user's iteration of several:
``callback_iteration``). The end of one iteration claims and begins the user's next, inside the event loop's
callback that saw it end, as wrk's state machine does. The results are those of the scenario's ``run``: the
same atomic actions, errors, idle time, start lag, ramping users and per-user stop.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from squall.plugin_api.atomic import AtomicAction, CallbackIteration, CallbackStep
from squall.plugin_api.scenario import VirtualUser
from squall.results import error_triple
from squall.task.load.emitter import RawResult

if TYPE_CHECKING:
    from squall.task.load.local.async_worker import AsyncWorker

#: How a slot begins iteration ``index`` as a user: (user, index, start lag, then, finished).
Begin = Callable[[VirtualUser, int, "float | None", Callable[[], None], "asyncio.Future[None]"], None]


class CallbackLoad:
    """One worker's share of the load, run on callbacks."""

    def __init__(self, worker: AsyncWorker, step: CallbackStep | None, iteration: CallbackIteration | None) -> None:
        self.worker = worker
        self.emitter = worker.emitter
        # Successful iterations of a callback step, when the emitter records them in columns (flushed from this
        # same thread, by the worker's flusher task).
        self._record_ok = self.emitter.ok_recorder(step.action) if step is not None else None
        self._iteration = iteration
        self._begin: Begin
        if step is not None:
            self._begin = functools.partial(self._begin_step, step)
        else:
            assert iteration is not None
            self._begin = functools.partial(self._begin_iteration, iteration)
        # A user's latest result, held back until its next iteration ends or its stop joins it.
        self._held: dict[int, tuple[VirtualUser, RawResult]] = {}
        self._holds = bool(iteration is not None and iteration.stops_users)

    @classmethod
    def for_worker(cls, worker: AsyncWorker) -> CallbackLoad | None:
        """The worker's load on callbacks, when its scenario offers them for these arguments; None when each
        iteration must call run() (a runner timeout needs a task to cancel)."""
        schedule = worker.schedule
        if schedule.timeout or (schedule.users is not None and schedule.rate is not None):
            return None
        step = worker.cls.fast_iteration(worker.args)
        iteration = worker.cls.callback_iteration(worker.args) if step is None else None
        return cls(worker, step, iteration) if step is not None or iteration is not None else None

    async def run(self) -> None:
        """Run the share: every user's iterations, then the stops of the users that ran."""
        await (self._slots() if self.worker.schedule.rate is None else self._open_loop())
        if self._held:
            assert self._iteration is not None
            await self._stop_users(self._iteration)

    async def _slots(self) -> None:
        # The closed loop: each user claims its next iteration as its last one ends; ramping users wait (a timer)
        # while the stages keep them out.
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        worker, begin = self.worker, self._begin
        next_index = worker.next_index
        user_pause = worker.user_pause if worker.schedule.users is not None else None
        running = worker.slots

        def chain(user: VirtualUser) -> Callable[[], None]:
            def claim_and_begin() -> None:
                nonlocal running
                pause = user_pause(user.number) if user_pause is not None else 0.0
                if pause:
                    loop.call_later(pause, claim_and_begin)
                    return
                index = None if pause is None else next_index(start=True)
                if index is None:
                    running -= 1
                    if not running and not finished.done():
                        finished.set_result(None)
                    return
                begin(user, index, None, claim_and_begin, finished)

            return claim_and_begin

        for user in worker.new_users():
            chain(user)()
        await finished

    async def _open_loop(self) -> None:
        # One claimed iteration waits for its due time (a timer), then starts if a user is free; a user that
        # frees starts the next one at once if it is due (late, never skipped).
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        worker, begin = self.worker, self._begin
        free = worker.new_users()
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
                    pending = worker.next_index()
                    if pending is None:
                        over = True
                        break
                pause = worker.pause_before(pending)
                if pause is None:  # stopped
                    over = True
                    break
                if pause:
                    if timer is None:
                        timer = loop.call_later(pause, on_timer)
                    return
                index, pending = pending, None
                worker.mark_started()
                user = free.pop()
                begin(user, index, worker.start_lag(index), then[user.number], finished)
            if over and len(free) == worker.slots and not finished.done():
                finished.set_result(None)

        pump()
        await finished
        if timer is not None:
            timer.cancel()

    def _begin_step(self, step: CallbackStep, user: VirtualUser, index: int, lag: float | None,
                    then: Callable[[], None], finished: asyncio.Future[None]) -> None:
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
                _go_on(then, exc is None)
            except BaseException as failure:  # the engine's own failure: end the load with it
                _end_with(finished, failure)

        try:
            step.start(done)
        except Exception as exc:
            done(exc)

    def _begin_iteration(self, iteration: CallbackIteration, user: VirtualUser, index: int, lag: float | None,
                         then: Callable[[], None], finished: asyncio.Future[None]) -> None:
        """Begin iteration ``index`` as ``user``; when it ends, emit its result (or hold it back, for a user that
        stops) and call ``then`` (on the loop's next turn when it ended inside ``iteration.start`` or failed)."""
        perf_counter = time.perf_counter
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
                self._ended(user, (index + 1, timestamp, duration - idle, idle,
                                   [] if exc is None else error_triple(exc), None, actions, lag))
                _go_on(then, exc is None and not starting)
            except BaseException as failure:  # the engine's own failure: end the load with it
                _end_with(finished, failure)

        try:
            iteration.start(user, index + 1, done)
        except Exception as exc:
            done(exc, [], 0.0)
        starting = False

    def _ended(self, user: VirtualUser, result: RawResult) -> None:
        if not self._holds:
            self.emitter.emit(result)
            return
        before = self._held.get(user.number)
        self._held[user.number] = (user, result)
        if before is not None:
            self.emitter.emit(before[1])

    async def _stop_users(self, iteration: CallbackIteration) -> None:
        """Each user's stop, joined to its last iteration: its actions, time and first error count there."""
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        held, self._held = self._held, {}
        left = len(held)

        def stopper(last: RawResult) -> Callable[[BaseException | None, list[AtomicAction], float], None]:
            began = time.perf_counter()
            ended = False

            def stopped(exc: BaseException | None, actions: list[AtomicAction], idle: float) -> None:
                nonlocal left, ended
                if ended:
                    return
                ended = True
                took = time.perf_counter() - began
                number, timestamp, duration, idle_before, error, output, done_actions, lag = last
                try:
                    self.emitter.emit((number, timestamp, duration + took - idle, idle_before + idle,
                                       error or ([] if exc is None else error_triple(exc)), output,
                                       [*done_actions, *actions], lag))
                except BaseException as failure:  # the engine's own failure
                    _end_with(finished, failure)
                left -= 1
                if not left and not finished.done():
                    finished.set_result(None)

            return stopped

        for user, last in held.values():
            stopped = stopper(last)
            try:
                iteration.stop(user, stopped)
            except Exception as exc:
                stopped(exc, [], 0.0)
        await finished


def _go_on(then: Callable[[], None], now: bool) -> None:
    """Let a user go on to its next iteration: at once when ``now``, else on the event loop's next turn (after a
    failure, which may come from inside a start: no recursion)."""
    if now:
        then()
    else:
        asyncio.get_running_loop().call_soon(then)


def _end_with(finished: asyncio.Future[None], failure: BaseException) -> None:
    """End the load with the engine's own failure (the first one)."""
    if not finished.done():
        finished.set_exception(failure)
