"""Task states, and detection of tasks whose squall process died."""

from __future__ import annotations

import datetime as dt
import os
import socket
from typing import Any

from squall import utils
from squall.plugin_api.values import Values
from squall.storage import repo
from squall.storage.db import Database
from squall.task.results.stats import DurationRow, WorkloadStats, figures

# A task is validated (stored, not started), then ACTIVE, then finished, aborted or crashed.
ACTIVE = ("running", "aborting", "soft_aborting")
# An imported task is IMPORTING until all of it is stored.
IMPORTING = "importing"
# A task on another host is crashed when its heartbeat is older than this.
STALE_AFTER = dt.timedelta(minutes=5)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_orphaned(task: dict[str, Any]) -> bool:
    """True when an active or importing task's process is gone (SIGKILL, power loss)."""
    if task["status"] not in (*ACTIVE, IMPORTING) or task.get("pid") is None:
        return False
    if task.get("hostname") == socket.gethostname():
        return not _pid_alive(int(task["pid"]))
    beat = task.get("heartbeat")
    if beat is None:
        return False
    if beat.tzinfo is None:
        beat = beat.replace(tzinfo=dt.UTC)
    return utils.utcnow() - beat > STALE_AFTER


def _from_seconds(records: list[dict[str, Any]]) -> dict[str, Any]:
    """What the per-second records of an aggregate-mode workload still say once its process died: counts,
    the longest successful iteration and the load's span; the table's histograms died with the process."""
    count, failed = sum(r["n"] for r in records), sum(r["failed"] for r in records)
    longest = max((r["ok"][3] for r in records if r["ok"]), default=None)
    total = {**figures(Values(), 0), "iteration_count": count, "max": longest,
             "success": f"{100.0 * (count - failed) / count:.1f}%" if count else "n/a"}
    span = float(max(r["s"] for r in records) + 1 - min(r["s"] for r in records))
    return {"load_duration": span, "max_duration": longest, "total_iteration_count": count,
            "failed_iteration_count": failed, "statistics": {
                "durations": {"atomics": [], "total": DurationRow("total").to_dict(data=total, children=[])},
                "exact": False,
                "aggregate": {"mode": "aggregate", "binned_by": "end", "histogram": {"edges": [], "counts": []},
                              "percentiles": {}, "peak_concurrency": max(r["peak"] for r in records),
                              "errors": [], "recovered": True}}}


def stored_statistics(db: Database, workload_uuid: str) -> dict[str, Any]:
    """A workload's figures computed again from the iterations (or, in aggregate mode, the seconds) it stored."""
    records = repo.seconds(db, workload_uuid)
    if records:
        return _from_seconds(records)
    stats = WorkloadStats()
    for chunk in repo.chunks(db, workload_uuid):
        for iteration in chunk:
            stats.add_iteration(iteration)
    return stats.columns()


def _import_interrupted(db: Database, task: dict[str, Any]) -> dict[str, Any]:
    """Record an import whose process died as ``crashed``, saying how much of it is stored."""
    row = repo.task_get(db, task["uuid"])
    expected = next((e.get("import_expected_workloads") for e in row.get("validation_errors") or []
                     if isinstance(e, dict)), None)
    stored = sum(len(s["workloads"]) for s in repo.task_tree(db, task["uuid"])["subtasks"])
    note = (f"import interrupted: {stored} of {expected if expected is not None else '?'} workloads stored, "
            "the last perhaps in part; delete this task and import the file again")
    if repo.task_set_status_if(db, task["uuid"], (IMPORTING,), "crashed"):
        repo.task_update(db, task["uuid"], pass_sla=False, validation_errors=[note],
                         description=f"{note}. {row['description'] or ''}".strip())
    return repo.task_get(db, task["uuid"])


def mark_crashed(db: Database, task: dict[str, Any]) -> dict[str, Any]:
    """Record a dead task as ``crashed``, keeping everything it stored."""
    if task["status"] == IMPORTING:
        return _import_interrupted(db, task)
    repo.task_set_status_if(db, task["uuid"], ACTIVE, "crashed")
    for sub in repo.task_tree(db, task["uuid"])["subtasks"]:
        for wl in sub["workloads"]:
            if wl["status"] == "running":
                repo.workload_update(db, wl["uuid"], status="crashed", pass_sla=False,
                                     **stored_statistics(db, wl["uuid"]),
                                     sla_results={"sla": [{"criterion": "something_went_wrong", "success": False,
                                                           "detail": "the squall process running this task died"}]})
        if sub["status"] == "running":
            repo.subtask_update(db, sub["uuid"], status="crashed", pass_sla=False)
    repo.task_update(db, task["uuid"], pass_sla=False)
    return repo.task_get(db, task["uuid"])


def refresh(db: Database, task: dict[str, Any]) -> dict[str, Any]:
    """The task row, marked crashed first if its process is gone."""
    if is_orphaned(task):
        return mark_crashed(db, task)
    return task
