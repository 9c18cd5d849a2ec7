"""A worker's results on their way to squall's process: compact tuples, sent in batches over one queue.

Nothing is logged per iteration; with columns, successful iterations of one
atomic action travel as :class:`~squall.task.load.ok_columns.OkColumns`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from squall.plugin_api.checks import TALLY
from squall.task.load.ok_columns import OkColumns

# (iteration, timestamp, duration, idle_duration, error, output, atomic_actions, start lag)
# The start lag is how late the iteration started against its schedule (open loop only, else None).
RawResult = tuple[int, float, float, float, list[str], dict[str, Any] | None, list[Any], float | None]

BATCH = 512
FLUSH_SECONDS = 0.05


class Emitter:
    """Collects results and sends them to the parent in batches.

    A batch is a list of results; with ``columns``, a batch that holds
    :class:`~squall.task.load.ok_columns.OkColumns` too is ``{"kind": "rows",
    "whole": [result...], "ok": [columns...]}``, and so is one that carries
    the checks counted since the last (``"checks"``: name -> [passed, failed],
    :mod:`squall.plugin_api.checks`).
    """

    def __init__(self, q: Any, credits: Any, columns: bool = False) -> None:
        self.queue = q
        self.credits = credits
        self.lock = threading.Lock()
        self.buffer: list[RawResult] = []
        self.columns = columns
        self._blocks: dict[str, OkColumns] = {}  # by action name

    def emit(self, result: RawResult) -> None:
        """Queue one result; a full batch goes to the parent at once."""
        with self.lock:
            self.buffer.append(result)
            if len(self.buffer) < BATCH:
                return
        self.flush()

    def ok_recorder(self, name: str) -> Callable[[int, float, float, float], None] | None:
        """Where an event loop records the successful iterations of one atomic action ``name`` as columns
        (:meth:`OkColumns.record`), when this emitter takes columns; its :meth:`flush` must run on that loop."""
        if not self.columns:
            return None
        block = self._blocks.get(name)
        if block is None:
            block = self._blocks[name] = self._new_block(name)
        return block.record

    def _new_block(self, name: str) -> OkColumns:
        # Rows: a full block is a full batch, sent at once.
        return OkColumns(name, BATCH, self.flush)

    def _send(self, batch: list[RawResult] | dict[str, Any]) -> None:
        self.credits.acquire()
        self.queue.put(batch)

    def start(self, origin: float) -> None:
        """The load started at ``origin`` (wall clock); batches of rows need not know."""

    def flush(self, final: bool = False) -> None:
        """Send what is buffered (``final``: the last call, after the load)."""
        with self.lock:
            batch, self.buffer = self.buffer, []
            columns = [block.take() for block in self._blocks.values() if len(block)]
        counted = TALLY.take()
        if columns or counted:
            sent: dict[str, Any] = {"kind": "rows", "whole": batch, "ok": columns}
            if counted:
                sent["checks"] = counted
            self._send(sent)
        elif batch:
            self._send(batch)
