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


def _row(task_uuid: str, wl: dict[str, Any], it: dict[str, Any]) -> list[Any]:
    error = it["error"] or []
    atomics = {a["name"]: round((a.get("finished_at") or a["started_at"]) - a["started_at"], 6)
               for a in it.get("atomic_actions") or []}
    return [
        task_uuid, wl["position"], wl["name"], it.get("iteration", ""),
        f"{it['timestamp']:.6f}", f"{it['duration']:.6f}", f"{it['idle_duration']:.6f}",
        int(bool(error)), error[0] if error else "", error[1] if len(error) > 1 else "",
        json.dumps(atomics) if atomics else "",
    ]


def export(results: ResultsReader) -> str:
    """CSV text with a header row and one row per iteration of every workload, in iteration order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for tree in results.tasks:
        for sub in tree["subtasks"]:
            for wl in sub["workloads"]:
                # Iterations come as they ended; a reader expects them as they started.
                iterations = sorted(results.iterations(wl["uuid"]),
                                    key=lambda it: (it.get("iteration") or 0, it["timestamp"]))
                writer.writerows(_row(tree["uuid"], wl, it) for it in iterations)
    return buffer.getvalue()


@configure(name="csv")
class Csv(Exporter):
    """One row per iteration of every workload, in iteration order: task, workload, scenario, iteration,
    start, duration, idle time, error and atomic actions."""

    def export(self, results: ResultsReader) -> str:
        return export(results)

