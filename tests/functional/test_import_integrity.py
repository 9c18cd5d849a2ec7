"""An import is whole or absent: bad structure refused with its path, a killed import found crashed, a retry
that leaves one task; keys that are not text refused with their place; honest verdicts at validation."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from squall.api import API
from tests.conftest import CLI, SQUALL, ServiceFactory


def _exported(cli: CLI, tmp_path: Path, times: int = 3) -> dict[str, Any]:
    task = tmp_path / "t.json"
    task.write_text(json.dumps({"Dummy.dummy": [{"runner": {"type": "serial", "times": times}}]}))
    cli("task", "start", str(task), check=True)
    out = tmp_path / "r.json"
    cli("task", "export", "--type", "json", "--to", str(out), check=True)
    return json.loads(out.read_text())


def _tasks(cli: CLI) -> list[dict[str, Any]]:
    return json.loads(cli("task", "list", "--json", check=True).stdout)


def test_a_bad_entry_anywhere_stores_nothing(cli: CLI, tmp_path: Path, start_service: ServiceFactory,
                                            home: Path) -> None:
    doc = _exported(cli, tmp_path)
    second = copy.deepcopy(doc["tasks"][0])
    second["uuid"] = "second-task"
    second["subtasks"][0]["workloads"][0]["hooks"] = [{"config": "oops"}]
    doc["tasks"].append(second)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    before = _tasks(cli)
    proc = cli("task", "import", str(bad))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "tasks[1].subtasks[0].workloads[0].hooks[0].config" in proc.stderr, proc.stderr
    url = start_service(home=home)
    response = httpx.post(url + "/api/v1/results/import", json={"content": bad.read_text()})
    assert response.status_code == 400 and "hooks[0]" in response.json()["error"]["msg"], response.text
    deep: dict[str, Any] = {}
    cursor = deep
    for _ in range(900):
        cursor["a"] = {}
        cursor = cursor["a"]
    doc["tasks"] = [copy.deepcopy(doc["tasks"][0])]
    doc["tasks"][0]["uuid"] = "deep-task"
    doc["tasks"][0]["subtasks"][0]["workloads"][0]["data"][0]["output"] = deep
    response = httpx.post(url + "/api/v1/results/import", json={"content": json.dumps(doc)})
    assert response.status_code == 400, response.text
    assert "tasks[0].subtasks[0].workloads[0]" in response.json()["error"]["msg"]
    assert _tasks(cli) == before  # nothing of either file is stored


def test_a_killed_import_is_crashed_and_a_retry_leaves_one_task(cli: CLI, tmp_path: Path) -> None:
    doc = _exported(cli, tmp_path, times=2)
    workload = doc["tasks"][0]["subtasks"][0]["workloads"][0]
    row = workload["data"][0]
    for number in range(4):  # four large workloads: the import takes seconds
        copy_of = copy.deepcopy(workload)
        copy_of["data"] = [dict(row, timestamp=row["timestamp"] + i * 1e-3) for i in range(150_000)]
        copy_of["position"] = number
        copy_of["total_iteration_count"] = 150_000
        doc["tasks"][0]["subtasks"][0]["workloads"] = [*doc["tasks"][0]["subtasks"][0]["workloads"][:number], copy_of]
    doc["tasks"][0]["uuid"] = "big-task"
    big = tmp_path / "big.json"
    big.write_text(json.dumps(doc))
    proc = subprocess.Popen([*SQUALL, "task", "import", str(big)], env=cli.env, cwd=cli.cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    api = API()
    deadline = time.monotonic() + 120
    while not api.task.list(status="importing"):
        assert proc.poll() is None and time.monotonic() < deadline, "the import never showed as importing"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    crashed = [t for t in _tasks(cli) if t["imported_from"] == "big-task"]
    assert [t["status"] for t in crashed] == ["crashed"], crashed  # never 'finished' with part of it
    assert "import interrupted" in crashed[0]["description"] and "of 4 workloads stored" in crashed[0]["description"]
    cli("task", "import", str(big), check=True, timeout=300)
    again = [t for t in _tasks(cli) if t["imported_from"] == "big-task"]
    assert [t["status"] for t in again] == ["finished"], again
    workloads = [wl for sub in api.task.get(task_id=again[0]["uuid"])["subtasks"] for wl in sub["workloads"]]
    assert [wl["total_iteration_count"] for wl in workloads] == [150_000] * 4


def test_keys_that_are_not_text_are_refused_with_their_place(cli: CLI, tmp_path: Path,
                                                             start_service: ServiceFactory) -> None:
    task = tmp_path / "t.yaml"
    task.write_text("Dummy.dummy:\n  - sla: {2001-12-14: 1}\n")
    proc = cli("task", "validate", str(task))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "sla: the key 2001-12-14 is a date, not text" in proc.stderr, proc.stderr
    url = start_service()
    response = httpx.post(url + "/api/v1/task/validate", json={"config": task.read_text()})
    assert response.status_code == 400 and "is a date, not text" in response.json()["error"]["msg"]


def test_unknown_http_arguments_are_refused_at_validation(cli: CLI, tmp_path: Path) -> None:
    task = tmp_path / "t.yaml"
    task.write_text("HttpRequests.check_request:\n  - args: {url: 'http://127.0.0.1:9/', method: GET, "
                    "status_code: 200, expect_body: ok}\n")
    proc = cli("task", "validate", str(task))
    assert proc.returncode == 1
    assert "unexpected argument 'expect_body'" in proc.stderr and "allowed: allow_redirects" in proc.stderr


def test_a_pytest_suite_that_cannot_start_is_not_a_pass(cli: CLI, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(bare)], check=True)
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_a.py").write_text("def test_a():\n    pass\n")
    cli("verify", "create-verifier", "--name", "nopytest", "--type", "pytest",
        "--settings", json.dumps({"path": str(suite), "python": str(bare / "bin" / "python")}), check=True)
    proc = cli("verify", "start")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    shown = json.loads(cli("verify", "show", "--json").stdout)
    assert shown["status"] == "crashed"
    assert "No module named pytest" in shown["error"], shown["error"]


def test_an_imported_task_without_an_environment_shows_none_as_others_do(cli: CLI, tmp_path: Path) -> None:
    doc = _exported(cli, tmp_path)  # squall's Rally JSON says "n/a" for no environment, as Rally's
    assert doc["tasks"][0]["env_name"] == "n/a"
    doc["tasks"][0]["uuid"] = "no-env-task"
    path = tmp_path / "no-env.json"
    path.write_text(json.dumps(doc))
    cli("task", "import", str(path), check=True)
    listed = _tasks(cli)
    assert {t["env_name"] for t in listed} == {None}, listed
    table = cli("task", "list", check=True).stdout
    assert "n/a" not in table
