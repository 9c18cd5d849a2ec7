"""``--results aggregate``: a worker sends figures about once a second instead of one row per iteration.

At tens of thousands of iterations a second, per-iteration rows cost squall's
process (unpickle, store, aggregate) more than the load costs the workers. In
this mode each worker process (or Dask shard) folds its results into an
:class:`AggregatingEmitter` and sends, every :data:`REPORT_SECONDS`:

- ``stats``: a :class:`~squall.task.results.stats.WorkloadStats` of what ended since
  the last report, as histograms (:mod:`squall.task.results.stats_wire`): the table;
- ``summary``: exact sums, counts and extremes: what the SLA criteria need;
- ``seconds``: per second of the load *by end time* (as Locust and k6 bin),
  counts, failures, busy time, atomic-action sums, error types and the
  histograms of successful durations and of the latency from the due time;
- ``through``: every iteration that ended before this many seconds into the
  load is in this report or an earlier one (how squall's process knows that a
  second is complete).

Times are seconds since the load's start on the worker's own clock.
"""

from __future__ import annotations

import math
import time
from typing import Any

from squall.plugin_api.atomic import flatten
from squall.plugin_api.checks import TALLY
from squall.plugin_api.sla import block_figures, merge_figures, new_figures
from squall.plugin_api.values import Values
from squall.results import IterationRecord, add_error_kind, error_kind, iteration_record
from squall.task.load.emitter import Emitter, RawResult
from squall.task.load.ok_columns import OkColumns
from squall.task.results import stats_wire
from squall.task.results.seconds import REPORT_SECONDS, SecondBin
from squall.task.results.stats import LATE_SECONDS, WorkloadStats

#: An iteration is emitted within this long of its end (a safety margin for ``through``).
EMIT_MARGIN = 0.25


class AggregatingEmitter(Emitter):
    """Folds results into figures and sends them about once a second (see the module's docstring)."""

    def __init__(self, q: Any, credits: Any, started: Any = None, worker_id: int = 0,
                 count_each_action: bool = False) -> None:
        # Columns only in a closed loop: in an open loop each end updates the in-flight peak.
        super().__init__(q, credits, columns=started is None)
        # Imported now, before the load: the first report would otherwise stall the event loop for the
        # import (a fifth of a second here), and every request in flight with it.
        import hdrh.histogram  # noqa: F401
        import numpy  # noqa: F401

        self.origin = 0.0  # the load's start, this machine's wall clock; set by start()
        self._started = started  # this process's open-loop started counts, for the in-flight peak
        self._worker_id = worker_id
        self._count_each_action = count_each_action
        self._ended = 0  # every iteration this process emitted
        self._reset()
        self._last_report = time.monotonic()

    def start(self, origin: float) -> None:
        """The load started at ``origin`` (wall clock)."""
        self.origin = origin

    def _reset(self) -> None:
        self.stats = WorkloadStats(self._count_each_action)
        self.summary = new_figures()
        self.seconds: dict[int, SecondBin] = {}
        self.errors: dict[str, int] = {}

    def _new_block(self, name: str) -> OkColumns:
        # Folded at each report, however many it holds.
        return OkColumns(name)

    def emit(self, result: RawResult) -> None:
        """Fold one result in."""
        it = iteration_record(*result)
        with self.lock:
            self._fold(it)

    def _fold(self, it: IterationRecord) -> None:
        self.stats.add_iteration(it)
        duration, error, lag, actions = it["duration"], it["error"], it.get("start_lag"), it["atomic_actions"]
        busy = duration + it["idle_duration"]
        found = self._bin(math.floor(it["timestamp"] + busy - self.origin))
        found.count += 1
        found.busy += busy
        if self._started is not None:  # in flight now: started here and not yet ended (this one included)
            in_flight = self._started[self._worker_id] - self._ended
            if in_flight > found.peak:
                found.peak = in_flight
        self._ended += 1
        summary = self.summary
        summary["count"] += 1
        if duration > summary["max"]:
            summary["max"] = duration
        if error:
            self._fold_failure(found, error)
        else:
            self._fold_success(found, duration)
        if len(actions) == 1:  # most iterations (every HTTP one): a single action, no name to number
            self._fold_action(found, actions[0], not error)
        else:
            self._fold_actions(found, actions, not error)
        if lag is not None:
            if lag > LATE_SECONDS:
                found.late += 1
            if not error:
                if found.from_schedule is None:
                    found.from_schedule = Values()
                found.from_schedule.append(lag + duration)

    def _bin(self, second: int) -> SecondBin:
        found = self.seconds.get(second)
        if found is None:
            found = self.seconds[second] = SecondBin()
        return found

    def _fold_block(self, block: OkColumns) -> None:
        # _fold of every iteration in the block, on columns.
        import numpy as np

        name, _numbers, *columns = block.take()
        starts, durations, finished = (np.frombuffer(column, dtype=np.float64) for column in columns)
        count = len(durations)
        if not count:
            return
        took = finished - starts
        self.stats.add_ok_block(name, starts, durations, took)
        seconds = np.floor(starts + durations - self.origin).astype(np.int64)
        for second in np.unique(seconds).tolist():
            chosen = seconds == second
            ended, action_took = durations[chosen], took[chosen]
            found = self._bin(second)
            found.count += len(ended)
            found.busy += float(ended.sum())
            found.ok.extend(ended)
            entry = found.atomics.setdefault(name, [0.0, 0])
            entry[0] += float(action_took.sum())
            entry[1] += len(action_took)
        self._ended += count
        merge_figures(self.summary, block_figures(name, durations, took))

    def _fold_failure(self, found: SecondBin, error: list[str]) -> None:
        found.failed += 1
        self.summary["failed"] += 1
        found.errors[error[0]] = found.errors.get(error[0], 0) + 1
        add_error_kind(self.errors, error_kind(error))

    def _fold_success(self, found: SecondBin, duration: float) -> None:
        found.ok.append(duration)
        summary = self.summary
        summary["ok_count"] += 1
        summary["ok_sum"] += duration
        low, high = summary["ok_min"], summary["ok_max"]
        if low is None or duration < low:
            summary["ok_min"] = duration
        if high is None or duration > high:
            summary["ok_max"] = duration

    def _fold_action(self, found: SecondBin, action: Any, ok: bool) -> None:
        # _fold_actions for one action, without numbering names.
        name = action["name"]
        finished = action.get("finished_at")
        took = finished - action["started_at"] if finished is not None else 0.0
        entry = found.atomics.get(name)
        if entry is None:
            entry = found.atomics[name] = [0.0, 0]
        entry[0] += took
        entry[1] += 1
        if ok:
            sums = self.summary["atomics_ok"]
            entry = sums.get(name)
            if entry is None:
                entry = sums[name] = [0.0, 0]
            entry[0] += took
            entry[1] += 1

    def _fold_actions(self, found: SecondBin, actions: list[Any], ok: bool) -> None:
        # The second's sums by action name; for a successful iteration also the SLA's, by Rally's numbered names.
        atomics = found.atomics
        for action in actions:
            entry = atomics.get(action["name"])
            if entry is None:
                entry = atomics[action["name"]] = [0.0, 0]
            finished = action.get("finished_at")
            if finished is not None:
                entry[0] += finished - action["started_at"]
            entry[1] += 1
        if ok:
            sums = self.summary["atomics_ok"]
            for name, took, _failed in flatten(actions):
                entry = sums.get(name)
                if entry is None:
                    entry = sums[name] = [0.0, 0]
                entry[0] += took
                entry[1] += 1

    def flush(self, final: bool = False) -> None:
        """Send a report once :data:`REPORT_SECONDS` passed since the last one (at once when ``final``)."""
        now = time.monotonic()
        if not final and now - self._last_report < REPORT_SECONDS:
            return
        self._last_report = now
        with self.lock:
            for block in self._blocks.values():
                self._fold_block(block)
            stats, summary, seconds, errors = self.stats, self.summary, self.seconds, self.errors
            self._reset()
        count = summary["count"]
        through = math.inf if final else time.time() - self.origin - EMIT_MARGIN
        payload_seconds = {second: found.to_wire() for second, found in seconds.items()}
        self._send({"kind": "aggregate", "source": self._worker_id, "through": through, "count": count,
                    "stats": stats_wire.to_wire(stats, self.origin), "summary": summary, "errors": errors,
                    "seconds": payload_seconds, "checks": TALLY.take()})
