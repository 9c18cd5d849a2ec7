"""``--results aggregate`` end to end: the same workload as with rows, told in figures per second."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from squall.api import API
from squall.storage import repo
from squall.storage.db import Database
from tests.conftest import CLI
from tests.functional.helpers import counting_server, iterations, only_workload, run_task, v2_task

SLA = {"failure_rate": {"max": 50}, "max_avg_duration": 1.0, "max_seconds_per_iteration": 5.0}


def _names(wl: dict[str, object]) -> list[str]:
    rows = wl["statistics"]["durations"]["atomics"]  # type: ignore[index]
    return [r["display_name"] for r in rows] + [c["display_name"] for r in rows for c in r["children"]]


def _db_seconds(wl_uuid: str) -> list[dict[str, object]]:
    return repo.seconds(Database(), wl_uuid)


def test_a_workload_of_figures_has_the_table_and_verdicts_of_one_of_rows(api: API) -> None:
    text = v2_task("Dummy.dummy_random_fail_in_atomic", {"exception_probability": 0.3},
                   runner={"constant": {"times": 900, "concurrency": 6}}, sla=SLA)
    rows_task = run_task(api, text)
    rows = only_workload(rows_task)
    figures = only_workload(run_task(api, text, results="aggregate"))
    for wl in (rows, figures):
        assert wl["total_iteration_count"] == 900 and wl["status"] == "finished"
        assert 0 < wl["failed_iteration_count"] < 900
    assert set(_names(figures)) <= set(_names(rows)) | {"<no-name-action>"}
    assert figures["statistics"]["aggregate"]["mode"] == "aggregate"
    assert figures["statistics"]["exact"] is False and "aggregate" not in rows["statistics"]
    criteria = [r["criterion"] for r in rows["sla_results"]["sla"]]
    assert [r["criterion"] for r in figures["sla_results"]["sla"]] == criteria
    assert all(r["success"] for r in figures["sla_results"]["sla"])
    total = figures["statistics"]["durations"]["total"]["data"]
    assert total["iteration_count"] == 900
    assert total["success"] == f"{100 * (900 - figures['failed_iteration_count']) / 900:.1f}%"
    seconds = _db_seconds(figures["uuid"])
    assert seconds and sum(s["n"] for s in seconds) == 900  # every iteration in exactly one second
    assert sum(s["failed"] for s in seconds) == figures["failed_iteration_count"]
    assert [s["s"] for s in seconds] == sorted({s["s"] for s in seconds})
    errors = figures["statistics"]["aggregate"]["errors"]
    assert sum(e["count"] for e in errors) == figures["failed_iteration_count"]
    types = {it["error"][0] for it in iterations(api, rows_task["uuid"]) if it["error"]}
    assert {e["type"] for e in errors} == types
    assert _db_seconds(rows["uuid"]) == []


def test_an_open_loop_in_figures_keeps_its_schedule_and_says_how_late(api: API) -> None:
    text = v2_task("Dummy.dummy", {"sleep": 0.002}, runner={"rps": {"rps": 200, "times": 600}})
    wl = only_workload(run_task(api, text, results="aggregate"))
    assert wl["total_iteration_count"] == 600
    schedule = wl["statistics"]["schedule"]
    assert schedule["start_lag"]["iteration_count"] == 600 == schedule["from_schedule"]["iteration_count"]
    assert schedule["from_schedule"]["min"] >= wl["statistics"]["durations"]["total"]["data"]["min"]
    assert 1 <= schedule["max_concurrency"]
    seconds = _db_seconds(wl["uuid"])
    # 200 a second for 3 s, binned by end: at least 3 seconds, every iteration in one of them
    assert sum(s["n"] for s in seconds) == 600 and len(seconds) >= 3
    assert all(s["fs"] is not None for s in seconds)


def test_an_http_load_in_figures_counts_every_request_the_server_saw(api: API) -> None:
    # The callback path's successes are recorded in columns by the workers, its failures whole: together they
    # must count what the server answered, request for request, and tell the table rows tell.
    from squall.platforms.http.scenarios import CheckRandomRequest

    runs = {}
    with counting_server() as (base, seen):
        args = {"status_code": 200, "requests": [{"url": f"{base}/ok", "method": "GET"},
                                                 {"url": f"{base}/fail", "method": "GET"}]}
        assert CheckRandomRequest.fast_iteration(args) is not None
        text = v2_task("HttpRequests.check_random_request", args,
                       runner={"constant": {"times": 3000, "concurrency": 4}}, sla={"failure_rate": {"max": 100}})
        for mode in ("rows", "aggregate"):
            before = Counter(seen)
            wl = only_workload(run_task(api, text, results=mode))
            answered = Counter(seen)
            answered.subtract(before)
            assert wl["total_iteration_count"] == 3000 == answered["/ok"] + answered["/fail"], mode
            assert wl["failed_iteration_count"] == answered["/fail"] and 0 < answered["/fail"] < 3000, mode
            runs[mode] = wl
    rows, figures = runs["rows"], runs["aggregate"]
    assert _names(figures) == _names(rows)
    for wl in (rows, figures):
        (check,) = wl["statistics"]["durations"]["atomics"]
        assert check["data"]["iteration_count"] == 3000
        assert check["data"]["success"] == f"{100 * (3000 - wl['failed_iteration_count']) / 3000:.1f}%"
    seconds = _db_seconds(figures["uuid"])
    assert sum(s["n"] for s in seconds) == 3000
    assert sum(s["failed"] for s in seconds) == figures["failed_iteration_count"]
    assert sum(s["ok_n"] for s in seconds) == 3000 - figures["failed_iteration_count"]
    assert figures["min_duration"] > 0 and figures["max_duration"] >= figures["min_duration"]


def test_figures_round_trip_through_squall_json(api: API, cli: CLI, tmp_path: Path) -> None:
    cli("task", "start", "-q", str(_file(tmp_path, v2_task(
        "Dummy.dummy", {"sleep": 0.001}, runner={"constant": {"times": 300, "concurrency": 3}}))),
        "--results", "aggregate", check=True)
    exported = cli("task", "export", "--type", "squall-json", check=True).stdout
    wl = json.loads(exported)["tasks"][0]["subtasks"][0]["workloads"][0]
    assert wl["data"] == [] and sum(s["n"] for s in wl["seconds"]) == 300
    (tmp_path / "r.json").write_text(exported)
    cli("task", "import", "--file", str(tmp_path / "r.json"), check=True)
    tasks = api.task.list()
    imported = only_workload(api.task.get(task_id=tasks[-1]["uuid"]))
    assert _db_seconds(imported["uuid"]) == wl["seconds"]
    # A record that is not one is refused, naming where, and nothing is imported.
    bad = json.loads(exported)
    bad["tasks"][0]["subtasks"][0]["workloads"][0]["seconds"][0]["n"] = "many"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    proc = cli("task", "import", "--file", str(tmp_path / "bad.json"))
    assert proc.returncode == 1 and "seconds[0] n" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and len(api.task.list()) == len(tasks)


def test_criteria_that_need_every_iteration_and_bad_modes_are_refused(cli: CLI, tmp_path: Path) -> None:
    task_file = _file(tmp_path, v2_task("Dummy.dummy", {"sleep": 0}, runner={"constant": {"times": 5}},
                                        sla={"outliers": {"max": 1}}))
    proc = cli("task", "start", str(task_file), "--results", "aggregate")
    assert proc.returncode == 1 and "has SLA outliers, which needs every iteration" in proc.stdout + proc.stderr
    proc = cli("task", "start", str(task_file), "--results", "sums")
    assert proc.returncode == 1 and "--results 'sums'" in proc.stdout + proc.stderr
    for out in (proc.stderr, proc.stdout):
        assert "Traceback" not in out
    ran = [t for t in json.loads(cli("task", "list", "--json", check=True).stdout) if t["status"] != "validated"]
    assert ran == []


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "task.json"
    path.write_text(text)
    return path
