"""Deployment graphs on local nodes, their per-node history, REST and CLI views."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from squall import exceptions
from squall.api import API
from squall.deploy import executor
from tests.conftest import CLI, ServiceFactory

NODES = [{"id": 5, "name": "ctl-1", "roles": ["controller"]},
         {"id": 6, "name": "cmp-1", "roles": ["compute"]},
         {"id": 7, "name": "cmp-2", "roles": ["compute"]}]


@pytest.fixture
def lab(api: API) -> API:
    api.env.create(name="lab", spec={"nodes": NODES})
    return api


def graph(*tasks: dict[str, Any]) -> dict[str, Any]:
    return {"name": "test", "tasks": list(tasks)}


def by_key(api: API, run_id: int) -> dict[tuple[str, int], dict[str, Any]]:
    return {(r["task_name"], r["node_id"]): r for r in api.deployment.history(run_id=run_id)}


def test_order_parallelism_and_history(lab: API) -> None:
    run = lab.deployment.run(graph=graph(
        {"id": "base", "command": "sleep 0.5"},
        {"id": "db", "roles": ["controller"], "requires": ["base"], "command": "echo db"},
        {"id": "nova", "nodes": [6, 7], "requires": ["db"], "command": "echo nova-$((1+1))"},
    ))
    assert run["status"] == "ready" and run["env_name"] == "lab"
    rows = by_key(lab, run["id"])
    assert set(rows) == {("base", 5), ("base", 6), ("base", 7), ("db", 5), ("nova", 6), ("nova", 7)}
    assert all(r["status"] == "ready" for r in rows.values())
    # "base" ran on the three nodes at the same time.
    starts = [rows[("base", n)]["time_start"] for n in (5, 6, 7)]
    ends = [rows[("base", n)]["time_end"] for n in (5, 6, 7)]
    assert max(starts) < min(ends)
    # db waited for base on its node; nova (other nodes) waited for db.
    assert rows[("db", 5)]["time_start"] >= rows[("base", 5)]["time_end"]
    assert rows[("nova", 6)]["time_start"] >= rows[("db", 5)]["time_end"]
    summary = rows[("nova", 7)]["summary"]
    assert summary["rc"] == 0 and summary["stdout"] == "nova-2\n" and summary["node_name"] == "cmp-2"
    assert rows[("nova", 7)]["task_id"] == run["id"] == rows[("nova", 7)]["deployment_task_id"]


def test_failure_skips_dependents_and_stop_ends_the_run(lab: API) -> None:
    run = lab.deployment.run(graph=graph(
        {"id": "a", "command": "exit 2", "nodes": [6], "on_error": "continue"},
        {"id": "b", "nodes": [6], "requires": ["a"], "command": "true"},
        {"id": "c", "nodes": [5], "command": "true"},
    ))
    rows = by_key(lab, run["id"])
    assert run["status"] == "error"
    assert rows[("a", 6)]["status"] == "error" and rows[("a", 6)]["summary"]["rc"] == 2
    assert rows[("b", 6)]["status"] == "skipped" and rows[("b", 6)]["time_start"] is None
    assert rows[("c", 5)]["status"] == "ready"
    stop = lab.deployment.run(graph=graph(
        {"id": "first", "nodes": [5], "command": "exit 1"},
        {"id": "later", "nodes": [6], "requires": ["first"], "command": "true"},
        {"id": "unrelated", "nodes": [7], "requires": ["first2"], "command": "true"},
        {"id": "first2", "nodes": [7], "command": "sleep 0.3"},
    ))
    statuses = {k: r["status"] for k, r in by_key(lab, stop["id"]).items()}
    assert statuses[("first", 5)] == "error" and statuses[("later", 6)] == "skipped"
    assert statuses[("unrelated", 7)] == "skipped"  # on_error: stop (the default) ended the run


def test_timeout_kills_the_whole_process_tree(lab: API, tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    run = lab.deployment.run(graph=graph(
        {"id": "hang", "nodes": [5], "timeout": 0.5, "command": f"sleep 60 & echo $! > {pidfile}; wait"}))
    row = by_key(lab, run["id"])[("hang", 5)]
    assert row["status"] == "error" and row["summary"]["timed_out"] is True and row["summary"]["rc"] is None
    child = int(pidfile.read_text())
    assert not _alive(child)


def _alive(pid: int) -> bool:
    # A killed process whose parent is gone may linger as a zombie until
    # PID 1 reaps it; a zombie runs nothing.
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def test_retries(lab: API, tmp_path: Path) -> None:
    counter = tmp_path / "n"
    cmd = f"n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}; test $n -ge 2"
    run = lab.deployment.run(graph=graph({"id": "flaky", "nodes": [5], "retries": 3, "command": cmd}))
    row = by_key(lab, run["id"])[("flaky", 5)]
    assert row["status"] == "ready" and row["summary"]["attempts"] == 3


def test_illegal_transitions_are_refused(lab: API) -> None:
    run = lab.deployment.run(graph=graph({"id": "one", "nodes": [5], "command": "true"}))
    row = by_key(lab, run["id"])[("one", 5)]
    with pytest.raises(exceptions.IllegalTransitionError):
        executor.transition(lab.database, row["id"], "running")
    with pytest.raises(exceptions.IllegalTransitionError):
        executor.transition(lab.database, row["id"], "skipped")
    assert by_key(lab, run["id"])[("one", 5)]["status"] == "ready"


def test_bad_graphs_are_rejected(lab: API) -> None:
    with pytest.raises(exceptions.InvalidConfigError, match="cycle: a -> b -> a"):
        lab.deployment.run(graph=graph({"id": "a", "requires": ["b"], "command": "true"},
                                       {"id": "b", "requires": ["a"], "command": "true"}))
    with pytest.raises(exceptions.InvalidConfigError, match=r"tasks\[0\].requires: unknown task 'zz'"):
        lab.deployment.run(graph=graph({"id": "a", "requires": ["zz"], "command": "true"}))
    with pytest.raises(exceptions.InvalidConfigError, match=r"tasks\[0\]"):
        lab.deployment.run(graph=graph({"id": "a"}))
    assert lab.deployment.runs() == []


def test_history_filters_and_survives_env_deletion(lab: API) -> None:
    run = lab.deployment.run(graph=graph({"id": "x", "command": "true"},
                                         {"id": "y", "nodes": [6], "command": "false", "on_error": "continue"}))
    rid = run["id"]
    assert {r["node_id"] for r in lab.deployment.history(run_id=rid, nodes=[5, 6])} == {5, 6}
    assert [(r["task_name"], r["node_id"]) for r in lab.deployment.history(run_id=rid, statuses=["error"])] == [
        ("y", 6)]
    both = lab.deployment.history(run_id=rid, nodes=[6], statuses=["ready"], task_names=["x"])
    assert [(r["task_name"], r["node_id"]) for r in both] == [("x", 6)]
    with pytest.raises(exceptions.InvalidArgumentsError, match="unknown status done"):
        lab.deployment.history(run_id=rid, statuses=["done"])
    with pytest.raises(exceptions.NotFoundError):
        lab.deployment.history(run_id=999)
    lab.env.delete(env="lab")
    assert len(lab.deployment.history(run_id=rid)) == 4
    assert not hasattr(lab.deployment, "delete")


def test_rest_view_of_the_seed(lab: API, start_service: ServiceFactory, home: Path) -> None:
    run = lab.deployment.run(graph=graph({"id": "x", "command": "true"},
                                         {"id": "y", "nodes": [6], "command": "false", "on_error": "continue"}))
    url = start_service(home=home)
    for path in ("deployment_tasks", "tasks_history"):
        base = f"{url}/api/tasks/{run['id']}/{path}"
        rows = httpx.get(base).json()
        assert len(rows) == 4
        assert set(rows[0]) >= {"id", "deployment_task_id", "node_id", "task_id", "task_name", "time_start",
                                "time_end", "status", "summary"}
        assert [r["node_id"] for r in httpx.get(base, params={"nodes": "5,6"}).json()] == [5, 6, 6]
        assert [r["task_name"] for r in httpx.get(base, params={"statuses": "error,skipped"}).json()] == ["y"]
        assert len(httpx.get(base, params={"statuses": "ready", "nodes": "6"}).json()) == 1
        assert len(httpx.get(base, params={"task_names": "x"}).json()) == 3
        assert httpx.get(base, params={"statuses": "bogus"}).status_code == 400
        assert httpx.get(base, params={"nodes": "five"}).status_code == 400
        for method in ("PUT", "POST", "DELETE"):
            assert httpx.request(method, base, headers={"Content-Type": "application/json"}).status_code == 405
            assert httpx.request(method, base).status_code == 405  # read-only, whatever the body (seed 003)
        assert httpx.get(f"{url}/api/tasks/4242/{path}").status_code == 404
        csv_text = httpx.get(base, headers={"Accept": "text/csv"}).text
        assert csv_text.splitlines()[0].startswith("id,deployment_task_id,task_id,node_id,task_name")
        assert len(csv_text.splitlines()) == 5


def test_cli_both_forms(cli: CLI, tmp_path: Path) -> None:
    spec = tmp_path / "nodes.json"
    spec.write_text(json.dumps({"nodes": NODES}))
    cli("env", "create", "--name", "lab", "--spec", str(spec), check=True)
    graph_file = tmp_path / "graph.yaml"
    graph_file.write_text("tasks:\n  - {id: ok, command: 'true'}\n"
                          "  - {id: bad, nodes: [7], command: 'exit 4', on_error: continue}\n")
    proc = cli("deploy", "run", str(graph_file))
    assert proc.returncode == 1 and "Deployment run 1 on lab" in proc.stdout
    fuel = json.loads(cli("tasks-history", "--task-id", "1", "--node-id", "5,7", "--statuses", "error,ready",
                          "--json", check=True).stdout)
    fuel2 = json.loads(cli("tasks-history", "1", "--nodes", "5", "7", "--statuses", "error", "ready",
                           "--json", check=True).stdout)
    assert fuel == fuel2
    assert sorted((r["task_name"], r["node_id"], r["status"]) for r in fuel) == [
        ("bad", 7, "error"), ("ok", 5, "ready"), ("ok", 7, "ready")]
    table = cli("tasks-history", "1", "--include-summary", check=True).stdout
    assert "\"rc\": 4" in table
    bad = cli("tasks-history", "1", "--statuses", "nope")
    assert bad.returncode == 1 and "unknown status nope" in bad.stderr
    assert "lab" in cli("env", "check", check=True).stdout
