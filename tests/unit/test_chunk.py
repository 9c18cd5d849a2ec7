"""A stored chunk keeps successes as columns and gives Rally's rows back, exactly."""

from __future__ import annotations

from array import array
from typing import Any

import orjson

from squall.storage.chunk import Chunk, chunk_rows
from squall.storage.columns import columns_of
from squall.task.engine.consumer import to_iteration

T0 = 1_800_000_000.0


def _success(number: int) -> tuple[Any, ...]:
    start = T0 + number * 0.000731
    return (number, start, 0.0001 * (number % 7 + 1), 0.0, [], None,
            [{"name": "http.get", "started_at": start, "finished_at": start + 0.00009 * (number % 5 + 1),
              "failed": False, "children": []}], None)


def _failure(number: int) -> dict[str, Any]:
    it = to_iteration(_success(number))
    it["error"] = ["ValueError", "503", "tb"]
    it["atomic_actions"][0]["failed"] = True
    return it


def test_successes_stored_as_columns_come_back_as_their_rows() -> None:
    chunk = Chunk()
    expected_rows: list[dict[str, Any]] = []
    expected_ok: list[dict[str, Any]] = []
    for batch in range(3):  # batches as the consumer takes them: whole rows, then a block of successes
        numbers = list(range(batch * 100 + 1, batch * 100 + 101))
        failed = [_failure(n) for n in numbers if n % 9 == 0]
        ok = [_success(n) for n in numbers if n % 9]
        chunk.add_rows(failed)
        chunk.add_successes("http.get", array("q", [r[0] for r in ok]), array("d", [r[1] for r in ok]),
                            array("d", [r[2] for r in ok]), array("d", [r[6][0]["finished_at"] for r in ok]))
        expected_rows += failed
        expected_ok += [to_iteration(r) for r in ok]
    assert len(chunk) == 300
    data, columns, last = chunk.stored()
    stored = orjson.loads(orjson.dumps(data))  # what the database gives back
    rows = chunk_rows(stored)
    assert rows == expected_rows + expected_ok  # whole rows in their order, then the successes in theirs
    assert columns == columns_of(rows)
    assert last == max(it["timestamp"] + it["duration"] for it in rows)
    assert sorted(it["iteration"] for it in rows) == list(range(1, 301))


def test_a_chunk_without_columns_is_stored_as_rows() -> None:
    rows = [to_iteration(_success(n)) for n in range(1, 4)]
    data, columns, _ = Chunk(rows).stored()
    assert data == rows and chunk_rows(orjson.loads(orjson.dumps(data))) == rows
    assert columns == columns_of(rows)
