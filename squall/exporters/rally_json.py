"""Task results as Rally 5.1.1's ``task report --json`` (format_version 1.2), and squall's own.

``json`` holds exactly what Rally 5.1.1's schema allows, so ``rally task
import`` takes it (tests/rally/test_rally_reads_squall.py). ``squall-json``
is the same document with squall's additions (leaks, hook run details,
iteration numbers, the load's start, unrounded statistics with a 99th
percentile), which ``squall task import`` reads back losslessly.
"""

from __future__ import annotations

import json
import math
from typing import Any

from squall import __version__, utils
from squall.plugin_api.exporter import Exporter, ResultsReader
from squall.registry import configure

FORMAT_VERSION = "1.2"
SQUALL_FORMAT = 1  # info.squall_format of a squall-json document
_CELLS = ("min", "median", "90%ile", "95%ile", "max", "avg")


def _finite(value: Any) -> Any:
    # JSON has no Infinity: an open-ended value is written as null.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _rally_hook_run(run: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {key: run[key] for key in ("started_at", "finished_at", "triggered_by", "status", "output")
                           if key in run}
    error = run.get("error")
    if isinstance(error, dict):  # squall keeps it named; Rally's is [type, message, traceback]
        out["error"] = [str(error.get("exception_name", "")), str(error.get("description", "")),
                        str(error.get("details", ""))]
    elif error:
        out["error"] = [str(part) for part in (list(error) + ["", "", ""])[:3]]
    return out


def _pair(mapping: Any) -> Any:
    return list(next(iter(mapping.items()))) if isinstance(mapping, dict) and len(mapping) == 1 else mapping


def _rally_hook_config(config: dict[str, Any]) -> dict[str, Any]:
    # Rally 5.1.1 keeps a hook's action and trigger as [name, args] pairs and
    # rebuilds them with dict([pair]) in 'task report' and 'task detailed':
    # a {name: args} mapping, as its own JSON export writes, breaks both after
    # 'task import' (docs/rally-compat.md). The pair form works everywhere.
    return {"description": config.get("description") or "", "action": _pair(config.get("action")),
            "trigger": _pair(config.get("trigger"))}


def _rally_hooks(hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"config": _rally_hook_config(h["config"]), "summary": h.get("summary", {}),
             "results": [_rally_hook_run(r) for r in h.get("results", [])]} for h in hooks]


def _rally_actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for action in actions:
        item = {"name": action["name"], "started_at": action["started_at"], "finished_at": action["finished_at"],
                "children": _rally_actions(action.get("children") or [])}
        if action.get("failed"):
            item["failed"] = True
        out.append(item)
    return out


def _rally_iteration(it: dict[str, Any]) -> dict[str, Any]:
    return {"duration": float(it["duration"]), "timestamp": float(it["timestamp"]),
            "idle_duration": float(it["idle_duration"]), "error": it["error"],
            "output": it.get("output") or {"additive": [], "complete": []},
            "atomic_actions": _rally_actions(it["atomic_actions"])}


def _rally_row(row: dict[str, Any]) -> dict[str, Any]:
    data = row["data"]
    shown = {cell: ("n/a" if data.get(cell) in (None, "n/a") else round(data[cell], 3)) for cell in _CELLS}
    shown.update(success=data.get("success", "n/a"), iteration_count=data.get("iteration_count", 0))
    return {**row, "data": shown, "children": [_rally_row(c) for c in row.get("children", [])]}


def _rally_statistics(statistics: dict[str, Any] | None) -> dict[str, Any]:
    durations = (statistics or {}).get("durations")
    if not durations:
        return statistics or {}
    return {"durations": {"atomics": [_rally_row(r) for r in durations.get("atomics", [])],
                          "total": _rally_row(durations["total"]) if durations.get("total") else {}}}


def _seconds(start_time: int | None) -> float | None:
    return None if start_time is None else start_time / 1_000_000


def _workload(results: ResultsReader, wl: dict[str, Any], squall: bool) -> dict[str, Any]:
    data = results.iterations(wl["uuid"])
    doc = {
        "uuid": wl["uuid"],
        "description": wl["description"],
        "runner": {wl["runner_type"]: wl["runner"]},
        "hooks": _finite(wl["hooks"]) if squall else _finite(_rally_hooks(wl["hooks"] or [])),
        "scenario": {wl["name"]: wl["args"]},
        "min_duration": wl["min_duration"],
        "max_duration": wl["max_duration"],
        "start_time": _seconds(wl["start_time"]),  # Rally's unit: epoch seconds
        "load_duration": wl["load_duration"],
        "full_duration": wl["full_duration"],
        "statistics": wl["statistics"] if squall else _rally_statistics(wl["statistics"]),
        "data": data if squall else [_rally_iteration(it) for it in data],
        "failed_iteration_count": wl["failed_iteration_count"],
        "total_iteration_count": wl["total_iteration_count"],
        "created_at": utils.isoformat(wl["created_at"]),
        "updated_at": utils.isoformat(wl["updated_at"]),
        "contexts": wl["contexts"],
        "contexts_results": wl["contexts_results"],
        "position": wl["position"],
        "pass_sla": bool(wl["pass_sla"]),
        "sla_results": wl["sla_results"] or {"sla": []},
        "sla": wl["sla"],
    }
    if squall:
        doc.update(leaks=wl.get("leaks") or [], load_started_at=wl.get("load_started_at"), status=wl["status"])
        if (wl["statistics"] or {}).get("aggregate") is not None:  # --results aggregate: figures per second
            doc["seconds"] = results.seconds(wl["uuid"])
    return doc


def task_document(results: ResultsReader, tree: dict[str, Any], squall: bool = False) -> dict[str, Any]:
    """One task (one of ``results.tasks``) in the export's shape."""
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
                "workloads": [_workload(results, wl, squall) for wl in sub["workloads"]],
            }
            for sub in tree["subtasks"]
        ],
    }


def export(results: ResultsReader, squall: bool = False) -> dict[str, Any]:
    """The whole export document for several tasks: Rally's exactly, or with squall's additions."""
    info: dict[str, Any] = {
        "generated_at": utils.isoformat(utils.utcnow()),
        "rally_version": f"squall {__version__}",
        "format_version": FORMAT_VERSION,
    }
    if squall:
        info["squall_format"] = SQUALL_FORMAT
    return {"info": info, "tasks": [task_document(results, t, squall) for t in results.tasks]}


@configure(name="json")
class RallyJson(Exporter):
    """Rally 5.1.1's JSON results, to its schema exactly (``rally task import`` takes them)."""

    def export(self, results: ResultsReader) -> str:
        return json.dumps(export(results), indent=2, allow_nan=False)


@configure(name="squall-json")
class SquallJson(Exporter):
    """Rally's JSON with squall's additions (leaks, hook details, unrounded statistics, per-second figures),
    which ``squall task import`` reads back losslessly."""

    def export(self, results: ResultsReader) -> str:
        return json.dumps(export(results, squall=True), indent=2, allow_nan=False)
