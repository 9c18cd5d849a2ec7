"""Chart data of a workload run with ``--results aggregate``, from its per-second records.

The same keys as :func:`squall.report.series.summarise`, so the report's
charts draw either; the time axis is the load's seconds by the iterations'
end time (how the workers binned them), concurrency is each second's busy
time (the average number in flight), and what needs every iteration (the
per-iteration chart, the failures table, outputs) is empty.
"""

from __future__ import annotations

from typing import Any

from squall.results import SECOND_SUMS, add_second_extras


def merged_seconds(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per second: a second stored twice (a late worker report) is merged as the intake merges
    workers' reports (:data:`~squall.results.SECOND_SUMS`), its percentiles taken from the record with more
    successful iterations (the maximum from both)."""
    out: dict[int, dict[str, Any]] = {}
    for rec in records:
        found = out.get(rec["s"])
        if found is None:
            out[rec["s"]] = {**rec, "a": {k: list(v) for k, v in rec["a"].items()}, "errors": dict(rec["errors"])}
            continue
        bigger = rec if rec["ok_n"] > found["ok_n"] else found
        for key in ("ok", "fs"):
            pick = bigger[key] or found[key] or rec[key]
            if pick is not None:
                highs = [r[key][-1] for r in (found, rec) if r[key]]
                pick = [*pick[:-1], max(highs)]
            found[key] = pick
        found["ok_n"] += rec["ok_n"]
        for key, _attribute in SECOND_SUMS:
            found[key] += rec[key]
        add_second_extras(found["a"], found["errors"], rec)
    return [out[s] for s in sorted(out)]


def summarise_seconds(records: list[dict[str, Any]], aggregate: dict[str, Any],
                      origin: float | None) -> dict[str, Any]:
    """Chart data from per-second records and the workload's ``statistics.aggregate``."""
    seconds = merged_seconds(records)
    base = origin or 0.0

    def column(key: str, index: int) -> list[float | None]:
        return [rec[key][index] if rec[key] else None for rec in seconds]

    names: list[str] = []
    for rec in seconds:
        names += [n for n in rec["a"] if n not in names]
    busy_total = sum(rec["busy"] for rec in seconds) or 1.0
    atomics = []
    for name in names:
        sums = [rec["a"].get(name, [0.0, 0]) for rec in seconds]
        atomics.append({"name": name, "mean": [t / c if c else None for t, c in sums],
                        "rate": [float(c) for _t, c in sums], "total": sum(t for t, _c in sums),
                        "share": sum(t for t, _c in sums) / busy_total})
    series: dict[str, Any] = {
        "mode": "aggregate",
        "percentiles": aggregate.get("percentiles", {}),
        "t": [rec["s"] + 0.5 for rec in seconds],
        "t0": base,
        "bin_seconds": 1.0,
        "rate": [float(rec["n"]) for rec in seconds],
        "failures": [rec["failed"] for rec in seconds],
        "concurrency": [rec["busy"] for rec in seconds],
        "p50": column("ok", 0), "p90": column("ok", 1), "p99": column("ok", 2), "max": column("ok", 3),
        "by_iteration": {"n": [], "p50": [], "p90": [], "max": []},
        "histogram": aggregate.get("histogram", {"edges": [], "counts": []}),
        "atomics": atomics,
        "failures_table": [],
        "error_groups": [{**group, "first_iteration": None, "traceback": ""} for group in aggregate.get("errors", [])],
        "outputs": [],
    }
    if any(rec["fs"] for rec in seconds):
        series["schedule"] = {"p50": column("fs", 0), "p99": column("fs", 1), "max": column("fs", 2)}
    return series
