"""Iteration data as CSV, one row per iteration, for people's own tools."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from squall.storage import repo
from squall.storage.db import Database

COLUMNS = ["task_uuid", "workload_position", "scenario", "iteration", "timestamp", "duration", "idle_duration",
           "failed", "error_type", "error_message", "atomic_actions"]


def export(db: Database, trees: list[dict[str, Any]]) -> str:
    """CSV text with a header row and one row per iteration of every workload."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for tree in trees:
        for sub in tree["subtasks"]:
            for wl in sub["workloads"]:
                for chunk in repo.chunks(db, wl["uuid"]):
                    for it in chunk:
                        error = it["error"] or []
                        atomics = {a["name"]: round((a.get("finished_at") or a["started_at"]) - a["started_at"], 6)
                                   for a in it.get("atomic_actions") or []}
                        writer.writerow([
                            tree["uuid"], wl["position"], wl["name"], it.get("iteration", ""),
                            f"{it['timestamp']:.6f}", f"{it['duration']:.6f}", f"{it['idle_duration']:.6f}",
                            int(bool(error)), error[0] if error else "", error[1] if len(error) > 1 else "",
                            json.dumps(atomics) if atomics else "",
                        ])
    return buffer.getvalue()
