"""Iteration data as CSV, one row per iteration, for people's own tools."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from squall.plugin_api.exporter import Exporter, ResultsReader
from squall.registry import configure

COLUMNS = ["task_uuid", "workload_position", "scenario", "iteration", "timestamp", "duration", "idle_duration",
           "failed", "error_type", "error_message", "atomic_actions"]


REQUEST_COLUMNS = ["task_uuid", "workload_position", "scenario", "iteration", "request", "started_at", "duration",
                   "failed", "error_type", "error_message"]


def _took(action: dict[str, Any]) -> float:
    return round((action.get("finished_at") or action["started_at"]) - action["started_at"], 6)


def _atomics(it: dict[str, Any]) -> dict[str, Any]:
    """Each top-level action's duration by name; a name that repeats in the iteration has the list of its runs."""
    found: dict[str, Any] = {}
    for action in it.get("atomic_actions") or []:
        name, took = action["name"], _took(action)
        if name not in found:
            found[name] = took
        elif isinstance(found[name], list):
            found[name].append(took)
        else:
            found[name] = [found[name], took]
    return found


def _row(task_uuid: str, wl: dict[str, Any], it: dict[str, Any]) -> list[Any]:
    error = it["error"] or []
    atomics = _atomics(it)
    return [
        task_uuid, wl["position"], wl["name"], it.get("iteration", ""),
        f"{it['timestamp']:.6f}", f"{it['duration']:.6f}", f"{it['idle_duration']:.6f}",
        int(bool(error)), error[0] if error else "", error[1] if len(error) > 1 else "",
        json.dumps(atomics) if atomics else "",
    ]


def _request_rows(task_uuid: str, wl: dict[str, Any], it: dict[str, Any]) -> list[list[Any]]:
    error = it["error"] or []
    rows = []
    for action in it.get("atomic_actions") or []:
        failed = bool(action.get("failed"))
        # The iteration's error is the failed request's: the one that ended it.
        rows.append([task_uuid, wl["position"], wl["name"], it.get("iteration", ""), action["name"],
                     f"{action['started_at']:.6f}", f"{_took(action):.6f}", int(failed),
                     error[0] if failed and error else "", error[1] if failed and len(error) > 1 else ""])
    return rows


def _write(results: ResultsReader, header: list[str], rows_of: Any) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for tree in results.tasks:
        for sub in tree["subtasks"]:
            for wl in sub["workloads"]:
                # Iterations come as they ended; a reader expects them as they started.
                iterations = sorted(results.iterations(wl["uuid"]),
                                    key=lambda it: (it.get("iteration") or 0, it["timestamp"]))
                for it in iterations:
                    writer.writerows(rows_of(tree["uuid"], wl, it))
    return buffer.getvalue()


def export(results: ResultsReader) -> str:
    """CSV text with a header row and one row per iteration of every workload, in iteration order."""
    return _write(results, COLUMNS, lambda task, wl, it: [_row(task, wl, it)])


def export_requests(results: ResultsReader) -> str:
    """CSV text with a header row and one row per request (top-level atomic action) of every iteration."""
    return _write(results, REQUEST_COLUMNS, _request_rows)


@configure(name="csv")
class Csv(Exporter):
    """One row per iteration of every workload, in iteration order: task, workload, scenario, iteration,
    start, duration, idle time, error and atomic actions."""

    def export(self, results: ResultsReader) -> str:
        return export(results)


@configure(name="csv-requests")
class CsvRequests(Exporter):
    """One row per request (top-level atomic action) of every iteration, in iteration order: task, workload,
    scenario, iteration, request name, start, duration, failed, and the error of the request that failed."""

    def export(self, results: ResultsReader) -> str:
        return export_requests(results)

