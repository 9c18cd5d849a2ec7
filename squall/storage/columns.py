"""A chunk of iterations as columns: what a report needs without parsing every iteration."""

from __future__ import annotations

from typing import Any


def columns_of(iterations: list[dict[str, Any]]) -> dict[str, Any]:
    """A chunk's timings as columns, so a report need not parse every iteration.

    ``t`` start times, ``d`` durations including idle time, ``a`` top-level
    atomic actions as ``{name: [starts, durations]}``, ``failed`` and
    ``outputs``: how many iterations failed or carry outputs (a reader that
    needs those reads the full chunk); ``l``, in an open-loop workload, each
    iteration's start lag behind its schedule.
    """
    starts: list[float] = []
    durations: list[float] = []
    atomics: dict[str, list[list[float]]] = {}
    failed = outputs = 0
    for it in iterations:
        starts.append(it["timestamp"])
        durations.append(it["duration"] + it["idle_duration"])
        if it["error"]:
            failed += 1
        out = it["output"]
        if out and (out.get("additive") or out.get("complete")):
            outputs += 1
        for action in it["atomic_actions"]:
            series = atomics.get(action["name"])
            if series is None:
                series = atomics[action["name"]] = [[], []]
            series[0].append(action["started_at"])
            series[1].append((action["finished_at"] or action["started_at"]) - action["started_at"])
    cols: dict[str, Any] = {"t": starts, "d": durations, "a": atomics, "failed": failed, "outputs": outputs}
    lags = [it.get("start_lag") for it in iterations]
    if lags and all(lag is not None for lag in lags):
        cols["l"] = lags
    return cols
