"""Nodes on separate hosts: network namespaces, each with its own sshd, joined by a bridge.

Skipped only where the machine refuses network namespaces (the reason is
printed); everything else is as real as a lab: distinct addresses, one sshd
per host, a host taken off the network.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from squall.api import API
from tests import netns, sshd
from tests.conftest import IN_CI


@pytest.fixture(scope="module")
def hosts() -> Iterator[list[netns.Host]]:
    if shutil.which("ip") is None or not sshd.available():
        if IN_CI:
            pytest.fail("ip (iproute2) or sshd is missing; scripts/install-test-deps.sh installs them")
        pytest.skip("ip (iproute2) or sshd is missing (make test installs them)")
    reason = netns.refused_reason()
    if reason is not None:
        if IN_CI:  # CI machines allow them: a refusal there is a broken machine, not an optional part
            pytest.fail(f"this machine refuses network namespaces: {reason}")
        pytest.skip(f"this machine refuses network namespaces: {reason}")
    lab = netns.NetnsHosts(3)
    try:
        yield lab.start()
    finally:
        lab.stop()


def _spec(hosts: list[netns.Host]) -> dict[str, Any]:
    roles = [["db"], ["web"], ["web"]]
    return {"nodes": [{"id": 10 + i, "name": f"host-{i}", "roles": roles[i],
                       "connection": {**h.connection, "connect_timeout": 3}} for i, h in enumerate(hosts)]}


def test_each_command_runs_on_its_own_host(api: API, hosts: list[netns.Host]) -> None:
    api.env.create(name="lab", spec=_spec(hosts))
    check = api.env.check()
    assert check["available"] is True, check
    run = api.deployment.run(graph={"tasks": [
        {"id": "addr", "command": "ip -o -4 addr show scope global | awk '{print $4}'"},
        {"id": "db-first", "roles": ["db"], "requires": ["addr"], "command": "echo db up"},
        {"id": "web-after-db", "roles": ["web"], "requires": ["db-first"], "command": "echo web up"},
    ]})
    assert run["status"] == "ready"
    rows = {(r["task_name"], r["node_id"]): r for r in api.deployment.history(run_id=run["id"])}
    for i, host in enumerate(hosts):
        # The host sees exactly its own address: the command ran there, not on squall's machine.
        assert rows[("addr", 10 + i)]["summary"]["stdout"].split() == [f"{host.address}/24"]
    assert rows[("db-first", 10)]["status"] == "ready"
    db_end = rows[("db-first", 10)]["time_end"]
    for node in (11, 12):
        assert rows[("web-after-db", node)]["status"] == "ready"
        assert rows[("web-after-db", node)]["time_start"] >= db_end
    assert ("db-first", 11) not in rows and ("web-after-db", 10) not in rows


def test_a_host_off_the_network(api: API, hosts: list[netns.Host]) -> None:
    api.env.create(name="lab", spec=_spec(hosts))
    hosts[2].set_link(False)
    try:
        check = api.env.check()
        assert check["available"] is False
        nodes = {n["id"]: n for n in check["platforms"][0]["nodes"]}
        assert nodes[10]["available"] and nodes[11]["available"] and not nodes[12]["available"]
        assert "node 12 (host-2)" in check["platforms"][0]["message"]
        run = api.deployment.run(graph={"tasks": [
            {"id": "hello", "command": "echo hello", "on_error": "continue"},
            {"id": "then", "requires": ["hello"], "command": "echo then"}]})
        rows = {(r["task_name"], r["node_id"]): r for r in api.deployment.history(run_id=run["id"])}
        assert rows[("hello", 10)]["status"] == rows[("hello", 11)]["status"] == "ready"
        assert rows[("hello", 12)]["status"] == "error"
        assert rows[("then", 10)]["status"] == "ready"
        # Its dependant on the dead host never ran.
        assert rows[("then", 12)]["status"] == "skipped"
        assert run["status"] == "error"
    finally:
        hosts[2].set_link(True)
    after = api.env.check()
    assert after["available"] is True
