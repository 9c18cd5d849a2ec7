"""Successful single-action iterations as columns: what a worker can afford per iteration at tens of thousands
of iterations a second.

Most iterations of an HTTP load are alike: no error, no output, no idle time,
one atomic action without children. A worker's event loop records each of
them as four numbers (:class:`OkColumns`: number, start, duration, the
action's end) instead of a result tuple with an action dict, and sends the
columns with the next batch. Squall's process folds them into the statistics
and the SLA as whole columns (numpy) and stores them as columns beside the
chunk's other rows (:mod:`squall.storage.chunk`, whose readers get Rally's
rows back). Aggregate mode folds the same columns in the worker, once per
report.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable

#: What travels: (action name, numbers, starts, durations, the action's ends).
Wire = tuple[str, "array[int]", "array[float]", "array[float]", "array[float]"]


class OkColumns:
    """Successful iterations of one atomic action, recorded as four columns.

    Only for one thread that also takes the columns (an event loop): there is
    no lock. ``on_full`` is called once ``limit`` iterations are recorded.
    """

    __slots__ = ("name", "numbers", "starts", "durations", "finished", "limit", "on_full")

    def __init__(self, name: str, limit: int = sys.maxsize, on_full: Callable[[], None] | None = None) -> None:
        self.name = name
        self.limit = limit
        self.on_full = on_full
        self.numbers: array[int] = array("q")
        self.starts: array[float] = array("d")
        self.durations: array[float] = array("d")
        self.finished: array[float] = array("d")

    def __len__(self) -> int:
        return len(self.numbers)

    def record(self, number: int, started: float, duration: float, finished: float) -> None:
        """One iteration: its number (1-based), start timestamp, duration and its action's end timestamp."""
        self.numbers.append(number)
        self.starts.append(started)
        self.durations.append(duration)
        self.finished.append(finished)
        if len(self.numbers) >= self.limit and self.on_full is not None:
            self.on_full()

    def take(self) -> Wire:
        """The columns recorded so far (picklable); the block starts empty again."""
        wire = (self.name, self.numbers, self.starts, self.durations, self.finished)
        self.numbers, self.starts, self.durations, self.finished = array("q"), array("d"), array("d"), array("d")
        return wire

