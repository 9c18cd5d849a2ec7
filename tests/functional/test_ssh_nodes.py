"""Nodes reached over SSH: a real sshd on 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from squall.api import API
from tests.conftest import free_port


def _spec(conn: dict[str, Any]) -> dict[str, Any]:
    return {"nodes": [{"id": 1, "name": "ssh-a", "roles": ["db"], "connection": conn},
                      {"id": 2, "name": "ssh-b", "roles": ["web"], "connection": conn},
                      {"id": 3, "name": "here", "roles": ["web"]}]}


def test_check_graph_and_history_over_ssh(api: API, ssh_connection: dict[str, Any]) -> None:
    api.env.create(name="lab", spec=_spec(ssh_connection))
    check = api.env.check()
    assert check["available"] is True
    assert {n["id"] for n in check["platforms"][0]["nodes"]} == {1, 2, 3}
    run = api.deployment.run(graph={"tasks": [
        {"id": "who", "command": "whoami"},
        {"id": "many", "nodes": [1], "requires": ["who"], "command": "for i in 1 2 3; do echo $i; done"},
        {"id": "fail", "nodes": [2], "requires": ["who"], "command": "echo oops >&2; exit 7",
         "on_error": "continue"},
    ]})
    rows = {(r["task_name"], r["node_id"]): r for r in api.deployment.history(run_id=run["id"])}
    assert rows[("who", 1)]["summary"]["stdout"] == "squalltest\n"
    assert rows[("who", 3)]["status"] == "ready"
    assert rows[("many", 1)]["summary"]["stdout"] == "1\n2\n3\n"
    assert rows[("fail", 2)]["status"] == "error"
    assert rows[("fail", 2)]["summary"]["rc"] == 7 and rows[("fail", 2)]["summary"]["stderr"] == "oops\n"


def test_many_parallel_commands_share_one_connection(api: API, ssh_connection: dict[str, Any]) -> None:
    nodes = [{"id": i, "name": f"n{i}", "connection": ssh_connection} for i in range(1, 16)]
    api.env.create(name="wide", spec={"nodes": nodes})
    run = api.deployment.run(graph={"tasks": [{"id": "nap", "command": "sleep 0.3; echo ok"}]})
    rows = api.deployment.history(run_id=run["id"])
    assert len(rows) == 15 and all(r["status"] == "ready" for r in rows)  # beyond sshd's MaxSessions 10


def test_timeout_kills_the_remote_process_tree(api: API, ssh_connection: dict[str, Any], tmp_path: Path) -> None:
    api.env.create(name="lab", spec=_spec(ssh_connection))
    pidfile = f"/tmp/squall-test-{os.getpid()}-{free_port()}.pid"
    run = api.deployment.run(graph={"tasks": [
        {"id": "hang", "nodes": [1], "timeout": 1, "command": f"sleep 60 & echo $! > {pidfile}; wait"}]})
    row = api.deployment.history(run_id=run["id"])[0]
    assert row["status"] == "error" and row["summary"]["timed_out"] is True
    child = int(Path(pidfile).read_text())
    try:
        os.kill(child, 0)
        state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state == "Z", "the remote child still runs"
    except ProcessLookupError:
        pass


def test_unreachable_ssh_node_is_reported(api: API) -> None:
    conn = {"type": "ssh", "host": "127.0.0.1", "port": free_port(), "user": "nobody", "connect_timeout": 3}
    api.env.create(name="down", spec={"nodes": [{"id": 9, "name": "gone", "connection": conn}]})
    check = api.env.check()
    assert check["available"] is False
    assert "node 9 (gone)" in check["platforms"][0]["message"]
