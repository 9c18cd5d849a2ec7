"""Successful iterations as columns: batches carry every one exactly once, and become the rows a whole result
would have been."""

from __future__ import annotations

import numpy as np

from squall.plugin_api.sla import block_figures
from squall.storage.chunk import ok_rows
from squall.task.engine.consumer import to_iteration
from squall.task.load.emitter import BATCH, Emitter, RawResult
from tests.unit.helpers import CollectingQueue


def _whole(number: int) -> RawResult:
    start = 1_800_000_000.0 + number / 1000
    return (number, start, 0.001, 0.0, ["ValueError", "503", "tb"], None,
            [{"name": "http.get", "started_at": start, "finished_at": start + 0.001, "failed": True,
              "children": []}], None)


def test_a_batch_goes_when_full_and_every_iteration_travels_once() -> None:
    queue = CollectingQueue()
    emitter = Emitter(queue, queue, columns=True)
    record = emitter.ok_recorder("http.get")
    assert record is not None and Emitter(queue, queue).ok_recorder("http.get") is None  # rows travel whole
    for number in range(1, 1301):
        if number % 10 == 0:
            emitter.emit(_whole(number))
        else:
            record(number, 1_800_000_000.0 + number, 0.002, 1_800_000_000.0 + number + 0.0015)
    assert len(queue.items) == 2  # the columns filled a batch twice; the rest waits for the flush
    emitter.flush(final=True)
    numbers: list[int] = []
    for batch in queue.items:
        assert batch["kind"] == "rows"
        numbers += [result[0] for result in batch["whole"]]
        for name, ok_numbers, starts, durations, finished in batch["ok"]:
            assert name == "http.get" and len(ok_numbers) == len(starts) == len(durations) == len(finished)
            assert len(ok_numbers) <= BATCH
            numbers += list(ok_numbers)
    assert sorted(numbers) == list(range(1, 1301))
    emitter.flush(final=True)
    assert len(queue.items) == 3  # nothing left: no empty batch


def test_columns_become_the_rows_of_whole_results() -> None:
    start, duration, end = 1_800_000_000.123456, 0.0021, 1_800_000_000.1255
    whole = (7, start, duration, 0.0, [], None, [{"name": "http.get", "started_at": start, "finished_at": end,
                                                  "failed": False, "children": []}], None)
    (row,) = ok_rows("http.get", [7], [start], [duration], [end])
    assert row == to_iteration(whole)
    assert list(row) == list(to_iteration(whole))  # the same keys in the same order: the same stored JSON
    summary = block_figures("http.get", np.array([0.002, 0.004]), np.array([0.001, 0.003]))
    assert summary == {"count": 2, "failed": 0, "ok_count": 2, "ok_sum": 0.006, "ok_min": 0.002, "ok_max": 0.004,
                       "max": 0.004, "atomics_ok": {"http.get": [0.004, 2]}}
