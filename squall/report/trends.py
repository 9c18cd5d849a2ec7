"""Trends: how each workload configuration's statistics moved across runs."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from squall.report.compare import failure_rate


def config_hash(wl: dict[str, Any]) -> str:
    """A short hash of the workload's normalised configuration (as Rally groups trends)."""
    config = {"scenario": {wl["name"]: wl["args"]}, "runner": {wl["runner_type"]: wl["runner"]},
              "contexts": wl["contexts"], "sla": wl["sla"],
              "hooks": [h.get("config") for h in wl.get("hooks") or []]}
    return hashlib.sha1(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]


def trends(trees: list[dict[str, Any]]) -> dict[str, Any]:
    """Per configuration, one point per run (oldest first) of its statistics and verdict.

    A run imported more than once, or imported beside its original, counts once.
    """
    groups: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    kept = []
    for tree in sorted(trees, key=lambda t: t["created_at"]):
        source = tree.get("imported_from") or tree["uuid"]
        if source in seen:
            continue
        seen.add(source)
        kept.append(tree)
    for tree in kept:
        for sub in tree["subtasks"]:
            for wl in sub["workloads"]:
                key = config_hash(wl)
                group = groups.setdefault(key, {
                    "hash": key, "name": wl["name"], "args": wl["args"],
                    "runner": {wl["runner_type"]: wl["runner"]}, "runs": []})
                data = ((wl.get("statistics") or {}).get("durations") or {}).get("total", {}).get("data", {})
                group["runs"].append({
                    "task_uuid": tree["uuid"], "title": tree["title"], "created_at": str(tree["created_at"]),
                    "tags": list(tree["tags"] or []), "imported": bool(tree.get("imported_from")),
                    "pass_sla": wl["pass_sla"], "iterations": wl["total_iteration_count"],
                    "failure_rate": failure_rate(wl), "min": data.get("min"), "median": data.get("median"),
                    "90%ile": data.get("90%ile"), "95%ile": data.get("95%ile"), "max": data.get("max"),
                    "avg": data.get("avg"),
                    "rate": (wl["total_iteration_count"] / wl["load_duration"]) if wl["load_duration"] else None,
                })
    return {"tasks": [t["uuid"] for t in kept], "workloads": list(groups.values())}
