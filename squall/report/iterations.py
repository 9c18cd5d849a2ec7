"""Atomics per iteration: the table ``task detailed --iterations-data`` prints, as Rally 5.1.1 builds it.

Iterations are numbered in start order (Rally sorts a workload's data by
timestamp). Each row has the iteration's duration and, for every top-level
atomic row of the statistics table, the summed duration of the actions of
that name in the iteration (0 when it has none, as in Rally, which also
gives 0 to a ``name (xN)`` column since no action carries that name).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import Any


def merged_durations(actions: list[dict[str, Any]]) -> dict[str, float]:
    """Top-level atomic actions of one iteration: total seconds per name."""
    totals: dict[str, float] = {}
    for action in actions:
        started = action.get("started_at")
        finished = action.get("finished_at")
        took = (finished - started) if started is not None and finished is not None else 0.0
        totals[action["name"]] = totals.get(action["name"], 0.0) + took
    return totals


def _keyed(chunks: Iterable[list[dict[str, Any]]]) -> Iterator[tuple[float, int, dict[str, Any]]]:
    seq = 0
    for chunk in chunks:
        for itr in chunk:
            seq += 1
            yield itr["timestamp"], seq, itr


def table(chunks: Iterable[list[dict[str, Any]]], atomic_names: list[str], limit: int) -> dict[str, Any]:
    """``{headers, rows, total}``: the first ``limit`` iterations in start order.

    Memory stays bounded by ``limit`` whatever the number of iterations.
    """
    total = 0

    def counted() -> Iterator[tuple[float, int, dict[str, Any]]]:
        nonlocal total
        for item in _keyed(chunks):
            total += 1
            yield item

    first = heapq.nsmallest(limit, counted(), key=lambda item: (item[0], item[1]))
    headers = ["iteration", "duration"] + [f"{i}. {name}" for i, name in enumerate(atomic_names, 1)]
    rows = []
    for number, (_ts, _seq, itr) in enumerate(first, 1):
        merged = merged_durations(itr.get("atomic_actions") or [])
        rows.append([number, itr["duration"]] + [merged.get(name, 0) for name in atomic_names])
    return {"headers": headers, "rows": rows, "total": total}
