"""Aborts, Ctrl-C, a killed squall process, and SLA-triggered aborts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from squall.api import API
from tests.conftest import CLI
from tests.functional.helpers import iterations, only_workload, run_task, v2_task


def test_abort_on_sla_failure_stops_the_workload_early(api: API) -> None:
    task = run_task(api, v2_task("Dummy.failure", {"sleep": 0.01, "from_iteration": 1, "to_iteration": 100000},
                                 runner={"constant": {"times": 5000, "concurrency": 2}}),
                    abort_on_sla_failure=True)
    wl = only_workload(task)
    assert 0 < wl["total_iteration_count"] < 5000
    criteria = {r["criterion"]: r["success"] for r in wl["sla_results"]["sla"]}
    assert criteria == {"failure_rate": False, "aborted_on_sla": False}


def _wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)


def _long_task(tmp_path: Path, seconds: int = 60) -> Path:
    path = tmp_path / "long.json"
    path.write_text(v2_task("Dummy.dummy", {"sleep": 0.05},
                            runner={"constant_for_duration": {"duration": seconds, "concurrency": 2}},
                            contexts={"dummy_context": {}}))
    return path


def _running_task(api: API) -> dict:
    tasks = api.task.list()
    assert tasks, "no task yet"
    return tasks[-1]


def _has_progress(api: API) -> bool:
    tasks = api.task.list(status="running")
    if not tasks:
        return False
    progress = api.task.progress(task_id=tasks[-1]["uuid"])
    return any(w["done"] > 0 for w in progress["workloads"])


def test_abort_from_another_process_keeps_results(api: API, cli: CLI, tmp_path: Path) -> None:
    proc = cli.popen("task", "start", str(_long_task(tmp_path)))
    try:
        _wait_for(lambda: _has_progress(api))
        uuid = _running_task(api)["uuid"]
        aborted = cli("task", "abort", uuid)
        assert aborted.returncode == 0, aborted.stderr
        assert proc.wait(timeout=60) == 2  # as Rally 5.1.1: an aborted run did not pass
    finally:
        if proc.poll() is None:
            proc.kill()
    task = api.task.get(task_id=uuid)
    wl = only_workload(task)
    assert task["status"] == "aborted"
    assert wl["total_iteration_count"] > 0
    assert len(iterations(api, uuid)) == wl["total_iteration_count"]
    assert any(r["criterion"] == "aborted_manually" for r in wl["sla_results"]["sla"])
    assert wl["contexts_results"][0]["cleanup"]["finished_at"] > 0


def test_soft_abort_finishes_the_running_workload_and_skips_the_rest(api: API, cli: CLI, tmp_path: Path) -> None:
    workload = {"scenario": {"Dummy.dummy": {"sleep": 0.05}}, "runner": {"constant": {"times": 120, "concurrency": 2}}}
    path = tmp_path / "three.json"
    path.write_text(json.dumps({"version": 2, "title": "soft", "subtasks": [
        {"title": f"s{i}", "workloads": [workload]} for i in range(4)]}))
    proc = cli.popen("task", "start", str(path))
    try:
        _wait_for(lambda: _has_progress(api))
        uuid = _running_task(api)["uuid"]
        aborted = cli("task", "abort", "--soft", uuid)
        assert aborted.returncode == 0, aborted.stderr
        assert proc.wait(timeout=120) == 2
    finally:
        if proc.poll() is None:
            proc.kill()
    task = api.task.get(task_id=uuid)
    assert task["status"] == "aborted"
    ran = [w for sub in task["subtasks"] for w in sub["workloads"]]
    # The workload running when the abort came (the first, unless this machine is very slow) ran to its
    # end without an abort verdict, as every one before it; none started after it.
    assert 1 <= len(ran) < 4
    for wl in ran:
        assert wl["total_iteration_count"] == 120 and wl["status"] == "finished"
        assert not any(r["criterion"] == "aborted_manually" for r in wl["sla_results"]["sla"])


def test_ctrl_c_aborts_gracefully(api: API, cli: CLI, tmp_path: Path) -> None:
    proc = cli.popen("task", "start", str(_long_task(tmp_path)))
    try:
        _wait_for(lambda: _has_progress(api))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in err
    assert proc.returncode == 130  # the shell's code for Ctrl-C
    task = api.task.list()[-1]
    assert task["status"] == "aborted"
    wl = only_workload(api.task.get(task_id=task["uuid"]))
    assert wl["total_iteration_count"] > 0
    assert wl["contexts_results"][0]["cleanup"]["finished_at"] > 0


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_squall(proc: subprocess.Popen[str], workers: set[int]) -> None:
    """SIGKILL squall's process; its orphaned workers must stop the load on their own (nothing keeps hitting
    the system under test); whatever is left after that is killed too."""
    try:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        _wait_for(lambda: not any(_alive(pid) for pid in workers), timeout=60)
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_killed_squall_process_leaves_a_crashed_task(api: API, cli: CLI, tmp_path: Path) -> None:
    # The load would go on for 5 minutes: its workers must not wait for that.
    proc = cli.popen("task", "start", str(_long_task(tmp_path, seconds=300)))
    workers: set[int] = set()
    try:
        _wait_for(lambda: _has_progress(api))
        uuid = _running_task(api)["uuid"]
        workers = _children(proc.pid)
        assert workers, "the load runs in worker processes"
        time.sleep(2.5)  # let at least one chunk reach the database
    finally:
        _kill_squall(proc, workers)
    status = cli("task", "status", uuid, check=True)
    assert "crashed" in status.stdout
    task = api.task.get(task_id=uuid)
    wl = only_workload(task)
    assert task["status"] == "crashed" and wl["status"] == "crashed"
    assert wl["total_iteration_count"] > 0
    stored = iterations(api, uuid)
    assert len(stored) == wl["total_iteration_count"]
    # Its statistics are computed from what it stored, as for a finished run.
    total = wl["statistics"]["durations"]["total"]
    assert total["count_per_iteration"] == 1 and total["data"]["iteration_count"] == len(stored)
    assert total["data"]["max"] == max(it["duration"] + it["idle_duration"] for it in stored)
    assert wl["load_duration"] > 0 and wl["start_time"] == int(min(it["timestamp"] for it in stored) * 1e6)
    detailed = cli("task", "detailed", uuid, check=True).stdout
    assert "n/a it/s" not in detailed and f"Iterations: {len(stored)}" in detailed
    # What was stored is exportable as valid JSON.
    json.loads(api.results.export(task_ids=[uuid])["content"])


def test_abort_refuses_a_finished_task(api: API) -> None:
    from squall import exceptions

    task = run_task(api, v2_task("Dummy.dummy"))
    with pytest.raises(exceptions.InvalidStateError):
        api.task.abort(task_id=task["uuid"])


def test_a_killed_task_in_figures_keeps_the_seconds_it_stored(api: API, cli: CLI, tmp_path: Path) -> None:
    from squall.storage import repo
    from squall.storage.db import Database

    proc = cli.popen("task", "start", str(_long_task(tmp_path, seconds=300)), "--results", "aggregate")
    workers: set[int] = set()
    try:
        _wait_for(lambda: _has_progress(api))
        uuid = _running_task(api)["uuid"]
        wl_uuid = api.task.get(task_id=uuid)["subtasks"][0]["workloads"][0]["uuid"]
        workers = _children(proc.pid)
        _wait_for(lambda: len(repo.seconds(Database(), wl_uuid)) >= 2)  # two complete seconds stored
    finally:
        _kill_squall(proc, workers)
    task = api.task.get(task_id=uuid)
    wl = only_workload(task)
    seconds = repo.seconds(Database(), wl_uuid)
    assert task["status"] == "crashed" and wl["status"] == "crashed"
    # What the seconds say survives: counts and the longest iteration; the table's rows died with squall.
    assert wl["total_iteration_count"] == sum(s["n"] for s in seconds) > 0
    assert wl["statistics"]["durations"]["total"]["data"]["iteration_count"] == wl["total_iteration_count"]
    assert wl["statistics"]["aggregate"]["recovered"] is True
    assert wl["max_duration"] == max(s["ok"][3] for s in seconds if s["ok"])
    detailed = cli("task", "detailed", uuid, check=True).stdout
    assert f"Iterations: {wl['total_iteration_count']}" in detailed
    cli("task", "report", uuid, "--out", str(tmp_path / "r.html"), check=True)
