"""Workload statistics, computed while iterations stream in, as Rally 5.1.1's MainStatsTable.

Every iteration counts, failed ones included: its duration goes into each
row it touched, and the row's success is the share of those that did not
fail. An atomic action run N times in one iteration is merged into one value
(durations summed) shown as ``name (xN)``; nested actions are kept three
levels deep; a failure outside the last action adds a ``<no-name-action>``
row. tests/rally/test_stats_like_rally.py compares every cell with Rally's.

Durations are kept in compact arrays (8 bytes a value) so percentiles are
exact; numpy sorts large ones. The output has Rally's ``statistics`` shape:
``{"durations": {"atomics": [row...], "total": row}}``, unrounded (the
tables round to 3 decimals as Rally's do), with a ``99%ile`` Rally lacks.
"""

from __future__ import annotations

import math
from array import array
from typing import Any

from squall.plugin_api.values import EXACT_LIMIT, Values
from squall.plugin_api.values import exact_percentile as percentile  # noqa: F401 - the stats API

_DEPTH = 2  # Rally's depth of processing: children of children, no deeper
#: An open-loop iteration that starts later than this behind its due time counts as started late.
LATE_SECONDS = 0.01
NO_NAME_ACTION = "<no-name-action>"
# name -> [duration, count, failed, children]
Merged = dict[str, list[Any]]


def figures(durations: Values, succeeded: int) -> dict[str, Any]:
    """One row's figures over ``durations`` (every iteration that touched it)."""
    count = len(durations)
    if not count:
        return {"min": None, "median": None, "90%ile": None, "95%ile": None, "99%ile": None, "max": None,
                "avg": None, "success": "n/a", "iteration_count": 0}
    median, p90, p95, p99 = durations.percentiles((0.5, 0.9, 0.95, 0.99))
    return {
        "min": float(durations.low),
        "median": median,
        "90%ile": p90,
        "95%ile": p95,
        "99%ile": p99,
        "max": float(durations.high),
        "avg": durations.total / count,
        "success": f"{100.0 * succeeded / count:.1f}%",
        "iteration_count": count,
    }


class DurationRow:
    """One row of the table: an atomic action as shown (``name`` or ``name (xN)``)."""

    def __init__(self, name: str, count_per_iteration: int = 1) -> None:
        self.name = name
        self.count_per_iteration = count_per_iteration
        self.display_name = name if count_per_iteration == 1 else f"{name} (x{count_per_iteration})"
        self.durations = Values()
        self.succeeded = 0
        self.children: dict[str, DurationRow] = {}
        # Rows are listed in the order Rally meets them going through the
        # iterations by start time, whatever order the iterations ended in.
        self.first_started = math.inf
        self.first_place = 0

    @property
    def first_seen(self) -> tuple[float, int]:
        """(start of the earliest iteration that had this row, the row's place in it)."""
        return self.first_started, self.first_place

    def seen(self, started: float, place: int) -> None:
        """Note that an iteration started at ``started`` had this row at ``place``."""
        if started < self.first_started or (started == self.first_started and place < self.first_place):
            self.first_started, self.first_place = started, place

    @property
    def count(self) -> int:
        """Iterations that touched this row."""
        return len(self.durations)

    def add(self, duration: float, failed: bool) -> None:
        """One iteration's (merged) value of this row."""
        self.durations.append(duration)
        self.succeeded += not failed

    def to_dict(self, data: dict[str, Any] | None = None,
                children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Rally's row: ``{name, display_name, count_per_iteration, data, children}``."""
        return {
            "name": self.name,
            "display_name": self.display_name,
            "count_per_iteration": self.count_per_iteration,
            "data": figures(self.durations, self.succeeded) if data is None else data,
            "children": [c.to_dict() for c in by_first_seen(self.children)] if children is None else children,
        }


def by_first_seen(rows: dict[str, DurationRow]) -> list[DurationRow]:
    """Rows in the order of the earliest iteration (by start) that had them."""
    return sorted(rows.values(), key=lambda row: row.first_seen)


def max_overlap(starts: Any, ends: Any) -> int:
    """The most intervals ``[start, end)`` open at one moment."""
    if len(starts) == 0:
        return 0
    import numpy as np

    begun = np.sort(np.asarray(starts, dtype=np.float64))
    done = np.sort(np.asarray(ends, dtype=np.float64))
    # Before the i-th start (sorted), i intervals began and searchsorted(...) of them ended.
    open_now = np.arange(1, len(begun) + 1) - np.searchsorted(done, begun, side="right")
    return int(open_now.max())


def merge_actions(actions: list[dict[str, Any]], depth: int = 0) -> Merged:
    """One iteration's atomic actions with same-named siblings merged (durations summed, counted)."""
    merged: Merged = {}
    for action in actions:
        entry = merged.get(action["name"])
        if entry is None:
            entry = merged[action["name"]] = [0.0, 0, False, {}]
        started = action.get("started_at")
        entry[0] += (action["finished_at"] - started) if started is not None else 0.0
        entry[1] += 1
        entry[2] = entry[2] or bool(action.get("failed"))
        kids = action.get("children")
        if kids and depth < _DEPTH:
            for name, value in merge_actions(kids, depth + 1).items():
                _fold(entry[3], name, value)
    return merged


def _fold(into: Merged, name: str, value: list[Any]) -> None:
    # Children of same-named siblings share one tree, as in Rally's merge.
    mine = into.get(name)
    if mine is None:
        into[name] = value
        return
    mine[0] += value[0]
    mine[1] += value[1]
    mine[2] = mine[2] or value[2]
    for child, child_value in value[3].items():
        _fold(mine[3], child, child_value)


def _unique(actions: list[dict[str, Any]]) -> bool:
    """True when no name repeats among these sibling actions."""
    return len(actions) == 1 or len({a["name"] for a in actions}) == len(actions)


def _merged(mine: Values | None, wire: Any) -> Values:
    """``mine`` with a histogram's values added (as a histogram: an exact stream becomes one)."""
    values = mine if mine is not None and not mine.exact else Values(0)
    if mine is not None and mine.exact and len(mine):
        values.merge_wire(mine.to_wire())
    values.merge_wire(wire)
    return values


class WorkloadStats:
    """Everything the statistics table and workload summary need."""

    def __init__(self, count_each_action: bool = False) -> None:
        #: Each action is one request (:attr:`squall.plugin_api.Scenario.COUNT_EACH_ACTION`): a name repeated in
        #: an iteration adds each run to its row, rather than one merged ``name (xN)`` row.
        self.count_each_action = count_each_action
        # ``total`` is duration + idle of every iteration; idle times (and the totals) are kept only once
        # one is non-zero (most scenarios have none).
        self._durations = Values()
        self._idle: Values | None = None
        self._totals: Values | None = None
        self.atomics: dict[str, DurationRow] = {}
        self.failed = 0
        self.first_start: float | None = None
        self.last_end: float | None = None
        # Open loop only: each iteration's start lag and its latency from its due time (lag + duration),
        # and the starts and ends of the first EXACT_LIMIT iterations, for the most that ran at once.
        self._lags: Values | None = None
        self._from_schedule: Values | None = None
        self._starts: array[float] = array("d")
        self._ends: array[float] = array("d")
        #: The most iterations in flight, when known otherwise than from starts and ends (aggregate mode).
        self.peak_concurrency: int | None = None

    @property
    def min_duration(self) -> float | None:
        """The shortest iteration duration, or None before any."""
        return self._durations.low if len(self._durations) else None

    @property
    def max_duration(self) -> float | None:
        """The longest iteration duration, or None before any."""
        return self._durations.high if len(self._durations) else None

    def _add_rows(self, rows: dict[str, DurationRow], merged: Merged, started: float) -> None:
        for place, (name, (duration, count, failed, kids)) in enumerate(merged.items()):
            display = name if count == 1 else f"{name} (x{count})"
            row = rows.get(display)
            if row is None:
                row = rows[display] = DurationRow(name, count)
            row.add(duration, failed)
            row.seen(started, place)
            if kids:
                self._add_rows(row.children, kids, started)

    def _add_plain(self, rows: dict[str, DurationRow], actions: list[dict[str, Any]], started: float,
                   depth: int = 0) -> None:
        # The common case, without building merged dicts: no name repeats among siblings.
        for place, action in enumerate(actions):
            name = action["name"]
            row = rows.get(name)
            if row is None:
                row = rows[name] = DurationRow(name)
            begun = action.get("started_at")
            row.durations.append(action["finished_at"] - begun if begun is not None else 0.0)
            if not action.get("failed"):
                row.succeeded += 1
            if started <= row.first_started:
                row.seen(started, place)
            kids = action.get("children")
            if kids and depth < _DEPTH:
                if self.count_each_action or _unique(kids):
                    self._add_plain(row.children, kids, started, depth + 1)
                else:
                    self._add_rows(row.children, merge_actions(kids, depth + 1), started)

    def add_iteration(self, it: dict[str, Any]) -> None:
        """Account one iteration result (Rally's shape)."""
        failed = bool(it["error"])
        duration = it["duration"]
        idle = it["idle_duration"]
        self.failed += failed
        actions = it["atomic_actions"]
        if actions:
            outside = failed and not actions[-1].get("failed")  # it failed outside its last action
            if self.count_each_action:
                self._add_plain(self.atomics, actions, it["timestamp"])
                if outside:
                    row = self.atomics.setdefault(NO_NAME_ACTION, DurationRow(NO_NAME_ACTION))
                    row.add(0.0, True)
                    row.seen(it["timestamp"], len(actions))
            elif _unique(actions) and not outside:
                self._add_plain(self.atomics, actions, it["timestamp"])
            else:
                merged = merge_actions(actions)
                if failed and not merged[next(reversed(merged))][2]:
                    merged[NO_NAME_ACTION] = [0.0, 1, True, {}]  # it failed outside its last action
                self._add_rows(self.atomics, merged, it["timestamp"])
        if idle and self._idle is None:
            self._idle = Values.constant(0.0, len(self._durations))
            self._totals = self._durations.copy()  # idle was 0 so far: the totals were the durations
        self._durations.append(duration)
        if self._idle is not None and self._totals is not None:
            self._idle.append(idle)
            self._totals.append(duration + idle)
        start = it["timestamp"]
        end = start + duration + idle
        if self.first_start is None or start < self.first_start:
            self.first_start = start
        if self.last_end is None or end > self.last_end:
            self.last_end = end
        lag = it.get("start_lag")
        if lag is not None:
            if self._lags is None or self._from_schedule is None:
                self._lags, self._from_schedule = Values(), Values()
            self._lags.append(lag)
            self._from_schedule.append(lag + duration)
            if len(self._starts) < EXACT_LIMIT:
                self._starts.append(start)
                self._ends.append(end)

    def add_ok_block(self, name: str, starts: Any, durations: Any, took: Any) -> None:
        """Account many successful closed-loop iterations at once, each a single atomic action ``name`` without
        children or idle time (numpy float64 arrays: start timestamps, durations, the action's durations): the
        same figures as :meth:`add_iteration` of each, without a dict per iteration."""
        if not len(durations):
            return
        row = self.atomics.get(name)
        if row is None:
            row = self.atomics[name] = DurationRow(name)
        row.durations.extend(took)
        row.succeeded += len(took)
        first, last = float(starts.min()), float((starts + durations).max())
        if first <= row.first_started:
            row.seen(first, 0)
        if self._idle is not None and self._totals is not None:
            self._idle.extend(array("d", bytes(8 * len(durations))))
            self._totals.extend(durations)
        self._durations.extend(durations)
        if self.first_start is None or first < self.first_start:
            self.first_start = first
        if self.last_end is None or last > self.last_end:
            self.last_end = last

    def streams_to_wire(self) -> dict[str, Any]:
        """The value streams as histograms (``d`` durations, ``idle``, ``totals``, ``lags``, ``fs`` latency
        from the due time; None where not kept): the part of :func:`squall.task.results.stats_wire.to_wire` that is
        this object's own. The streams are spent afterwards."""
        def wire(values: Values | None) -> Any:
            return values.to_wire() if values is not None else None

        return {"d": self._durations.to_wire(), "idle": wire(self._idle), "totals": wire(self._totals),
                "lags": wire(self._lags), "fs": wire(self._from_schedule)}

    def merge_stream_wires(self, wire: dict[str, Any]) -> None:
        """Add another :meth:`streams_to_wire` (of at least one iteration) to these streams."""
        count = wire["d"][0]
        if wire["idle"] is not None and self._idle is None:
            self._idle = Values.constant(0.0, self.count)
            self._totals = self._durations.copy()
        self._durations = _merged(self._durations, wire["d"])
        if self._idle is not None and self._totals is not None:
            zeros = Values.constant(0.0, count).to_wire()
            self._idle = _merged(self._idle, wire["idle"] if wire["idle"] is not None else zeros)
            self._totals = _merged(self._totals, wire["totals"] if wire["totals"] is not None else wire["d"])
        if wire["lags"] is not None:
            self._lags = _merged(self._lags, wire["lags"])
            self._from_schedule = _merged(self._from_schedule, wire["fs"])

    def total_values(self) -> Values:
        """Every iteration's duration plus idle time (the table's ``total`` row)."""
        return self._totals if self._totals is not None else self._durations

    @property
    def count(self) -> int:
        """Iterations accounted."""
        return len(self._durations)

    @property
    def load_duration(self) -> float:
        """From the first iteration's start to the last one's end."""
        if self.first_start is None or self.last_end is None:
            return 0.0
        return self.last_end - self.first_start

    def columns(self) -> dict[str, Any]:
        """The workload row's figures: start (microseconds), durations, counts and ``statistics``."""
        return {
            "start_time": int(self.first_start * 1_000_000) if self.first_start else None,
            "load_duration": self.load_duration,
            "min_duration": self.min_duration,
            "max_duration": self.max_duration,
            "total_iteration_count": self.count,
            "failed_iteration_count": self.failed,
            "statistics": self.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Rally's ``statistics`` field (with ``exact: false`` once a row's percentiles come from a histogram)."""
        succeeded = self.count - self.failed
        durations = self._durations
        totals = self._totals if self._totals is not None else durations
        idles = self._idle if self._idle is not None else Values.constant(0.0, len(durations))
        total = DurationRow("total")
        children = [DurationRow(name).to_dict(data=figures(values, succeeded), children=[])
                    for name, values in (("duration", durations), ("idle_duration", idles))]
        result: dict[str, Any] = {
            "durations": {
                "atomics": [row.to_dict() for row in by_first_seen(self.atomics)],
                "total": total.to_dict(data=figures(totals, succeeded), children=children),
            }
        }
        if self._lags is not None and len(self._lags) == len(durations):
            result["schedule"] = self.schedule(succeeded)
        if not all(values.exact for values in self._streams()):
            result["exact"] = False
        return result

    def compact(self) -> None:
        """Turn every stream past the exact limit into a histogram (call once per batch of iterations)."""
        for values in self._streams():
            values.compact()

    def _streams(self) -> list[Values]:
        """Every stream of values kept: whether all are still exact says whether every percentile is."""
        kept = (self._idle, self._totals, self._lags, self._from_schedule)
        streams = [self._durations, *(v for v in kept if v is not None)]

        def rows(found: dict[str, DurationRow]) -> list[Values]:
            return [v for row in found.values() for v in (row.durations, *rows(row.children))]

        return streams + rows(self.atomics)

    def schedule(self, succeeded: int) -> dict[str, Any]:
        """Open loop: how late iterations started (``start_lag``), the latency from each one's due time
        (``from_schedule``: start lag + duration, free of coordinated omission), how many started late and
        the most that ran at once (over the first EXACT_LIMIT iterations, when there were more)."""
        lags = self._lags if self._lags is not None else Values()
        latency = self._from_schedule if self._from_schedule is not None else Values()
        # Every row's success is the iterations': a start lag is not a success of its own.
        return {"start_lag": figures(lags, succeeded), "from_schedule": figures(latency, succeeded),
                "late": lags.count_above(LATE_SECONDS), "late_after": LATE_SECONDS,
                "max_concurrency": (self.peak_concurrency if self.peak_concurrency is not None
                                    else max_overlap(self._starts, self._ends))}
