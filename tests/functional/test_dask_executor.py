"""The Dask executor against a real cluster: a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1,
and a local cluster (``dask-local:2``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from squall.api import API
from squall.plugin_api.runner import RateSchedule, ramp_segments
from squall.storage import repo
from squall.storage.db import Database
from tests.conftest import CLI, free_port
from tests.functional.helpers import iterations, only_workload, run_task, v2_task

DASK = Path(sys.executable).with_name("dask")


def _wait_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(count, timeout=60)


class Cluster:
    """A real Dask cluster on 127.0.0.1: one scheduler and single-threaded workers, each in a session of its
    own (so that a test can kill one worker, nanny and all)."""

    def __init__(self, workers: int = 2) -> None:
        port = free_port()
        self.address = f"127.0.0.1:{port}"
        self.scheduler = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                           "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True)
        self.workers: list[subprocess.Popen[bytes]] = []
        try:
            time.sleep(0.5)
            for _ in range(workers):
                self.workers.append(subprocess.Popen(
                    [str(DASK), "worker", f"tcp://{self.address}", "--nthreads", "1", "--no-dashboard",
                     "--host", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True))
            _wait_workers(f"tcp://{self.address}", workers)
        except BaseException:
            self.close()
            raise

    def kill_worker(self, index: int) -> None:
        """SIGKILL one worker's whole session: its nanny cannot bring it back."""
        os.killpg(self.workers[index].pid, signal.SIGKILL)
        self.workers[index].wait()

    def close(self) -> None:
        """Stop every process of the cluster."""
        procs = [*self.workers, self.scheduler]
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A Dask cluster shared by the tests that leave it whole."""
    shared = Cluster()
    try:
        yield shared.address
    finally:
        shared.close()


def _dense(its: list[dict[str, Any]]) -> bool:
    return sorted(it["iteration"] for it in its) == list(range(1, len(its) + 1))


def test_a_task_runs_on_the_cluster_as_it_runs_here(api: API, cluster: str) -> None:
    text = v2_task("Dummy.dummy", {"sleep": 0.005}, runner={"constant": {"times": 120, "concurrency": 4}},
                   sla={"failure_rate": {"max": 0}})
    here = run_task(api, text)
    there = run_task(api, text, executor=f"dask://{cluster}")
    for task in (here, there):
        assert task["status"] == "finished" and task["pass_sla"] is True
    local, remote = only_workload(here), only_workload(there)
    assert remote["total_iteration_count"] == local["total_iteration_count"] == 120
    assert [r["display_name"] for r in remote["statistics"]["durations"]["atomics"]] == \
        [r["display_name"] for r in local["statistics"]["durations"]["atomics"]]
    its = iterations(api, there["uuid"])
    assert _dense(its)
    by_worker = Counter(it["worker"] for it in its)
    assert len(by_worker) == 2 and sorted(by_worker.values()) == [60, 60]  # times split evenly
    assert all("worker" not in it for it in iterations(api, here["uuid"]))
    clocks = remote["statistics"]["executor"]["workers"]
    assert set(clocks) == set(by_worker)
    assert all(abs(c["offset"]) <= c["uncertainty"] + 0.05 for c in clocks.values())  # one machine, one clock
    rally = json.loads(api.results.export(task_ids=[there["uuid"]], type="json")["content"])
    assert all("worker" not in it for it in rally["tasks"][0]["subtasks"][0]["workloads"][0]["data"])


def test_an_open_loop_keeps_its_schedule_across_workers(api: API, cluster: str) -> None:
    ramp = {"start": 50, "end": 150, "step": 50, "duration": 1}
    task = run_task(api, v2_task("Dummy.dummy", {"sleep": 0.001}, runner={"rps": {"times": 300, "rps": ramp}}),
                    executor=f"dask://{cluster}")
    wl = only_workload(task)
    its = iterations(api, task["uuid"])
    assert _dense(its) and len(its) == 300
    assert len({it["worker"] for it in its}) == 2
    schedule = RateSchedule(ramp_segments(ramp))
    uncertainty = max(c["uncertainty"] for c in wl["statistics"]["executor"]["workers"].values())
    starts = sorted(it["timestamp"] for it in its)
    begin = wl["load_started_at"] if isinstance(wl["load_started_at"], float) else starts[0]
    # The union of the workers' starts keeps the schedule: the k-th start is never before the k-th due time.
    early = [k for k, start in enumerate(starts) if start - begin < schedule.offset(k) - uncertainty - 0.002]
    assert early == []
    assert all(it["start_lag"] >= 0 for it in its)


def test_figures_from_every_worker_make_one_table(api: API, cluster: str) -> None:
    text = v2_task("Dummy.dummy", {"sleep": 0.002}, runner={"rps": {"times": 400, "rps": 200}},
                   sla={"failure_rate": {"max": 0}})
    task = run_task(api, text, executor=f"dask://{cluster}", results="aggregate")
    wl = only_workload(task)
    assert task["pass_sla"] is True and wl["total_iteration_count"] == 400
    assert wl["statistics"]["aggregate"]["mode"] == "aggregate"
    assert wl["statistics"]["schedule"]["start_lag"]["iteration_count"] == 400
    assert iterations(api, task["uuid"]) == []  # no rows travelled
    seconds = repo.seconds(Database(), wl["uuid"])
    assert sum(s["n"] for s in seconds) == 400 and len({s["s"] for s in seconds}) == len(seconds)


def test_an_environment_can_send_its_load_to_the_cluster(api: API, cluster: str) -> None:
    api.env.create(name="on-dask", spec={"dask": {"scheduler": f"dask://{cluster}", "workers": 1}})
    check = api.env.check(env="on-dask")
    assert check["available"] is True and "2 workers" in check["platforms"][0]["message"], check
    text = v2_task("Dummy.dummy", {"sleep": 0}, runner={"constant": {"times": 30, "concurrency": 2}})
    there = run_task(api, text)  # no --executor: the environment's
    assert {it.get("worker") for it in iterations(api, there["uuid"])} != {None}
    assert len({it["worker"] for it in iterations(api, there["uuid"])}) == 1  # its "workers: 1"
    spread = run_task(api, text, dask_workers=2, results="aggregate")  # options given override the spec's
    assert only_workload(spread)["statistics"]["aggregate"]["mode"] == "aggregate"
    here = run_task(api, text, executor="local")
    assert all("worker" not in it for it in iterations(api, here["uuid"]))
    closed = free_port()
    api.env.create(name="gone", spec={"dask": {"scheduler": f"dask://127.0.0.1:{closed}"}}, use=False)
    check = api.env.check(env="gone")
    assert check["available"] is False and "cannot reach the Dask scheduler" in check["platforms"][0]["message"]


def test_a_task_launched_in_the_background_runs_on_the_cluster(api: API, cluster: str) -> None:
    text = v2_task("Dummy.dummy", {"sleep": 0}, runner={"constant": {"times": 40, "concurrency": 2}})
    task = api.task.create(config=text)
    api.task.launch(task_id=task["uuid"], executor=f"dask://{cluster}", results="rows")
    deadline = time.monotonic() + 120  # a bound on a hang, not a timing assertion
    while api.task.status(task_id=task["uuid"])["status"] not in ("finished", "crashed", "aborted"):
        assert time.monotonic() < deadline, "the launched task never ended"
        time.sleep(0.2)
    assert api.task.get(task_id=task["uuid"])["status"] == "finished"
    its = iterations(api, task["uuid"])
    assert len(its) == 40 and len({it["worker"] for it in its}) == 2


def test_a_serial_load_stays_on_one_worker(api: API, cluster: str) -> None:
    task = run_task(api, v2_task("Dummy.dummy", {"sleep": 0}, runner={"serial": {"times": 15}}),
                    executor=f"dask://{cluster}", dask_workers=2)
    its = iterations(api, task["uuid"])
    assert len(its) == 15 and len({it["worker"] for it in its}) == 1 and _dense(its)


def test_an_abort_stops_every_worker(api: API, cli: CLI, cluster: str, tmp_path: Path) -> None:
    task_file = tmp_path / "long.json"
    task_file.write_text(v2_task("Dummy.dummy", {"sleep": 0.01},
                                 runner={"constant_for_duration": {"duration": 600, "concurrency": 4}}))
    proc = cli.popen("task", "start", "-q", str(task_file), "--executor", f"dask://{cluster}")
    try:
        uuid = _running_task(api)
        _wait_iterations(api, uuid, 20)
        cli("task", "abort", uuid, check=True)
        proc.wait(timeout=120)  # the load was 600 s long: only stopping every shard ends it now
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    shown = json.loads(cli("task", "status", uuid, "--json", check=True).stdout)
    assert shown["status"] == "aborted"
    exported = json.loads(cli("task", "export", uuid, "--type", "squall-json", check=True).stdout)
    wl = exported["tasks"][0]["subtasks"][0]["workloads"][0]
    assert len({it["worker"] for it in wl["data"]}) == 2 and _dense(wl["data"])
    assert not [r for r in wl["sla_results"]["sla"] if r["criterion"] == "something_went_wrong"]


def _running_task(api: API) -> str:
    for _ in range(1200):
        running = [t for t in api.task.list() if t["status"] == "running"]
        if running:
            return str(running[0]["uuid"])
        time.sleep(0.05)
    raise AssertionError("the task never started")


def _wait_iterations(api: API, uuid: str, count: int) -> None:
    """Until the running workload has stored ``count`` iterations (its progress is written every 0.5 s)."""
    for _ in range(1200):
        task = api.task.get(task_id=uuid)
        workloads = [wl for sub in task["subtasks"] for wl in sub["workloads"]]
        if (workloads and (workloads[0]["total_iteration_count"] or 0) >= count) or task["status"] != "running":
            return
        time.sleep(0.05)
    raise AssertionError(f"the task never reached {count} iterations")


def test_bad_executors_are_refused_before_a_task_is_made(cli: CLI, tmp_path: Path) -> None:
    task_file = tmp_path / "t.json"
    task_file.write_text(v2_task("Dummy.dummy", {"sleep": 0}))
    closed = free_port()  # nothing listens there
    for executor, message in ((f"dask://127.0.0.1:{closed}", "cannot reach the Dask scheduler"),
                              ("dusk:3", "give 'local', 'dask://HOST:PORT'"),
                              ("dask-local:0", "1 to 64 workers")):
        proc = cli("task", "start", str(task_file), "--executor", executor)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert message in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    assert json.loads(cli("task", "list", "--json", check=True).stdout) == []


def test_a_local_dask_cluster_runs_a_task(cli: CLI, tmp_path: Path) -> None:
    task_file = tmp_path / "t.json"
    task_file.write_text(v2_task("Dummy.dummy", {"sleep": 0.001},
                                 runner={"constant": {"times": 40, "concurrency": 2}}))
    # Through the command: the local cluster's processes are its own, and end with it.
    cli("task", "start", "-q", str(task_file), "--executor", "dask-local:2", check=True, timeout=300)
    exported = json.loads(cli("task", "export", "--type", "squall-json", check=True).stdout)
    its = exported["tasks"][0]["subtasks"][0]["workloads"][0]["data"]
    assert len(its) == 40 and _dense(its) and len({it["worker"] for it in its}) == 2


@pytest.mark.parametrize("fail_on_loss", [False, True])
def test_a_lost_worker_is_reported_and_the_others_go_on(api: API, cli: CLI, tmp_path: Path,
                                                        fail_on_loss: bool) -> None:
    own = Cluster()
    task_file = tmp_path / "long.json"
    task_file.write_text(v2_task("Dummy.dummy", {"sleep": 0.01},
                                 runner={"constant_for_duration": {"duration": 600, "concurrency": 4}}))
    args = ["--fail-on-worker-loss"] if fail_on_loss else []
    proc = cli.popen("task", "start", "-q", str(task_file), "--executor", f"dask://{own.address}", *args)
    try:
        uuid = _running_task(api)
        _wait_iterations(api, uuid, 20)
        own.kill_worker(1)
        killed_at = time.time()
        if not fail_on_loss:
            _wait_started_after(api, uuid, killed_at + 1, 50)  # the survivor goes on
            cli("task", "abort", uuid, check=True)
        proc.wait(timeout=120)  # a 600 s load: only the abort, or the loss itself, ends it now
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        own.close()
    exported = json.loads(cli("task", "export", uuid, "--type", "squall-json", check=True).stdout)
    wl = exported["tasks"][0]["subtasks"][0]["workloads"][0]
    its = wl["data"]
    assert _dense(its)  # nothing counted twice
    workers = {it["worker"] for it in its}
    errors = [r["detail"] for r in wl["sla_results"]["sla"] if r["criterion"] == "something_went_wrong"]
    lost = [e for e in errors if "was lost" in e]
    assert len(lost) == 1 and any(address in lost[0] for address in workers), errors
    (gone,) = [a for a in workers if a in lost[0]]
    after = [it for it in its if it["timestamp"] > killed_at + 1]
    assert all(it["worker"] != gone for it in after)
    if not fail_on_loss:
        assert after, "the surviving worker stopped with the lost one"


def _wait_started_after(api: API, uuid: str, moment: float, count: int) -> None:
    """Until ``count`` stored iterations started after ``moment``. A count of stored iterations is not enough:
    the survivor's batch in flight when the other worker died holds iterations that started before it."""
    for _ in range(600):
        if len([it for it in iterations(api, uuid) if it["timestamp"] > moment]) >= count:
            return
        if api.task.get(task_id=uuid)["status"] != "running":
            raise AssertionError("the task stopped with the lost worker")
        time.sleep(0.1)
    raise AssertionError(f"{count} iterations never started after the loss")


PLUGIN = '''
from squall.plugin_api.scenario import Scenario, configure


@configure(name="HereOnly.noop")
class Noop(Scenario):
    """Nothing, from a plugin file only this machine loads."""

    def run(self) -> None:
        pass
'''


def test_plugin_path_files_are_shipped_to_the_workers_and_run_there(cli: CLI, cluster: str, tmp_path: Path) -> None:
    plugin = tmp_path / "here_only.py"
    plugin.write_text(PLUGIN)
    task_file = tmp_path / "t.json"
    task_file.write_text(v2_task("HereOnly.noop", {}, runner={"constant": {"times": 20, "concurrency": 4}}))
    for executor in (f"dask://{cluster}", "dask-local:2"):
        cli("--plugin-paths", str(plugin), "task", "start", "-q", str(task_file), "--executor", executor,
            check=True, timeout=300)
        exported = json.loads(cli("task", "export", "--type", "squall-json", check=True).stdout)
        its = exported["tasks"][0]["subtasks"][0]["workloads"][0]["data"]
        assert len(its) == 20 and not any(it["error"] for it in its)
        assert len({it["worker"] for it in its}) == 2, executor  # the file reached both workers


def test_a_plugin_file_that_does_not_import_on_the_workers_is_refused_before_the_start(
        cli: CLI, cluster: str, tmp_path: Path) -> None:
    here = tmp_path / "only-here"
    here.mkdir()
    (here / "helper_only_here.py").write_text("VALUE = 1\n")
    cli.env["PYTHONPATH"] = f"{here}:{cli.env.get('PYTHONPATH', '')}"  # squall's process finds it; workers do not
    plugin = tmp_path / "needs_helper.py"
    plugin.write_text("import helper_only_here  # noqa: F401\n" + PLUGIN)
    task_file = tmp_path / "t.json"
    task_file.write_text(v2_task("HereOnly.noop", {}, runner={"constant": {"times": 10, "concurrency": 2}}))
    proc = cli("--plugin-paths", str(plugin), "task", "start", str(task_file), "--executor", f"dask://{cluster}")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert "the --plugin-paths files do not import on Dask workers: tcp://127.0.0.1" in out
    assert "needs_helper.py: ModuleNotFoundError: No module named 'helper_only_here'" in out
    assert json.loads(cli("task", "list", "--json", check=True).stdout) == []  # checked before a task is made


def test_iteration_triggers_fire_on_the_count_started_everywhere(api: API, cluster: str) -> None:
    text = json.loads(v2_task("Dummy.dummy", {"sleep": 0.005},
                              runner={"constant": {"times": 80, "concurrency": 4}}))
    text["subtasks"][0]["workloads"][0]["hooks"] = [
        {"action": {"sys_call": "true"}, "trigger": {"event": {"unit": "iteration", "at": [1, 7, 30]}},
         "description": ""}]
    task = run_task(api, json.dumps(text), executor=f"dask://{cluster}")
    wl = only_workload(task)
    (hook,) = wl["hooks"]
    assert [r["triggered_by"]["value"] for r in hook["results"]] == [1, 7, 30]
    assert hook["summary"] == {"success": 3}
    its = iterations(api, task["uuid"])
    assert len({it["worker"] for it in its}) == 2
    slack = max(c["uncertainty"] for c in wl["statistics"]["executor"]["workers"].values()) + 0.002
    for run in hook["results"]:
        # Never early: when the hook started, that many iterations had started on the workers together.
        begun = sum(1 for it in its if it["timestamp"] <= run["started_at"] + slack)
        assert begun >= run["triggered_by"]["value"], (run, begun)


def test_time_triggers_fire_on_the_corrected_clock(api: API, cluster: str) -> None:
    text = json.loads(v2_task("Dummy.dummy", {"sleep": 0.01},
                              runner={"constant_for_duration": {"duration": 4, "concurrency": 4}}))
    text["subtasks"][0]["workloads"][0]["hooks"] = [
        {"action": {"sys_call": "true"}, "trigger": {"event": {"unit": "time", "at": [1, 2]}}, "description": ""}]
    task = run_task(api, json.dumps(text), executor=f"dask://{cluster}")
    wl = only_workload(task)
    (hook,) = wl["hooks"]
    assert [r["triggered_by"]["value"] for r in hook["results"]] == [1, 2] and hook["summary"] == {"success": 2}
    its = iterations(api, task["uuid"])
    assert len({it["worker"] for it in its}) == 2
    slack = max(c["uncertainty"] for c in wl["statistics"]["executor"]["workers"].values()) + 0.002
    start = wl["load_started_at"]  # the load's start on squall's clock: the zero of time triggers
    assert min(it["timestamp"] for it in its) >= start - slack  # the corrected times are on that clock too
    for run in hook["results"]:
        # Never early, and both workers still loading when it fired.
        assert run["started_at"] >= start + run["triggered_by"]["value"] - 0.002, (run, start)
        assert any(it["timestamp"] > run["started_at"] for it in its if it["worker"] == its[0]["worker"])
        assert any(it["timestamp"] > run["started_at"] for it in its if it["worker"] != its[0]["worker"])
