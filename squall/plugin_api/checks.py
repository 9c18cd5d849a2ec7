"""Checks counted one by one, as k6 counts them: each named check's passes and failures in a workload.

A scenario calls :meth:`squall.plugin_api.Scenario.check` (a journey counts
every check its steps name). The counts of a worker process gather in
:data:`TALLY`; the worker's emitter takes them with each batch it sends, and
squall's process adds them up per workload (``statistics.checks``).
"""

from __future__ import annotations

import threading

from squall.results import add_checks


class CheckTally:
    """One process's check counts since they were last taken: name -> [passed, failed]. Thread-safe: the
    thread runner's iterations count into it at once."""

    def __init__(self) -> None:
        self._counts: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def add(self, name: str, passed: bool) -> None:
        """Count one check."""
        with self._lock:
            entry = self._counts.get(name)
            if entry is None:
                add_checks(self._counts, {name: [int(passed), int(not passed)]})
            else:
                entry[0 if passed else 1] += 1

    def take(self) -> dict[str, list[int]]:
        """The counts so far (empty when none), and start again from nothing."""
        with self._lock:
            counts, self._counts = self._counts, {}
        return counts


#: This process's checks: counted by scenarios, taken by the emitter that sends the worker's results.
TALLY = CheckTally()
