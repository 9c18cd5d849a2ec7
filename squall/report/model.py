"""The data of an HTML report: tasks, workloads, statistics and chart series."""

from __future__ import annotations

from typing import Any

from squall import __version__, utils
from squall.report.seconds import summarise_seconds
from squall.report.series import IterationArrays, summarise
from squall.storage import repo
from squall.storage.db import Database


def hook_runs(wl: dict[str, Any]) -> list[dict[str, Any]]:
    """A workload's hook runs, flat and in start order: which hook, its trigger, when, the outcome."""
    runs = []
    for hook in wl["hooks"] or []:
        (action, args), = hook["config"]["action"].items()
        (trigger, targs), = hook["config"]["trigger"].items()
        for r in hook["results"]:
            runs.append({
                "hook": r.get("hook", action),
                "action": action, "args": args, "trigger": trigger, "trigger_args": targs,
                "description": hook["config"].get("description", ""), "status": r["status"],
                "started_at": r["started_at"], "finished_at": r["finished_at"],
                "duration": r.get("duration", r["finished_at"] - r["started_at"]),
                "iteration": r.get("iteration"), "triggered_by": r["triggered_by"], "error": r.get("error"),
                "output": r.get("output"),
            })
    return sorted(runs, key=lambda r: r["started_at"])


def workload_series(db: Database, wl: dict[str, Any], bins: int = 500) -> dict[str, Any]:
    """A workload's chart data: from its iterations, or from its per-second records (``--results aggregate``)."""
    aggregate = (wl["statistics"] or {}).get("aggregate")
    if aggregate is not None:
        return summarise_seconds(repo.seconds(db, wl["uuid"]), aggregate, wl.get("load_started_at"))
    arrays = IterationArrays()
    for chunk_id, cols in repo.chunk_columns(db, wl["uuid"]):
        if cols is not None and not cols["failed"] and not cols["outputs"]:
            arrays.add_columns(cols)  # timings only: no need to parse every iteration
        else:
            arrays.add_chunk(repo.chunk_by_id(db, chunk_id))
    return summarise(arrays, bins=bins, origin=wl.get("load_started_at"))


def workload_report(db: Database, wl: dict[str, Any], bins: int = 500) -> dict[str, Any]:
    """Everything the report shows about one workload."""
    total = wl["total_iteration_count"]
    return {
        "uuid": wl["uuid"],
        "position": wl["position"],
        "name": wl["name"],
        "description": wl["description"],
        "status": wl["status"],
        "args": wl["args"],
        "runner": {wl["runner_type"]: wl["runner"]},
        "contexts": wl["contexts"],
        "contexts_results": wl["contexts_results"],
        "sla": wl["sla"],
        "sla_results": (wl["sla_results"] or {}).get("sla", []),
        "pass_sla": wl["pass_sla"],
        "load_duration": wl["load_duration"],
        "full_duration": wl["full_duration"],
        "iterations": total,
        "failures": wl["failed_iteration_count"],
        "rate": (total / wl["load_duration"]) if wl["load_duration"] else None,
        "statistics": wl["statistics"],
        "series": workload_series(db, wl, bins),
        "hooks": hook_runs(wl),
        "leaks": wl.get("leaks") or [],
    }


def task_report(db: Database, uuid: str, bins: int = 500) -> dict[str, Any]:
    """One task with all its workloads."""
    tree = repo.task_tree(db, uuid)
    return {
        "uuid": tree["uuid"],
        "title": tree["title"],
        "description": tree["description"],
        "status": tree["status"],
        "pass_sla": tree["pass_sla"],
        "tags": tree["tags"],
        "env_name": tree["env_name"],
        "created_at": utils.isoformat(tree["created_at"]),
        "duration": tree["task_duration"],
        "input_task": tree["input_task"],
        "subtasks": [
            {"title": sub["title"], "workloads": [workload_report(db, wl, bins) for wl in sub["workloads"]]}
            for sub in tree["subtasks"]
        ],
    }


def report_document(db: Database, uuids: list[str], bins: int = 500) -> dict[str, Any]:
    """The report of several tasks, shown side by side."""
    return {
        "generated_at": utils.isoformat(utils.utcnow()),
        "squall_version": __version__,
        "tasks": [task_report(db, u, bins) for u in uuids],
    }
