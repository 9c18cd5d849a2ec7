"""Aggregates of a workload's iterations for charts, bounded in size.

However many iterations a workload has, its charts get at most ``bins``
points: per time bin the start rate, failures, mean concurrency and duration
percentiles; a duration histogram; per atomic action the mean duration per
bin. Iterations are read chunk by chunk into numpy arrays, so a million of
them cost a few tens of megabytes, not gigabytes of dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from squall.storage.columns import columns_of

MAX_ATOMIC_SERIES = 12
MAX_FAILURES = 200


class IterationArrays:
    """Columns of a workload's iterations, filled chunk by chunk."""

    def __init__(self) -> None:
        self._starts: list[np.ndarray] = []
        self._durations: list[np.ndarray] = []
        self._failed: list[np.ndarray] = []
        self._lags: list[np.ndarray] | None = []  # None once a chunk came without start lags (closed loop)
        self.atomic_names: list[str] = []
        self._atomics: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        self.failures: list[dict[str, Any]] = []
        self.error_groups: dict[tuple[str, str], dict[str, Any]] = {}
        self.outputs: list[dict[str, Any]] = []

    def add_chunk(self, chunk: list[dict[str, Any]]) -> None:
        """Take one stored chunk of iterations (Rally's shape): its timings, failures and outputs."""
        failed = np.zeros(len(chunk), dtype=bool)
        for i, it in enumerate(chunk):
            if it["error"]:
                failed[i] = True
                self._add_failure(it)
            out = it["output"]
            if (out["additive"] or out["complete"]) and len(self.outputs) < 1000:
                self.outputs.append({"iteration": it.get("iteration"), **out})
        self.add_columns(columns_of(chunk), failed)

    def add_columns(self, cols: dict[str, Any], failed: np.ndarray | None = None) -> None:
        """Take a chunk's timings as columns (``storage.columns.columns_of``); ``failed`` marks failed iterations."""
        self._starts.append(np.asarray(cols["t"], dtype=np.float64))
        self._durations.append(np.asarray(cols["d"], dtype=np.float64))
        self._failed.append(failed if failed is not None else np.zeros(len(cols["t"]), dtype=bool))
        if self._lags is not None:
            if "l" in cols:
                self._lags.append(np.asarray(cols["l"], dtype=np.float64))
            else:
                self._lags = None
        known = self._atomics
        for name, (ts, ds) in cols["a"].items():
            if name not in known:
                if len(known) >= MAX_ATOMIC_SERIES:
                    continue
                known[name] = []
                self.atomic_names.append(name)
            known[name].append((np.asarray(ts, dtype=np.float64), np.asarray(ds, dtype=np.float64)))

    def _add_failure(self, it: dict[str, Any]) -> None:
        etype, message = (it["error"] + ["", ""])[:2]
        tb = it["error"][2] if len(it["error"]) > 2 else ""
        group = self.error_groups.get((etype, message))
        if group is None:
            group = self.error_groups[(etype, message)] = {
                "type": etype, "message": message, "count": 0, "first_iteration": it.get("iteration"),
                "traceback": tb,
            }
        group["count"] += 1
        if len(self.failures) < MAX_FAILURES:
            self.failures.append({"iteration": it.get("iteration"), "timestamp": it["timestamp"],
                                  "type": etype, "message": message, "traceback": tb})

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(starts, durations incl. idle, failed) of every iteration."""
        if not self._starts:
            empty = np.zeros(0)
            return empty, empty, np.zeros(0, dtype=bool)
        return np.concatenate(self._starts), np.concatenate(self._durations), np.concatenate(self._failed)

    def lags(self) -> np.ndarray | None:
        """Every iteration's start lag behind its schedule (open loop), or None."""
        return np.concatenate(self._lags) if self._lags else None

    def atomic(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(start times, durations) of one atomic action."""
        parts = self._atomics[name]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


PERCENTILES = (50, 66, 75, 90, 95, 99, 99.9)


def _bin_index(values: np.ndarray, t0: float, width: float, bins: int) -> np.ndarray:
    return np.clip(((values - t0) / width).astype(np.int64), 0, bins - 1)


def _running_integral(edges: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each edge e: total time iterations spent running before e."""
    s = np.sort(starts)
    e = np.sort(ends)
    cs = np.concatenate([[0.0], np.cumsum(s)])
    ce = np.concatenate([[0.0], np.cumsum(e)])
    ks = np.searchsorted(s, edges, side="right")
    ke = np.searchsorted(e, edges, side="right")
    return (edges * ks - cs[ks]) - (edges * ke - ce[ke])


def _group_percentiles(index: np.ndarray, values: np.ndarray, bins: int,
                       fractions: Iterable[float]) -> dict[float, list[float | None]]:
    out: dict[float, list[float | None]] = {f: [None] * bins for f in fractions}
    if len(values) == 0:
        return out
    order = np.lexsort((values, index))
    idx, vals = index[order], values[order]
    bounds = np.searchsorted(idx, np.arange(bins + 1))
    for b in range(bins):
        lo, hi = bounds[b], bounds[b + 1]
        if hi > lo:
            group = vals[lo:hi]
            for f in out:
                out[f][b] = float(np.percentile(group, f * 100))
    return out


def _by_iteration(starts: np.ndarray, durations: np.ndarray, bins: int) -> dict[str, Any]:
    """Duration percentiles per run of consecutive iterations (in start order, as they are numbered)."""
    n = len(starts)
    ranks = np.empty(n, dtype=np.int64)
    ranks[np.argsort(starts, kind="stable")] = np.arange(n)
    size = max(1, -(-n // bins))
    groups = -(-n // size)
    pct = _group_percentiles(ranks // size, durations, groups, (0.5, 0.9, 1.0))
    centres = [float(min(n, g * size + (size + 1) / 2)) for g in range(groups)]
    return {"n": centres, "p50": pct[0.5], "p90": pct[0.9], "max": pct[1.0]}


def _nullable(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in values]


def _from_schedule(lags: np.ndarray | None, starts: np.ndarray, durations: np.ndarray, ok: np.ndarray, t0: float,
                   width: float, bins: int) -> dict[str, list[float | None]] | None:
    """Open loop: percentiles of the latency from each iteration's due time, binned by that due time (what a
    stalled server costs the requests that were due, not only the ones in flight)."""
    if lags is None or len(lags) != len(starts):
        return None
    due_idx = _bin_index(starts - lags, t0, width, bins)
    pct = _group_percentiles(due_idx[ok], (durations + lags)[ok], bins, (0.5, 0.99, 1.0))
    return {"p50": pct[0.5], "p99": pct[0.99], "max": pct[1.0]}


def _atomic_series(arrays: IterationArrays, t0: float, width: float, bins: int,
                   whole: float) -> list[dict[str, Any]]:
    """Per atomic action: its mean duration and rate per time bin, its total time and its share of ``whole``
    (all iterations' time, as Locust's and Rally's pies show)."""
    atomics: list[dict[str, Any]] = []
    for name in arrays.atomic_names:
        a_starts, a_durs = arrays.atomic(name)
        a_idx = _bin_index(a_starts, t0, width, bins)
        sums = np.bincount(a_idx, weights=a_durs, minlength=bins)
        num = np.bincount(a_idx, minlength=bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(num > 0, sums / np.maximum(num, 1), np.nan)
        total = float(a_durs.sum())
        atomics.append({"name": name, "mean": _nullable(mean), "rate": [float(c / width) for c in num],
                        "total": total, "share": total / whole})
    return atomics


def summarise(arrays: IterationArrays, bins: int = 500, histogram_bins: int = 40,
              origin: float | None = None) -> dict[str, Any]:
    """Chart data of a workload: time series, histogram, atomic series, failures.

    ``origin`` is the zero of the time axis (the load's start, epoch seconds);
    without one, or if an iteration began before it, the first iteration's start.
    """
    starts, durations, failed = arrays.columns()
    if len(starts) == 0:
        return {"percentiles": {}, "by_iteration": {"n": [], "p50": [], "p90": [], "max": []},
                "t": [], "rate": [], "failures": [], "concurrency": [], "p50": [], "p90": [],
                "p99": [], "max": [], "histogram": {"edges": [], "counts": []}, "atomics": [], "failures_table": [],
                "error_groups": [], "outputs": arrays.outputs}
    ends = starts + durations
    first = float(starts.min())
    t0, t1 = (first if origin is None else min(origin, first)), float(ends.max())
    span = max(t1 - t0, 1e-6)
    # About 20 iterations a bin at least, so rates and percentiles mean something.
    bins = int(max(1, min(bins, max(10, len(starts) // 20), len(starts))))
    width = span / bins
    idx = _bin_index(starts, t0, width, bins)
    counts = np.bincount(idx, minlength=bins)
    fails = np.bincount(idx, weights=failed.astype(np.float64), minlength=bins)
    # Relative times keep the cumulative sums precise (epoch seconds are ~1.8e9).
    edges = width * np.arange(bins + 1)
    integral = _running_integral(edges, starts - t0, ends - t0)
    concurrency = np.diff(integral) / width
    ok = ~failed
    pct = _group_percentiles(idx[ok], durations[ok], bins, (0.5, 0.9, 0.99, 1.0))
    good = durations[ok]
    if len(good):
        hist_counts, hist_edges = np.histogram(good, bins=histogram_bins)
    else:
        hist_counts, hist_edges = np.zeros(0), np.zeros(0)
    atomics = _atomic_series(arrays, t0, width, bins, float(durations.sum()) or 1.0)
    schedule = _from_schedule(arrays.lags(), starts, durations, ok, t0, width, bins)
    return {
        # Of every iteration, failed ones too (as Rally's table): what Locust and k6 users read.
        "percentiles": {str(q): float(np.percentile(durations, q)) for q in PERCENTILES},
        "t": [float(x) for x in (edges[:-1] + width / 2)],
        "t0": t0,
        "bin_seconds": width,
        "rate": [float(c / width) for c in counts],
        "failures": [int(f) for f in fails],
        "concurrency": [float(c) for c in concurrency],
        "p50": pct[0.5], "p90": pct[0.9], "p99": pct[0.99], "max": pct[1.0],
        "by_iteration": _by_iteration(starts, durations, bins),
        "histogram": {"edges": [float(e) for e in hist_edges], "counts": [int(c) for c in hist_counts]},
        "atomics": atomics,
        **({"schedule": schedule} if schedule else {}),
        "failures_table": arrays.failures,
        "error_groups": sorted(arrays.error_groups.values(), key=lambda g: -g["count"]),
        "outputs": arrays.outputs,
    }
