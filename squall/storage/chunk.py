"""A chunk of a workload's iterations as stored: Rally's rows, with successes kept as columns.

Most iterations of an HTTP load are alike (no error, output or idle time,
one atomic action without children). A chunk keeps those as columns per
action (numbers, starts, durations, the action's ends) beside the other
iterations as Rally's dicts: ``{"rows": [...], "ok": [[name, numbers,
starts, durations, ends], ...]}``; a chunk without such columns is a plain
list, as before. Readers get Rally's rows either way (:func:`chunk_rows`):
the whole rows in their order, then each column block's rows in theirs.
"""

from __future__ import annotations

import math
from array import array
from typing import Any

from squall.results import IterationRecord, iteration_record, ok_action
from squall.storage.columns import ChunkColumns


def ok_rows(name: str, numbers: Any, starts: Any, durations: Any, finished: Any) -> list[IterationRecord]:
    """Rally's iteration dicts of a block of successes: what a worker would have sent as whole results."""
    return [iteration_record(number, start, duration, 0.0, [], None, [ok_action(name, start, end)])
            for number, start, duration, end in zip(numbers, starts, durations, finished, strict=True)]


def chunk_rows(data: Any) -> list[dict[str, Any]]:
    """A stored chunk's iterations as Rally's dicts."""
    if not isinstance(data, dict):
        return list(data)
    rows = list(data["rows"])
    for name, numbers, starts, durations, finished in data["ok"]:
        rows += ok_rows(name, numbers, starts, durations, finished)
    return rows


class Chunk:
    """A chunk on its way to the database: whole rows, and successes as columns per action."""

    def __init__(self, rows: list[dict[str, Any]] | None = None) -> None:
        self.rows: list[dict[str, Any]] = list(rows or [])
        self.successes: dict[str, tuple[array[int], array[float], array[float], array[float]]] = {}
        self._count = len(self.rows)

    def __len__(self) -> int:
        return self._count

    def add_rows(self, rows: list[dict[str, Any]]) -> None:
        """Iterations in Rally's shape."""
        self.rows += rows
        self._count += len(rows)

    def add_successes(self, name: str, numbers: array[int], starts: array[float], durations: array[float],
                      finished: array[float]) -> None:
        """Successes of action ``name`` as columns (see :func:`ok_rows` for the rows they stand for)."""
        block = self.successes.get(name)
        if block is None:
            block = self.successes[name] = (array("q"), array("d"), array("d"), array("d"))
        block[0].extend(numbers)
        block[1].extend(starts)
        block[2].extend(durations)
        block[3].extend(finished)
        self._count += len(numbers)

    def stored(self) -> tuple[Any, dict[str, Any], float]:
        """What the database keeps: the data, its columns (:class:`ChunkColumns`, in the order
        :func:`chunk_rows` gives the rows) and the last iteration's end (start + duration)."""
        columns = ChunkColumns()
        columns.add(self.rows)
        last = max((it["timestamp"] + it["duration"] for it in self.rows), default=-math.inf)
        blocks = []
        for name, (numbers, starts, durations, finished) in self.successes.items():
            begun, spent, ended = starts.tolist(), durations.tolist(), finished.tolist()
            columns.add_successes(name, begun, spent, [end - start for start, end in zip(begun, ended, strict=True)])
            last = max(last, max(start + duration for start, duration in zip(begun, spent, strict=True)))
            blocks.append([name, numbers.tolist(), begun, spent, ended])
        return ({"rows": self.rows, "ok": blocks} if blocks else self.rows), columns.result(), last
