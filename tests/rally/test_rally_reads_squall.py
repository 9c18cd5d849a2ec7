"""Rally 5.1.1 reads what squall's `task export --type json` writes, and computes the same statistics."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLI, SQUALL
from tests.rally import oracle
from tests.rally.test_stats_like_rally import _table


def _dummy(scenario: str, args: dict[str, Any], runner: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"scenario": {scenario: args}, "runner": runner, **extra}


TASKS: dict[str, list[dict[str, Any]]] = {
    "hooks, outputs and failures": [
        _dummy("Dummy.dummy_output", {}, {"constant": {"times": 6, "concurrency": 2}}, hooks=[
            {"description": "passes", "action": {"sys_call": "true"},
             "trigger": {"event": {"unit": "iteration", "at": [2]}}},
            {"action": {"sys_call": "false"}, "trigger": {"event": {"unit": "iteration", "at": [3]}}}]),
        _dummy("Dummy.failure", {"sleep": 0, "from_iteration": 1, "to_iteration": 2}, {"serial": {"times": 4}}),
        _dummy("Dummy.dummy_random_fail_in_atomic", {"exception_probability": 0.5},
               {"constant": {"times": 20, "concurrency": 2}}, sla={}),
    ],
    "every runner": [
        _dummy("Dummy.dummy", {"sleep": 0.001}, {"serial": {"times": 3}}),
        _dummy("Dummy.dummy", {"sleep": 0.001}, {"constant": {"times": 6, "concurrency": 3}}),
        _dummy("Dummy.dummy", {"sleep": 0.01}, {"constant_for_duration": {"duration": 0.5, "concurrency": 2}}),
        _dummy("Dummy.dummy", {"sleep": 0.001}, {"rps": {"times": 5, "rps": 20}}),
        _dummy("Dummy.dummy", {"sleep": 0.3}, {"constant": {"times": 2, "concurrency": 2, "timeout": 0.05}}),
    ],
    "aborted": [_dummy("Dummy.dummy", {"sleep": 0.05}, {"constant": {"times": 100000, "concurrency": 2}})],
    "crashed": [_dummy("Dummy.dummy", {"sleep": 0.05}, {"constant": {"times": 100000, "concurrency": 2}})],
}


def _write(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "task.json"
    path.write_text(json.dumps({"version": 2, "title": kind, "subtasks": [
        {"title": f"s{i}", "workloads": [wl]} for i, wl in enumerate(TASKS[kind])]}))
    return path


def _running(cli: CLI) -> bool:
    return '"running"' in cli("task", "list", "--status", "running", "--json").stdout


def _wait_for_stored_iterations(deadline: float) -> None:
    """Until the running task has stored a chunk of iterations (progress counts come sooner than chunks)."""
    from squall.api import API

    api = API()
    while True:
        running = api.task.list(status="running")
        if running and any(w["rows"] for w in api.results.iterations(task_id=running[-1]["uuid"], limit=1)):
            return
        assert time.monotonic() < deadline, "no iteration stored"
        time.sleep(0.2)


def _run_squall(cli: CLI, kind: str, tmp_path: Path) -> None:
    task = _write(tmp_path, kind)
    if kind not in ("aborted", "crashed"):
        cli("task", "start", str(task), timeout=300)
        return
    proc = subprocess.Popen([*SQUALL, "task", "start", str(task)], env=cli.env, cwd=cli.cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not _running(cli):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)
        _wait_for_stored_iterations(deadline)
        if kind == "aborted":
            cli("task", "abort", check=True)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    status = json.loads(cli("task", "status", "--json", check=True).stdout)["status"]
    assert status == kind


CLI_CASE = "hooks, outputs and failures"


@pytest.mark.parametrize("kind", list(TASKS))
def test_rally_imports_reports_and_agrees(rally: oracle.Rally, cli: CLI, tmp_path: Path, kind: str) -> None:
    _run_squall(cli, kind, tmp_path)
    exported = tmp_path / "squall.json"
    cli("task", "export", "--type", "json", "--to", str(exported), check=True)
    ours = json.loads(cli("task", "export", "--type", "squall-json", check=True).stdout)["tasks"][0]

    if kind == CLI_CASE:
        # Rally's own commands, as a user types them.
        imported = rally("task", "import", "--file", str(exported))
        assert imported.returncode == 0, imported.stdout + imported.stderr
        found = re.search(r"Task UUID: ([0-9a-f-]{36})", imported.stdout + imported.stderr)
        assert found is not None
        uuid = found.group(1)
        assert rally("task", "detailed", uuid).returncode == 0
        html = tmp_path / "rally.html"
        assert rally("task", "report", uuid, "--out", str(html)).returncode == 0
        assert rally("task", "trends", uuid, "--out", str(tmp_path / "trends.html")).returncode == 0
        rally("task", "report", uuid, "--json", "--out", str(tmp_path / "rally.json"), check=True)
    else:
        # The same steps through the code behind those commands, in one process (each command costs 2-3 s).
        rally.python("reads.py", stdin=json.dumps({"config_file": str(rally.work / "rally.conf"), "env": "oracle",
                                                   "file": str(exported), "out": str(tmp_path)}))
    assert (tmp_path / "rally.html").stat().st_size > 1000 and (tmp_path / "trends.html").stat().st_size > 1000
    report = tmp_path / "rally.json"
    theirs = json.loads(report.read_text())["tasks"][0]

    pairs = list(zip([wl for s in ours["subtasks"] for wl in s["workloads"]],
                     [wl for s in theirs["subtasks"] for wl in s["workloads"]], strict=True))
    assert pairs
    for mine, rallys in pairs:
        # Rally recomputed the table from squall's iterations: every cell is squall's.
        assert _table(rallys["statistics"]) == _table(mine["statistics"]), mine["scenario"]
        assert rallys["total_iteration_count"] == mine["total_iteration_count"] > 0
        assert rallys["pass_sla"] == mine["pass_sla"]
        assert abs(rallys["start_time"] - mine["start_time"]) < 1e-3  # epoch seconds in both
        assert 1.7e9 < rallys["start_time"] < 4.1e9
        assert [len(h["results"]) for h in rallys["hooks"]] == [len(h["results"]) for h in mine["hooks"]]
