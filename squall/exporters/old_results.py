"""Rally's older results format: the list `rally task results` prints (deprecated in Rally 3.0.0).

One item per workload: ``{key: {name, pos, kw: {args, runner, context, sla,
hooks}}, result: [iteration...], sla, hooks, load_duration, full_duration,
created_at}``, atomic actions as ``{name: duration}`` with repeats named
``name (2)``, and ``created_at`` written day before month, as Rally does.
``to_document`` turns such a list into a format 1.2 document for the importer.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from squall import exceptions, utils
from squall.exporters import rally_json
from squall.plugin_api.exporter import Exporter, ResultsReader
from squall.registry import configure
from squall.task.results.stats import WorkloadStats

_RALLY_OLD_TIME = "%Y-%d-%mT%H:%M:%S"  # sic: Rally's old exporter swaps day and month


def _old_actions(actions: list[dict[str, Any]]) -> dict[str, float]:
    flat: dict[str, float] = {}
    for action in actions:
        name = action["name"]
        if name in flat:
            n = 2
            while f"{name} ({n})" in flat:
                n += 1
            name = f"{name} ({n})"
        flat[name] = action["finished_at"] - action["started_at"]
    return flat


def _old_hook(hook: dict[str, Any]) -> dict[str, Any]:
    (action, args), = hook["config"]["action"].items()
    (trigger, targs), = hook["config"]["trigger"].items()
    config = {"name": action, "args": args, "description": hook["config"].get("description") or "",
              "trigger": {"name": trigger, "args": targs}}
    return {**hook, "config": config}


def export(reader: ResultsReader, tree: dict[str, Any]) -> list[dict[str, Any]]:
    """One task as the list `rally task results` prints."""
    document = rally_json.task_document(reader, tree)
    stored = {wl["uuid"]: wl for sub in tree["subtasks"] for wl in sub["workloads"]}
    results = []
    for sub in document["subtasks"]:
        for wl in sub["workloads"]:
            (name, args), = wl["scenario"].items()
            (runner_type, runner), = wl["runner"].items()
            hooks = [_old_hook(h) for h in stored[wl["uuid"]]["hooks"] or []]
            created = dt.datetime.fromisoformat(wl["created_at"]).strftime(_RALLY_OLD_TIME)
            results.append({
                "key": {"name": name, "description": wl["description"], "pos": wl["position"],
                        "kw": {"args": args, "runner": {**runner, "type": runner_type}, "context": wl["contexts"],
                               "sla": wl["sla"], "hooks": [h["config"] for h in hooks]}},
                "result": [{**it, "atomic_actions": _old_actions(it["atomic_actions"])} for it in wl["data"]],
                "sla": wl["sla_results"].get("sla", []),
                "hooks": wl["hooks"],  # the runs as the JSON document has them, Rally's way
                "load_duration": wl["load_duration"], "full_duration": wl["full_duration"],
                "created_at": created,
            })
    return results


def _new_actions(actions: Any, started: float) -> list[dict[str, Any]]:
    out = []
    for name, duration in (actions or {}).items():
        out.append({"name": name, "started_at": started, "finished_at": started + duration, "children": []})
        started += duration
    return out


def _created_at(value: Any) -> str | None:
    for parse in (lambda v: dt.datetime.strptime(v, _RALLY_OLD_TIME), dt.datetime.fromisoformat):
        try:
            return utils.isoformat(parse(value).replace(tzinfo=dt.UTC))
        except (TypeError, ValueError):
            continue
    return utils.isoformat(utils.utcnow())


def _workload(result: Any, index: int) -> dict[str, Any]:
    where = f"results file: item {index}"
    if not isinstance(result, dict) or not isinstance(result.get("key"), dict) \
            or not isinstance(result.get("result"), list):
        raise exceptions.InvalidArgumentsError(f"{where} is not a workload of `rally task results` "
                                               "(expected 'key' and 'result')")
    key, kw = result["key"], result["key"].get("kw") or {}
    iterations = []
    for it in result["result"]:
        if not isinstance(it, dict) or not isinstance(it.get("duration"), int | float):
            raise exceptions.InvalidArgumentsError(f"{where}: an iteration without a duration")
        stamp = float(it.get("timestamp") or 0.0)
        iterations.append({**it, "timestamp": stamp, "idle_duration": float(it.get("idle_duration") or 0.0),
                           "error": it.get("error") or [], "output": it.get("output") or {"additive": [],
                                                                                          "complete": []},
                           "atomic_actions": _new_actions(it.get("atomic_actions"), stamp)})
    iterations.sort(key=lambda it: it["timestamp"])
    stats = WorkloadStats()
    for it in iterations:
        stats.add_iteration(it)
    runner = dict(kw.get("runner") or {})
    hooks = []
    for hook in result.get("hooks") or []:
        config = hook.get("config") or {}
        trigger = config.get("trigger") or {}
        hooks.append({**hook, "config": {"description": config.get("description") or "",
                                         "action": {config.get("name", ""): config.get("args")},
                                         "trigger": {trigger.get("name", ""): trigger.get("args")}}})
    sla = result.get("sla") or []
    return {
        "scenario": {key.get("name", "unknown"): kw.get("args") or {}},
        "runner": {runner.pop("type", "serial"): runner},
        "position": key.get("pos", index), "description": key.get("description", ""),
        "contexts": kw.get("context") or {}, "sla": kw.get("sla") or {},
        "sla_results": {"sla": sla}, "pass_sla": all(s.get("success") for s in sla), "hooks": hooks,
        "data": iterations, "load_duration": result.get("load_duration") or 0.0,
        "full_duration": result.get("full_duration") or 0.0, "min_duration": stats.min_duration,
        "max_duration": stats.max_duration, "start_time": stats.first_start,
        "total_iteration_count": stats.count, "failed_iteration_count": stats.failed,
        "statistics": stats.to_dict(), "created_at": _created_at(result.get("created_at")),
    }


def to_document(results: list[Any]) -> dict[str, Any]:
    """A `rally task results` list as a format 1.2 document with one task."""
    return {"info": {"format_version": rally_json.FORMAT_VERSION, "rally_version": "rally task results"},
            "tasks": [{"title": "Task loaded from a file.", "description": "Auto-ported from task format V1.",
                       "status": "finished", "tags": [],
                       "subtasks": [{"title": "A SubTask", "workloads": [_workload(r, i)]}
                                    for i, r in enumerate(results)]}]}


@configure(name="old-json-results")
class OldJsonResults(Exporter):
    """One task as the JSON list `rally task results` prints (Rally's older format)."""

    MAX_TASKS = 1

    def export(self, results: ResultsReader) -> str:
        return json.dumps(export(results, results.tasks[0]), indent=2, allow_nan=False)

