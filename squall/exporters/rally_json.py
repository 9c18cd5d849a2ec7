"""Task results as Rally 5.1.1's ``task report --json`` (format_version 1.2).

Tools built for Rally read this file; ``squall task import`` reads it back,
whether squall or Rally wrote it.
"""

from __future__ import annotations

import math
from typing import Any

from squall import __version__, utils
from squall.storage import repo
from squall.storage.db import Database

FORMAT_VERSION = "1.2"


def _finite(value: Any) -> Any:
    # JSON has no Infinity: an open-ended value is written as null.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def workload_data(db: Database, workload_uuid: str) -> list[dict[str, Any]]:
    """All iteration results of a workload, in order."""
    data: list[dict[str, Any]] = []
    for chunk in repo.chunks(db, workload_uuid):
        data.extend(chunk)
    return data


def _workload(db: Database, wl: dict[str, Any]) -> dict[str, Any]:
    return {
        "uuid": wl["uuid"],
        "description": wl["description"],
        "runner": {wl["runner_type"]: wl["runner"]},
        "hooks": _finite(wl["hooks"]),
        # squall's addition: what the task still owned after this workload's clean-up.
        "leaks": wl.get("leaks") or [],
        "scenario": {wl["name"]: wl["args"]},
        "min_duration": wl["min_duration"],
        "max_duration": wl["max_duration"],
        "start_time": wl["start_time"],
        "load_duration": wl["load_duration"],
        "full_duration": wl["full_duration"],
        "statistics": wl["statistics"],
        "data": workload_data(db, wl["uuid"]),
        "failed_iteration_count": wl["failed_iteration_count"],
        "total_iteration_count": wl["total_iteration_count"],
        "created_at": utils.isoformat(wl["created_at"]),
        "updated_at": utils.isoformat(wl["updated_at"]),
        "contexts": wl["contexts"],
        "contexts_results": wl["contexts_results"],
        "position": wl["position"],
        "pass_sla": bool(wl["pass_sla"]),
        "sla_results": wl["sla_results"],
        "sla": wl["sla"],
    }


def task_document(db: Database, tree: dict[str, Any]) -> dict[str, Any]:
    """One task (as :func:`repo.task_tree` returns it) in the export's shape."""
    return {
        "uuid": tree["uuid"],
        "title": tree["title"],
        "description": tree["description"],
        "status": tree["status"],
        "tags": tree["tags"],
        "env_uuid": tree["env_uuid"] or "n/a",
        "env_name": tree["env_name"] or "n/a",
        "created_at": utils.isoformat(tree["created_at"]),
        "updated_at": utils.isoformat(tree["updated_at"]),
        "pass_sla": bool(tree["pass_sla"]),
        "subtasks": [
            {
                "uuid": sub["uuid"],
                "title": sub["title"],
                "description": sub["description"],
                "status": sub["status"],
                "created_at": utils.isoformat(sub["created_at"]),
                "updated_at": utils.isoformat(sub["updated_at"]),
                "sla": {},
                "workloads": [_workload(db, wl) for wl in sub["workloads"]],
            }
            for sub in tree["subtasks"]
        ],
    }


def export(db: Database, trees: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole export document for several tasks."""
    return {
        "info": {
            "generated_at": utils.isoformat(utils.utcnow()),
            "rally_version": f"squall {__version__}",
            "format_version": FORMAT_VERSION,
        },
        "tasks": [task_document(db, t) for t in trees],
    }
