"""Duration streams: exact while small, a bounded histogram once large, with exact min, max, count and mean."""

from __future__ import annotations

import math
import random
import tracemalloc

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from squall.plugin_api import values as values_mod
from squall.plugin_api.values import Values
from squall.task.results import stats as stats_mod


def _stream(n: int, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    return [rng.lognormvariate(-6, 1.2) for _ in range(n)]  # about 2.5 ms, a long tail


def test_values_are_exact_up_to_the_limit_then_within_a_tenth_of_a_percent() -> None:
    data = _stream(5000)
    small, large = Values(limit=10_000), Values(limit=1000)
    for v in data:
        small.append(v)
        large.append(v)
        small.compact()
        large.compact()
    ordered = np.sort(np.asarray(data))
    assert small.exact and not large.exact
    for fraction in (0.5, 0.9, 0.95, 0.99):
        expected = float(np.percentile(ordered, fraction * 100))
        assert small.percentile(fraction) == expected
        assert math.isclose(large.percentile(fraction) or 0, expected, rel_tol=2e-3)
    for kept in (small, large):
        assert len(kept) == 5000 and kept.low == min(data) and kept.high == max(data)
        assert math.isclose(kept.total, sum(data), rel_tol=1e-12)  # summed in arrival order
    threshold = float(ordered[4000])
    assert small.count_above(threshold) == 999
    assert abs(large.count_above(threshold) - 999) <= 10


def test_a_constant_stream_costs_no_loop() -> None:
    zeros = Values.constant(0.0, 5, limit=10)
    assert zeros.exact and zeros.percentiles((0.5, 0.99)) == [0.0, 0.0] and len(zeros) == 5
    many = Values.constant(0.25, 1_000_000, limit=10)
    assert not many.exact and len(many) == 1_000_000 and many.percentile(0.5) == 0.25 and many.high == 0.25
    assert many.total == 250_000.0


def test_statistics_stop_growing_and_say_so_past_the_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(values_mod, "EXACT_LIMIT", 2000)
    monkeypatch.setattr(stats_mod, "EXACT_LIMIT", 2000)
    stats = stats_mod.WorkloadStats()

    def add(i: int) -> None:
        if i % 500 == 0:
            stats.compact()  # the consumer does, after each batch
        d = 0.001 + (i % 100) * 1e-5
        stats.add_iteration({"timestamp": 1000.0 + i * 0.001, "duration": d, "idle_duration": 0.0, "error": [],
                             "start_lag": 0.0,
                             "atomic_actions": [{"name": "a", "started_at": 1000.0 + i * 0.001,
                                                 "finished_at": 1000.0 + i * 0.001 + d, "failed": False,
                                                 "children": []}]})

    for i in range(1000):
        add(i)
    assert "exact" not in stats.to_dict()
    for i in range(1000, 5000):
        add(i)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(5000, 25_000):
        add(i)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 20_000 * 8  # less than one 8-byte value per iteration: the rows are histograms now
    out = stats.to_dict()
    assert out["exact"] is False
    total = out["durations"]["total"]["data"]
    assert total["iteration_count"] == 25_000 and total["min"] == 0.001 and math.isclose(total["max"], 0.00199)
    # The median lies between the two middle values (0.00149 and 0.0015), to 3 significant digits.
    assert 0.00149 * 0.999 <= total["median"] <= 0.0015 * 1.001
    assert out["schedule"]["max_concurrency"] >= 1 and out["schedule"]["late"] == 0


def test_a_copy_is_independent_in_either_form() -> None:
    for limit in (100, 10):
        values = Values(limit=limit)
        for v in (0.1, 0.2, 0.3) * 10:
            values.append(v)
        values.compact()
        twin = values.copy()
        twin.append(5.0)
        assert len(twin) == 31 and len(values) == 30 and twin.high == 5.0 and values.high == 0.3
        assert twin.exact == values.exact == (limit == 100)
        assert twin.percentile(0.5) == values.percentile(0.5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=3600.0, allow_nan=False), min_size=1, max_size=400),
       st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_streams_merged_from_parts_are_one_stream(values: list[float], cuts: list[int]) -> None:
    # What aggregate mode relies on: parts sent from several workers, merged, say what the whole would.
    bounds = sorted({0, len(values), *(min(c, len(values)) for c in cuts)})
    merged = Values(0)
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        part = Values()
        for v in values[lo:hi]:
            part.append(v)
        merged.merge_wire(part.to_wire())
    whole = Values(0)
    for v in values:
        whole.append(v)
    whole.compact()  # one histogram of every value
    assert len(merged) == len(values)
    assert merged.low == min(values) and merged.high == max(values)
    assert math.isclose(merged.total, sum(values), rel_tol=1e-9, abs_tol=1e-9)
    assert merged.percentiles((0.5, 0.9, 0.99)) == whole.percentiles((0.5, 0.9, 0.99))
