"""Rally 5.1.1 and squall run the same Dummy task: the same atomic actions, errors, outputs and SLA verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import CLI
from tests.rally.conftest import DUMMY_WORKLOADS, PLUGIN_PATHS

RANDOM = {10}  # workloads whose iterations differ from run to run (their statistics are compared elsewhere)


def _atomic_names(actions: list[dict[str, Any]]) -> list[Any]:
    return [[a["name"], a.get("failed", False), _atomic_names(a.get("children", []))] for a in actions]


def _facts(workload: dict[str, Any]) -> dict[str, Any]:
    """What must be equal, whatever the timings: structure, errors, outputs, verdicts."""
    data = sorted(workload["data"], key=lambda it: it["timestamp"])
    return {
        "atomics": [_atomic_names(it["atomic_actions"]) for it in data],
        "errors": [(it["error"][0], it["error"][1]) if it["error"] else None for it in data],
        "outputs": [{kind: [(c["title"], c["chart_plugin"]) for c in it["output"][kind]]
                     for kind in ("additive", "complete")} for it in data],
        "sla": sorted((s["criterion"], s["success"]) for s in workload["sla_results"]["sla"]),
        "pass_sla": workload["pass_sla"],
    }


def test_dummy_scenarios_behave_as_in_rally(rally_dummy_run: tuple[dict[str, Any], Path], cli: CLI) -> None:
    report, task = rally_dummy_run
    theirs = [_facts(sub["workloads"][0]) for sub in report["tasks"][0]["subtasks"]]
    cli("--plugin-paths", PLUGIN_PATHS, "task", "start", str(task), timeout=600)
    exported = json.loads(cli("task", "export", "--type", "json", check=True).stdout)
    ours = [_facts(sub["workloads"][0]) for sub in exported["tasks"][0]["subtasks"]]
    assert len(ours) == len(theirs) == len(DUMMY_WORKLOADS)
    for i, (mine, want) in enumerate(zip(ours, theirs, strict=True)):
        if i in RANDOM:
            continue
        name = next(iter(DUMMY_WORKLOADS[i]["scenario"]))
        for key in want:
            assert mine[key] == want[key], f"workload {i} ({name}), {key}: squall {mine[key]}, Rally {want[key]}"
