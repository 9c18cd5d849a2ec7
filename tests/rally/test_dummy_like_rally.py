"""Rally 5.1.1 and squall run the same Dummy task: the same atomic actions, errors, outputs and SLA verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLI
from tests.rally import oracle

WORKLOADS: list[dict[str, Any]] = [
    {"scenario": {"Dummy.dummy": {"sleep": 0}}, "runner": {"serial": {"times": 3}},
     "sla": {"max_avg_duration_per_atomic": {"foo": 5.0, "bar": 5.0}}},
    # An "sla" without failure_rate: 4 failed iterations in 10 pass, as in Rally.
    {"scenario": {"Dummy.failure": {"sleep": 0, "from_iteration": 2, "to_iteration": 5}},
     "runner": {"serial": {"times": 10}}, "sla": {"max_avg_duration": 10}},
    # No "sla" at all: the implicit failure_rate {max: 0} fails it.
    {"scenario": {"Dummy.failure": {"sleep": 0, "from_iteration": 2, "to_iteration": 2}},
     "runner": {"serial": {"times": 3}}},
    {"scenario": {"Dummy.dummy_output": {}}, "runner": {"serial": {"times": 1}}},
    {"scenario": {"Dummy.dummy_random_action": {}}, "runner": {"serial": {"times": 2}}},
    {"scenario": {"Dummy.dummy_random_fail_in_atomic": {"exception_probability": 1}},
     "runner": {"serial": {"times": 2}}, "sla": {}},
    {"scenario": {"Dummy.dummy_exception": {"sleep": 0, "size_of_message": 3}}, "runner": {"serial": {"times": 1}}},
    {"scenario": {"Dummy.dummy_exception_probability": {"exception_probability": 1}},
     "runner": {"serial": {"times": 1}}},
    {"scenario": {"Dummy.dummy_timed_atomic_actions": {"number_of_actions": 2, "sleep_factor": 0}},
     "runner": {"serial": {"times": 1}}},
    {"scenario": {"Dummy.dummy": {"sleep": 0, "extra": "ignored"}}, "runner": {"serial": {"times": 1}}},
]


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


@pytest.fixture(scope="module")
def both(rally: oracle.Rally, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], Path]:
    """Rally's facts per workload, and the task file that produced them."""
    work = tmp_path_factory.mktemp("dummy")
    task = work / "dummy.json"
    task.write_text(json.dumps({"version": 2, "title": "dummies", "subtasks": [
        {"title": f"w{i}", "workloads": [wl]} for i, wl in enumerate(WORKLOADS)]}))
    rally("task", "start", str(task), timeout=600)
    out = work / "rally.json"
    rally("task", "report", "--json", "--out", str(out), check=True)
    tasks = json.loads(out.read_text())["tasks"]
    return [_facts(sub["workloads"][0]) for sub in tasks[0]["subtasks"]], task


def test_dummy_scenarios_behave_as_in_rally(both: tuple[list[Any], Path], cli: CLI, tmp_path: Path) -> None:
    theirs, task = both
    cli("task", "start", str(task), timeout=600)
    exported = json.loads(cli("task", "export", "--type", "json", check=True).stdout)
    ours = [_facts(sub["workloads"][0]) for sub in exported["tasks"][0]["subtasks"]]
    assert len(ours) == len(theirs) == len(WORKLOADS)
    for i, (mine, want) in enumerate(zip(ours, theirs, strict=True)):
        name = next(iter(WORKLOADS[i]["scenario"]))
        for key in want:
            assert mine[key] == want[key], f"workload {i} ({name}), {key}: squall {mine[key]}, Rally {want[key]}"
