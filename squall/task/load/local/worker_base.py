"""What every worker process shares, whatever runs its iterations: numbering, pacing, batching, results.

Iteration numbers come from one counter shared by all processes, in start
order, so the parent knows at any moment how many iterations have started
(iteration triggers use it). Results travel to the parent in batches over one
queue as compact tuples (:data:`RawResult`); nothing is logged per iteration.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from squall import registry
from squall.plugin_api.runner import Schedule
from squall.plugin_api.scenario import Scenario, VirtualUser
from squall.task.load.aggregating import AggregatingEmitter
from squall.task.load.emitter import Emitter, RawResult

PACING_STEP = 0.05  # longest sleep while waiting for an open-loop iteration's turn


class StopFlag:
    """A flag every process of a workload reads without a lock (checked before every iteration)."""

    def __init__(self, value: Any) -> None:
        self._value = value  # RawValue('b') in shared memory

    def set(self) -> None:
        """Raise the flag."""
        self._value.value = 1

    def is_set(self) -> bool:
        """Whether the flag is raised."""
        return bool(self._value.value)


@dataclass
class SharedState:
    """The objects the parent and every worker process of one workload share."""

    counter: Any  # RawValue('q'): next iteration index
    started: Any  # RawValue('q'): closed-loop iterations that have started (claimed)
    started_open: Any  # RawArray('q'), one per process: open-loop iterations each has started
    lock: Any
    stop: Any  # StopFlag, or any object with set() and is_set(): start no more iterations
    queue: Any
    credits: Any  # Semaphore: one per batch in flight
    ready: Any  # Barrier: the parent and every worker, ready to load
    clock: Any  # RawValue('d'): time.monotonic() of the load's start, set as the barrier opens
    row_columns: bool = False  # rows may travel as OkColumns (the parent's consumer takes them)

    @property
    def t0(self) -> float:
        """The load's start on the monotonic (system-wide) clock: the zero of schedules and time triggers."""
        return float(self.clock.value)


class WorkerBase:
    """One worker process's share of the load; subclasses run the iterations (threads or asyncio)."""

    def __init__(self, shared: SharedState, schedule: Schedule, scenario_name: str,
                 args: dict[str, Any], context: dict[str, Any], slots: int, worker_id: int = 0) -> None:
        self.shared = shared
        self.worker_id = worker_id
        self.schedule = schedule
        self.cls: type[Scenario] = registry.get("scenario", scenario_name)  # type: ignore[assignment]
        self.args = args
        self.context = context
        self.slots = slots
        if schedule.results == "aggregate":
            open_loop = schedule.rate is not None
            self.emitter: Emitter = AggregatingEmitter(shared.queue, shared.credits,
                                                       shared.started_open if open_loop else None, worker_id,
                                                       self.cls.COUNT_EACH_ACTION)
        else:
            self.emitter = Emitter(shared.queue, shared.credits, columns=shared.row_columns)
        self.deadline: float | None = None

    def start_clock(self) -> None:
        """The load has begun (the barrier opened): a duration counts from now."""
        self.deadline = None if self.schedule.duration is None else self.shared.t0 + self.schedule.duration
        self.emitter.start(time.time() - (time.monotonic() - self.shared.t0))

    def main(self) -> None:
        """Run this worker's share, then send what is left."""
        raise NotImplementedError

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
        lock = sh.lock
        lock.acquire()  # the C method: ``with`` would add two Python calls to every iteration
        try:
            index = sh.counter.value
            if self.schedule.times is not None and index >= self.schedule.times:
                return None
            sh.counter.value = index + 1
            if start:
                sh.started.value += 1
        finally:
            lock.release()
        return index

    def mark_started(self) -> None:
        """Count a claimed iteration as started (open loop: when its turn came).

        Each process counts in its own cell, without the shared lock: only its
        scheduler (one thread or one coroutine) writes it; the parent sums them.
        """
        counts = self.shared.started_open
        counts[self.worker_id] += 1

    def pause_before(self, index: int) -> float | None:
        """Open loop: seconds to sleep before asking again (0 when iteration ``index`` is due), None once stopped."""
        if self.shared.stop.is_set():
            return None
        rate = self.schedule.rate
        if rate is None:
            return 0.0
        due = self.shared.t0 + rate.offset(index)
        if self.deadline is not None and due >= self.deadline:
            return None  # due after the load's end: it never starts
        left = due - time.monotonic()
        return 0.0 if left <= 0 else min(left, PACING_STEP)

    def start_lag(self, index: int) -> float | None:
        """Open loop: seconds iteration ``index`` is starting behind its due time (0 when on time); None in a
        closed loop, where an iteration is due when a slot frees."""
        rate = self.schedule.rate
        if rate is None:
            return None
        return max(0.0, time.monotonic() - (self.shared.t0 + rate.offset(index)))

    # -- one iteration -------------------------------------------------------
    def new_scenario(self, index: int, user: VirtualUser | None = None) -> Scenario:
        """A scenario instance for iteration ``index`` (its context says which, 1-based), run by ``user``."""
        scenario = self.cls({**self.context, "iteration": index + 1})
        if user is not None:
            scenario.user = user
        return scenario

    def new_users(self) -> list[VirtualUser]:
        """This process's virtual users, one per slot. Users are numbered densely over every process, in turn
        (process 0 has users 0, P, 2P...), so the first ones a ramp lets in are spread over the processes."""
        schedule = self.schedule
        stride = schedule.user_stride * len(schedule.slots)
        first = schedule.first_user + self.worker_id * schedule.user_stride
        return [VirtualUser(first + slot * stride) for slot in range(self.slots)]

    def user_pause(self, user: int) -> float | None:
        """With ramping users: seconds to wait before user ``user`` may start an iteration (0: now), None once the
        load is over for it (stopped, or past the stages)."""
        users = self.schedule.users
        if self.shared.stop.is_set():
            return None
        if users is None:
            return 0.0
        elapsed = time.monotonic() - self.shared.t0
        if elapsed >= users.seconds:
            return None
        return 0.0 if user < users.at(elapsed) else PACING_STEP

    @staticmethod
    def result(index: int, timestamp: float, duration: float, scenario: Scenario, error: list[str],
               lag: float | None = None) -> RawResult:
        """The compact result of one iteration; idle time is not counted in the duration."""
        idle = scenario.idle_duration()
        return (index + 1, timestamp, duration - idle, idle, error, scenario.output(), scenario.atomic_actions(),
                lag)
