"""A chunk of iterations as columns: what a report needs without parsing every iteration."""

from __future__ import annotations

from typing import Any


class ChunkColumns:
    """A chunk's timings as columns, built as its iterations arrive, so a report need not parse every iteration.

    ``t`` start times, ``d`` durations including idle time, ``a`` top-level
    atomic actions as ``{name: [starts, durations]}``, ``failed`` and
    ``outputs``: how many iterations failed or carry outputs (a reader that
    needs those reads the full chunk); ``l``, in an open-loop workload, each
    iteration's start lag behind its schedule.
    """

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.durations: list[float] = []
        self.atomics: dict[str, list[list[float]]] = {}
        self.failed = self.outputs = 0
        self.lags: list[float] | None = []  # None once an iteration has none

    def add(self, iterations: list[dict[str, Any]]) -> None:
        """Iterations in Rally's shape, in the chunk's order."""
        starts, durations, atomics = self.starts, self.durations, self.atomics
        for it in iterations:
            starts.append(it["timestamp"])
            durations.append(it["duration"] + it["idle_duration"])
            if it["error"]:
                self.failed += 1
            out = it["output"]
            if out and (out.get("additive") or out.get("complete")):
                self.outputs += 1
            for action in it["atomic_actions"]:
                series = atomics.get(action["name"])
                if series is None:
                    series = atomics[action["name"]] = [[], []]
                series[0].append(action["started_at"])
                series[1].append((action["finished_at"] or action["started_at"]) - action["started_at"])
            if self.lags is not None:
                lag = it.get("start_lag")
                if lag is None:
                    self.lags = None
                else:
                    self.lags.append(lag)

    def add_successes(self, name: str, starts: list[float], durations: list[float], took: list[float]) -> None:
        """Successful closed-loop iterations of one action ``name`` without idle time or output, as columns
        (start, duration, the action's duration), in the chunk's order."""
        self.starts += starts
        self.durations += durations
        series = self.atomics.setdefault(name, [[], []])
        series[0] += starts
        series[1] += took
        if starts:
            self.lags = None  # a closed loop's iterations have no start lag

    def result(self) -> dict[str, Any]:
        """The columns stored beside the chunk."""
        cols: dict[str, Any] = {"t": self.starts, "d": self.durations, "a": self.atomics, "failed": self.failed,
                                "outputs": self.outputs}
        if self.lags:
            cols["l"] = self.lags
        return cols


def columns_of(iterations: list[dict[str, Any]]) -> dict[str, Any]:
    """A whole chunk's columns (see :class:`ChunkColumns`)."""
    columns = ChunkColumns()
    columns.add(iterations)
    return columns.result()
