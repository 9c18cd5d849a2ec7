"""One shard of a workload, run as a task on a Dask worker.

:func:`run_shard` is what :class:`~squall.task.load.dask.executor.DaskExecutor`
submits: it runs squall's own worker loop (asyncio or threads, as on one
machine) inside the Dask worker process for its share of the schedule, and
talks to squall's process over one Dask queue:

- ``("ready", shard)`` once set up; it then waits for the start time;
- ``("batch", shard, results)`` about every 50 ms or 512 results;
- ``("started", shard, count)`` at most every 10 ms, when it changed;
- ``("done", shard, status)`` at the end.

A Dask event stops it. Shard ``k`` of ``n`` takes iterations ``k``,
``k + n``, ... of the whole schedule, at their own offsets (ramps included),
so the union of the shards' starts keeps the schedule. A shard that Dask
resubmits after its worker died does nothing: no iteration runs twice.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from squall.plugin_api.runner import RateSchedule, Schedule, split

REPORT_SECONDS = 0.01  # how often a shard reports its started count
_READY_SECONDS = 120.0


@dataclass(frozen=True)
class StridedRate:
    """Shard ``k`` of ``n`` of a rate schedule: its local iteration ``i`` is the schedule's ``k + i * n``."""

    rate: RateSchedule
    shard: int
    shards: int

    def offset(self, index: int) -> float:
        """Seconds from the load's start until local iteration ``index`` starts."""
        return self.rate.offset(self.shard + index * self.shards)

    def rate_at(self, seconds: float) -> float:
        """This shard's share of the rate asked for ``seconds`` after the start."""
        return self.rate.rate_at(seconds) / self.shards

    @property
    def final_rate(self) -> float:
        """This shard's share of the final rate."""
        return self.rate.final_rate / self.shards


def shard_schedules(schedule: Schedule, shards: int) -> list[Schedule]:
    """The whole schedule split over ``shards``: times and slots spread evenly, one shared deadline, the rate
    strided. A shard never gets fewer than one slot; shards beyond the work are dropped."""
    slots_total = sum(schedule.slots)
    shards = max(1, min(shards, slots_total, schedule.times if schedule.times is not None else shards))
    times = split(schedule.times, shards) if schedule.times is not None else (None,) * shards
    slots = split(slots_total, shards)
    out = []
    for k in range(shards):
        rate = StridedRate(schedule.rate, k, shards) if schedule.rate is not None else None
        out.append(replace(schedule, processes=1, slots=(slots[k],), times=times[k], rate=rate,  # type: ignore[arg-type]
                           first_user=schedule.first_user + k * schedule.user_stride,
                           user_stride=schedule.user_stride * shards))
    return out


class _Counter:
    """A shard-local stand-in for a shared ``RawValue``."""

    def __init__(self, value: Any = 0) -> None:
        self.value = value


class _Flag:
    """A shard-local stop flag (set by the watcher of the Dask event)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        """Raise the flag."""
        self._event.set()

    def is_set(self) -> bool:
        """Whether the flag is raised."""
        return self._event.is_set()


class _Forward:
    """The worker loop's result queue: every batch goes to squall's process over the Dask queue."""

    def __init__(self, queue: Any, shard: int) -> None:
        self.queue = queue
        self.shard = shard

    def put(self, batch: Any) -> None:
        """Send one batch (blocks while the Dask queue is full: back-pressure)."""
        self.queue.put(("batch", self.shard, batch))


class _NoCredits:
    def acquire(self) -> None:
        """The Dask queue's size bounds what is in flight."""

    def release(self) -> None:
        """Nothing to release."""


def _claim(run: str, shard: int) -> bool:
    """True for the first attempt at this shard; False for a resubmission after a lost worker."""
    from distributed import Variable

    claimed = Variable(f"{run}-claimed-{shard}")
    try:
        claimed.get(timeout=0.5)
    except TimeoutError:
        claimed.set(True)
        return True
    return False


def run_shard(run: str, shard: int, schedule: Schedule, scenario_name: str, args: dict[str, Any],
              context: dict[str, Any], clock_offset: float) -> dict[str, Any]:
    """Run shard ``shard`` of workload run ``run``; ``clock_offset`` is this machine's wall clock minus squall's."""
    from distributed import Event, Queue, Variable, get_worker

    from squall import __version__, registry
    from squall.task.load.local.async_worker import AsyncWorker
    from squall.task.load.local.thread_worker import ThreadWorker
    from squall.task.load.local.worker_base import SharedState

    address = get_worker().address
    if not _claim(run, shard):
        return {"shard": shard, "worker": address, "status": "duplicate", "version": __version__}
    queue, stop_event = Queue(f"{run}-results"), Event(f"{run}-stop")
    cls = registry.get("scenario", scenario_name)
    cls.before_load(context)  # type: ignore[attr-defined]
    flag = _Flag()
    shared = SharedState(counter=_Counter(), started=_Counter(), started_open=[0], lock=threading.Lock(),
                         stop=flag, queue=_Forward(queue, shard), credits=_NoCredits(), ready=None,
                         clock=_Counter(0.0))
    worker_cls = AsyncWorker if cls.is_async() else ThreadWorker  # type: ignore[attr-defined]
    worker = worker_cls(shared, schedule, scenario_name, args, context, schedule.slots[0], 0)
    queue.put(("ready", shard))
    start_at = Variable(f"{run}-start").get(timeout=_READY_SECONDS)  # squall's wall clock
    done = threading.Event()
    watchers = [threading.Thread(target=_watch_stop, args=(stop_event, flag, done), daemon=True),
                threading.Thread(target=_report_started, args=(queue, shard, shared, done), daemon=True)]
    delay = start_at + clock_offset - time.time()
    if delay > 0:
        time.sleep(delay)
    shared.clock.value = time.monotonic()
    for thread in watchers:
        thread.start()
    status = "ok"
    try:
        worker.start_clock()
        worker.main()
    except BaseException as exc:  # report, never die silently
        status = f"{type(exc).__name__}: {exc}"
    done.set()
    for thread in watchers:
        thread.join()
    queue.put(("started", shard, _started(shared)))
    queue.put(("done", shard, status))
    return {"shard": shard, "worker": address, "status": status, "version": __version__}


def _started(shared: Any) -> int:
    return int(shared.started.value) + sum(shared.started_open)


def _watch_stop(event: Any, flag: _Flag, done: threading.Event) -> None:
    while not done.is_set():
        if event.wait(timeout=0.2):
            flag.set()
            return


def _report_started(queue: Any, shard: int, shared: Any, done: threading.Event) -> None:
    last = -1
    while not done.wait(REPORT_SECONDS):
        count = _started(shared)
        if count != last:
            queue.put(("started", shard, count))
            last = count
