"""Workload statistics in a compact form that travels between processes and merges.

In ``--results aggregate`` mode a worker keeps a
:class:`~squall.task.results.stats.WorkloadStats` of the iterations it ran since its
last report, sends it as :func:`to_wire` (every stream as an HDR histogram),
and squall's process folds it into the workload's statistics with
:func:`merge_wire`: the same rows (atomic actions, ``(xN)`` merges, nesting,
``<no-name-action>``), in the order Rally lists them, with percentiles to the
histogram's precision. Times travel relative to the load's start on the
worker's clock, so no clock correction is needed for them.
"""

from __future__ import annotations

from typing import Any

from squall.plugin_api.values import Values
from squall.task.results.stats import DurationRow, WorkloadStats

Wire = dict[str, Any]


def _row_to_wire(row: DurationRow, origin: float) -> Wire:
    return {"name": row.name, "k": row.count_per_iteration, "v": row.durations.to_wire(), "ok": row.succeeded,
            "first": [row.first_started - origin, row.first_place],
            "children": [_row_to_wire(child, origin) for child in row.children.values()]}


def to_wire(stats: WorkloadStats, origin: float) -> Wire:
    """``stats`` as plain data; times become seconds since ``origin`` (the load's start, this clock).

    The streams are turned into histograms: ``stats`` is spent afterwards.
    """
    def rel(value: float | None) -> float | None:
        return None if value is None else value - origin

    return {
        **stats.streams_to_wire(),
        "failed": stats.failed, "first": rel(stats.first_start), "last": rel(stats.last_end),
        "rows": [_row_to_wire(row, origin) for row in stats.atomics.values()],
    }


def _merge_rows(rows: dict[str, DurationRow], wired: list[Wire], origin: float) -> None:
    for item in wired:
        row = DurationRow(item["name"], item["k"])
        row = rows.setdefault(row.display_name, row)
        if row.durations.exact:
            row.durations = Values(0)
        row.durations.merge_wire(item["v"])
        row.succeeded += item["ok"]
        row.seen(item["first"][0] + origin, item["first"][1])
        _merge_rows(row.children, item["children"], origin)


def merge_wire(stats: WorkloadStats, wire: Wire, origin: float) -> None:
    """Add a worker's :func:`to_wire` to ``stats``; its times are moved onto ``origin`` (the load's start here)."""
    if not wire["d"][0]:
        return
    stats.merge_stream_wires(wire)
    stats.failed += wire["failed"]
    first, last = wire["first"] + origin, wire["last"] + origin
    stats.first_start = first if stats.first_start is None else min(stats.first_start, first)
    stats.last_end = last if stats.last_end is None else max(stats.last_end, last)
    _merge_rows(stats.atomics, wire["rows"], origin)
