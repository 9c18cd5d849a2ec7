"""A chunk's stored columns give the report exactly what parsing every iteration gives."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from squall.report.series import IterationArrays, summarise
from squall.storage.columns import columns_of


def _chunk(n: int, seed: int, atomics: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    chunk = []
    t = 1_700_000_000.0
    for i in range(n):
        t += rnd.random() / 10
        acts = []
        at = t
        for a in range(atomics):
            d = rnd.random() / 100
            acts.append({"name": f"act_{a}", "started_at": at, "finished_at": at + d, "children": []})
            at += d
        chunk.append({"iteration": i + 1, "timestamp": t, "duration": rnd.random(), "idle_duration": rnd.random() / 10,
                      "error": [], "output": {"additive": [], "complete": []}, "atomic_actions": acts})
    return chunk


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 300), seed=st.integers(0, 10_000), atomics=st.integers(0, 3), parts=st.integers(1, 4))
def test_columns_and_full_chunks_summarise_alike(n: int, seed: int, atomics: int, parts: int) -> None:
    chunk = _chunk(n, seed, atomics)
    pieces = [chunk[i::parts] for i in range(parts)]
    pieces = [sorted(p, key=lambda it: it["iteration"]) for p in pieces if p]
    full, cols = IterationArrays(), IterationArrays()
    for piece in pieces:
        full.add_chunk(piece)
        cols.add_columns(columns_of(piece))
    for a, b in zip(full.columns(), cols.columns(), strict=True):
        assert np.array_equal(a, b)
    assert full.atomic_names == cols.atomic_names
    assert summarise(full, bins=50) == summarise(cols, bins=50)


def test_columns_count_failures_and_outputs() -> None:
    chunk = _chunk(5, 1, 1)
    chunk[1]["error"] = ["ValueError", "bad", "tb"]
    chunk[3]["output"] = {"additive": [{"title": "x", "chart_plugin": "Lines", "data": []}], "complete": []}
    cols = columns_of(chunk)
    assert cols["failed"] == 1 and cols["outputs"] == 1 and len(cols["t"]) == 5
    assert list(cols["a"]) == ["act_0"] and len(cols["a"]["act_0"][0]) == 5
