"""The shapes a result takes between squall's parts, each built in one place.

Rally's iteration record and error triple (the workers' compact tuples in
squall's process, the stored chunks' columns and the aggregating workers all
build them here, so the keys, their order and the defaults cannot drift
apart), how errors are counted by kind, and how two workers' figures for the
same second of the load add up. Nothing here imports the rest of squall.
"""

from __future__ import annotations

import traceback
from typing import Any

#: Distinct ``type: message`` error kinds kept (per worker report, and per workload); the rest count under
#: their type only.
MAX_ERROR_KINDS = 200
#: The longest ``type: message`` error kind kept.
MAX_ERROR_KIND_CHARS = 300


#: One iteration as Rally stores it: ``iteration`` (squall's 1-based number), ``timestamp``, ``duration``,
#: ``idle_duration``, ``error`` (the triple, empty on success), ``output``, ``atomic_actions``; ``start_lag``
#: in an open loop and ``worker`` from a Dask worker. Built by :func:`iteration_record` only.
IterationRecord = dict[str, Any]


def empty_output() -> dict[str, Any]:
    """An iteration's output when the scenario added none."""
    return {"additive": [], "complete": []}


def iteration_record(number: int, timestamp: float, duration: float, idle: float, error: list[str],
                     output: dict[str, Any] | None, atomics: list[dict[str, Any]], lag: float | None = None,
                     worker: str | None = None) -> IterationRecord:
    """Rally's iteration dict; ``start_lag`` only in an open loop (how late it started: its latency from its
    due time is start lag + duration), ``worker`` only when a Dask worker ran it."""
    it = {"iteration": number, "timestamp": timestamp, "duration": duration,
                           "idle_duration": idle, "error": error, "output": output or empty_output(),
                           "atomic_actions": atomics}
    if lag is not None:
        it["start_lag"] = lag
    if worker is not None:
        it["worker"] = worker
    return it


def ok_action(name: str, started: float, finished: float) -> dict[str, Any]:
    """A successful atomic action without children."""
    return {"name": name, "started_at": started, "finished_at": finished, "failed": False, "children": []}


def error_triple(exc: BaseException, trace: str | None = None) -> list[str]:
    """Rally's error triple: type, message, traceback (``exc``'s own unless ``trace`` is given: "" for an
    iteration ended from outside, such as a timeout)."""
    if trace is None:
        trace = "".join(traceback.format_exception(exc))
    return [type(exc).__name__, str(exc), trace]


def error_kind(error: list[str]) -> str:
    """``type: message`` of an error triple, cut to :data:`MAX_ERROR_KIND_CHARS`: how errors are counted."""
    return f"{error[0]}: {error[1] if len(error) > 1 else ''}"[:MAX_ERROR_KIND_CHARS]


def add_error_kind(counts: dict[str, int], kind: str, count: int = 1) -> None:
    """Count ``kind``, unless :data:`MAX_ERROR_KINDS` other kinds are counted already."""
    if kind in counts or len(counts) < MAX_ERROR_KINDS:
        counts[kind] = counts.get(kind, 0) + count


#: The figures of one second of the load that add up when two reports cover it (another worker's, or a late
#: report of a second already stored), as (key on the wire and in the stored record, SecondBin attribute).
#: ``peak`` too: each worker knows only its own most in flight, and their sum bounds the whole from above.
SECOND_SUMS = (("n", "count"), ("failed", "failed"), ("busy", "busy"), ("late", "late"), ("peak", "peak"))


def add_second_extras(atomics: dict[str, list[float]], errors: dict[str, int], other: dict[str, Any]) -> None:
    """Add another report's atomic-action sums (``a``: name -> [seconds, count]) and error types of a second."""
    for name, (total, count) in other["a"].items():
        entry = atomics.setdefault(name, [0.0, 0])
        entry[0] += total
        entry[1] += count
    for kind, count in other["errors"].items():
        errors[kind] = errors.get(kind, 0) + count


#: Distinct checks counted per workload (``step: what``); a journey's checks are written in its task file, so
#: more than this many names means names built from data, and the rest are counted under :data:`OTHER_CHECKS`.
MAX_CHECKS = 200
OTHER_CHECKS = "(other checks)"


def add_checks(counts: dict[str, list[int]], other: dict[str, list[int]]) -> None:
    """Add another report's checks (name -> [passed, failed]) into ``counts``, keeping their first-seen order."""
    for name, (passed, failed) in other.items():
        entry = counts.get(name)
        if entry is None:
            if len(counts) >= MAX_CHECKS:
                name = OTHER_CHECKS
                entry = counts.get(name)
            if entry is None:
                entry = counts[name] = [0, 0]
        entry[0] += passed
        entry[1] += failed
