"""A workload's load sharded over the workers of a Dask cluster (``distributed``), seen from squall's process.

Contexts are set up here and their context ships to the shards
(:mod:`squall.task.load.dask.shard`); results come back in batches over one Dask
queue and are renumbered here in arrival order (unique and dense), their
timestamps moved onto this machine's clock (each worker's offset is measured
before the start from several round trips, NTP-fashion, and the smallest
round trip wins), and tagged with the worker's address. Hooks, SLA and
storage stay here, as on one machine.
"""

from __future__ import annotations

import queue as queue_mod
import threading
import time
import uuid
from typing import Any

from squall import __version__, exceptions
from squall.env.dask_connection import connect, connected
from squall.env.executor_spec import ExecutorSpec
from squall.plugin_api.runner import Schedule
from squall.task.load.dask.plugins import check_plugin, ship_plugin_files
from squall.task.load.dask.shard import run_shard, shard_schedules
from squall.task.load.emitter import RawResult
from squall.task.load.executor import Batch

_READY_SECONDS = 120.0
_START_LEAD = 0.2  # seconds between the start signal and the load's start: time for every shard to hear it
_CLOCK_ROUNDS = 5
_QUEUE_SIZE = 256
_LOSS_CHECK_SECONDS = 0.5  # result batches in flight; a shard waits when the queue is full


def clock_offsets(client: Any, workers: list[str]) -> dict[str, tuple[float, float]]:
    """Each worker's wall clock minus this machine's, and the uncertainty (half the best round trip)."""
    best: dict[str, tuple[float, float]] = {}
    for _ in range(_CLOCK_ROUNDS):
        for address in workers:
            sent = time.time()
            remote = client.run(time.time, workers=[address])[address]
            back = time.time()
            half = (back - sent) / 2
            if address not in best or half < best[address][1]:
                best[address] = (remote - (sent + half), half)
    return best


def check_versions(client: Any, workers: list[str]) -> None:
    """Refuse workers whose squall is not this one, naming both versions."""
    def version() -> str:
        try:
            from squall import __version__ as theirs
        except ImportError:
            return "not installed"
        return theirs

    found = client.run(version, workers=workers)
    wrong = {addr: v for addr, v in found.items() if v != __version__}
    if wrong:
        listed = ", ".join(f"{addr} has {v}" for addr, v in sorted(wrong.items()))
        raise exceptions.InvalidArgumentsError(f"Dask workers run another squall than this one ({__version__}): "
                                               f"{listed}")


def checked_workers(client: Any, spec: ExecutorSpec, scenarios: tuple[str, ...]) -> list[str]:
    """The cluster's worker addresses, once it has some, all running this squall and these scenario plugins."""
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        raise exceptions.InvalidArgumentsError(f"the Dask scheduler at {spec.address or 'dask-local'} has no "
                                               "workers")
    check_versions(client, workers)
    ship_plugin_files(client, workers)
    for scenario in scenarios:
        check_plugin(client, workers, scenario)
    return workers


def probe(spec: ExecutorSpec, scenarios: tuple[str, ...] = ()) -> None:
    """Connect to the scheduler, check it has workers running this squall (and these scenario plugins), and
    disconnect."""
    with connected(spec) as client:
        checked_workers(client, spec, scenarios)


class DaskExecutor:
    """The engine's handle on a load spread over Dask workers (see :class:`~squall.task.load.executor.Executor`)."""

    def __init__(self, spec: ExecutorSpec, schedule: Schedule, scenario_name: str, args: dict[str, Any],
                 context: dict[str, Any]) -> None:
        self.spec = spec
        self.schedule = schedule
        self.errors: list[str] = []
        self.started_at = 0.0
        self._spec = (scenario_name, args, context)
        self._run = f"squall-{uuid.uuid4().hex[:12]}"
        self._client: Any = None
        self._cluster: Any = None
        self._futures: list[Any] = []
        self._shard_workers: dict[int, str] = {}
        self._offsets: dict[str, tuple[float, float]] = {}
        self._started: dict[int, int] = {}
        self._received: dict[int, int] = {}
        self._running: set[int] = set()
        self._batches: queue_mod.Queue[Batch] = queue_mod.Queue()
        self._number = 0
        self._t0 = 0.0
        self._stop_event: Any = None
        self._pump: threading.Thread | None = None
        self._closing = threading.Event()
        self._stopped = False
        self.lost: list[str] = []  # addresses of workers lost during the load

    # -- start -------------------------------------------------------------
    def start(self) -> None:
        """Connect, check the workers, measure their clocks, submit the shards, and start them together."""
        from distributed import Event, Queue, Variable

        self._client, self._cluster = connect(self.spec)
        workers = checked_workers(self._client, self.spec, (self._spec[0],))
        wanted = self.spec.dask_workers or len(workers)
        if wanted > len(workers):
            raise exceptions.InvalidArgumentsError(f"--dask-workers {wanted}: the cluster has {len(workers)}")
        serial = sum(self.schedule.slots) == 1 and self.schedule.rate is None
        schedules = shard_schedules(self.schedule, 1 if serial else wanted)
        self._offsets = clock_offsets(self._client, workers)
        self._stop_event = Event(f"{self._run}-stop", client=self._client)
        results = Queue(f"{self._run}-results", client=self._client, maxsize=_QUEUE_SIZE)
        name, args, context = self._spec
        for k, sched in enumerate(schedules):
            address = workers[k % len(workers)]
            self._shard_workers[k] = address
            self._futures.append(self._client.submit(
                run_shard, self._run, k, sched, name, args, context, self._offsets[address][0],
                workers=[address], allow_other_workers=False, pure=False, key=f"{self._run}-shard-{k}"))
        self._running = set(range(len(schedules)))
        self._wait_ready(results, len(schedules))
        start_wall = time.time() + _START_LEAD
        self._t0 = time.monotonic() + _START_LEAD
        self.started_at = start_wall
        Variable(f"{self._run}-start", client=self._client).set(start_wall)
        self._pump = threading.Thread(target=self._pump_results, args=(results,), name="dask-results", daemon=True)
        self._pump.start()

    def _wait_ready(self, results: Any, shards: int) -> None:
        ready: set[int] = set()
        deadline = time.monotonic() + _READY_SECONDS
        while len(ready) < shards:
            left = deadline - time.monotonic()
            failed = [f for f in self._futures if f.status == "error"]
            if failed:
                raise exceptions.InvalidArgumentsError(f"a Dask shard failed before the start: {failed[0].exception()}")
            if left <= 0:
                raise exceptions.InvalidArgumentsError(f"only {len(ready)} of {shards} Dask shards got ready in "
                                                       f"{_READY_SECONDS:.0f} s")
            try:
                item = results.get(timeout=min(1.0, left))
            except TimeoutError:
                continue
            if item[0] == "ready":
                ready.add(item[1])

    # -- results -----------------------------------------------------------
    def _pump_results(self, results: Any) -> None:
        checked = time.monotonic()
        while not self._closing.is_set() and self._running:
            if time.monotonic() - checked >= _LOSS_CHECK_SECONDS:
                self._check_lost()
                checked = time.monotonic()
            try:
                items = [results.get(timeout=0.2)]
                items += results.get(batch=True)
            except TimeoutError:
                continue
            except Exception as exc:  # the scheduler went away: every shard is lost
                self.errors.append(f"lost the Dask scheduler: {type(exc).__name__}: {exc}")
                self._running.clear()
                return
            for item in items:
                self._take(item)

    def _take(self, item: tuple[Any, ...]) -> None:
        kind, shard = item[0], item[1]
        if kind == "batch" and isinstance(item[2], dict) and item[2].get("kind") == "rows":  # rows with checks
            self._batches.put({**item[2], "whole": self._corrected(shard, item[2]["whole"])})
        elif kind == "batch" and isinstance(item[2], dict):  # aggregate mode: times are relative to the start
            self._received[shard] = self._received.get(shard, 0) + item[2]["count"]
            self._batches.put({**item[2], "source": shard})
        elif kind == "batch":
            self._batches.put(self._corrected(shard, item[2]))
        elif kind == "started":
            self._started[shard] = max(self._started.get(shard, 0), int(item[2]))
        elif kind == "done":
            if item[2] != "ok":
                self.errors.append(f"Dask shard {shard} on {self._shard_workers.get(shard)}: {item[2]}")
            self._running.discard(shard)

    def _corrected(self, shard: int, batch: list[RawResult]) -> list[Any]:
        address = self._shard_workers[shard]
        offset = self._offsets.get(address, (0.0, 0.0))[0]
        out = []
        for raw in batch:
            self._number += 1
            number, stamp, duration, idle, error, output, atomics, lag = raw
            out.append((self._number, stamp - offset, duration, idle, error, output,
                        _shift(atomics, offset) if offset else atomics, lag, address))
        self._received[shard] = self._received.get(shard, 0) + len(batch)
        return out

    def _check_lost(self) -> None:
        """Note every running shard whose worker left the cluster (died, or was killed): which, when, and how
        many of the iterations it had started never came back. Dask would run it again elsewhere: refused."""
        try:
            alive = set(self._client.scheduler_info()["workers"])
        except Exception:  # the scheduler itself is gone: the pump's next read says so
            return
        for k in sorted(self._running):
            address = self._shard_workers[k]
            if address in alive:
                continue
            lost = max(0, self._started.get(k, 0) - self._received.get(k, 0))
            self.errors.append(f"Dask worker {address} was lost at {time.strftime('%H:%M:%S')}, "
                               f"{time.monotonic() - self._t0:.1f} s into the load: {lost} of its iterations "
                               "started and never reported")
            self._running.discard(k)
            self.lost.append(address)
            self._client.cancel([self._futures[k]], force=True)
            if self.spec.fail_on_worker_loss:
                self.stop()

    def receive(self, poll: float = 0.1) -> Batch | None:
        """The next batch of results (renumbered, on this clock, with the worker), or None within ``poll``."""
        try:
            return self._batches.get(timeout=poll)
        except queue_mod.Empty:
            return None

    @property
    def result_sources(self) -> int:
        """One per shard."""
        return len(self._futures)

    @property
    def finished(self) -> bool:
        """True once every shard has reported done (or was lost) and every batch was taken."""
        return not self._running and self._batches.empty()

    @property
    def started_iterations(self) -> int:
        """Iterations started on every worker (each reports at least every 10 ms)."""
        return sum(self._started.values())

    @property
    def t0(self) -> float:
        """The load's start on this machine's monotonic clock."""
        return self._t0

    @property
    def clocks(self) -> dict[str, dict[str, float]]:
        """Each worker's measured clock offset and its uncertainty (seconds)."""
        return {addr: {"offset": off, "uncertainty": unc} for addr, (off, unc) in self._offsets.items()}

    def stopped(self) -> bool:
        """Whether the load was told to stop."""
        return self._stopped

    def stop(self) -> None:
        """Tell every shard to start no new iteration."""
        self._stopped = True
        if self._stop_event is not None:
            self._stop_event.set()

    def kill(self) -> None:
        """Stop now: cancel the shards."""
        self.stop()
        if self._client is not None:
            self._client.cancel(self._futures, force=True)
        self._running.clear()

    def join(self) -> None:
        """Wait for the shards, then close the client (and the local cluster)."""
        self._closing.set()
        if self._pump is not None:
            self._pump.join(timeout=10)
        if self._client is not None:
            self._forget()
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


    def _forget(self) -> None:
        """Delete this run's named variables on the scheduler (it may serve many runs for a long time)."""
        from distributed import Variable

        for name in (f"{self._run}-start", *(f"{self._run}-claimed-{k}" for k in range(len(self._futures)))):
            try:
                Variable(name, client=self._client).delete()
            except Exception:  # best effort: the scheduler may be gone
                pass


def _shift(actions: list[Any], offset: float) -> list[Any]:
    shifted = []
    for action in actions:
        item = dict(action)
        item["started_at"] = action["started_at"] - offset
        if action.get("finished_at") is not None:
            item["finished_at"] = action["finished_at"] - offset
        item["children"] = _shift(action.get("children") or [], offset)
        shifted.append(item)
    return shifted
