"""What the cloud tests look at: the cloud's resources (network, image, compute, volume), the last task, and a
task run beside Rally 5.1.1."""

from __future__ import annotations

import json
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLI, IN_CI
from tests.rally import oracle

SLOW_SIDE = 300.0  # seconds: a side that took longer is named in a warning (the Heat test once took 643 s)


def inventory(admin: Any) -> dict[str, set[tuple[str, str]]]:
    """(id, name or description) of every network resource and image, by type."""
    net = admin.network
    return {
        "network": {(n.id, n.name) for n in net.networks()}, "subnet": {(s.id, s.name) for s in net.subnets()},
        "router": {(r.id, r.name) for r in net.routers()}, "port": {(p.id, p.name) for p in net.ports()},
        "floatingip": {(f.id, f.description) for f in net.ips()},
        "security_group": {(g.id, g.name) for g in net.security_groups()},
        "image": {(i.id, i.name) for i in admin.image.images()},
    }


def task_uuid_of(cli: CLI) -> str:
    """The UUID of the last task the CLI's database holds."""
    return str(json.loads(cli("task", "list", "--json", check=True).stdout)[-1]["uuid"])


def compute_inventory(admin: Any) -> dict[str, set[tuple[str, str]]]:
    """(id, name) of every server, volume, snapshot, flavor, server group, aggregate, volume type, QoS specs and
    stack, of every project, with every network resource and image."""
    def listed(service: str, path: str, key: str, **params: Any) -> set[tuple[str, str]]:
        body = getattr(admin, service).get(path, params=params).json()
        return {(str(item["id"]), str(item.get("name"))) for item in body[key]}

    return {**inventory(admin),
            "server": listed("compute", "/servers/detail", "servers", all_tenants=1),
            "flavor": listed("compute", "/flavors/detail", "flavors", is_public="None"),
            "server_group": listed("compute", "/os-server-groups", "server_groups", all_projects="True"),
            "aggregate": listed("compute", "/os-aggregates", "aggregates"),
            "volume": listed("block_storage", "/volumes/detail", "volumes", all_tenants=1),
            "snapshot": listed("block_storage", "/snapshots/detail", "snapshots", all_tenants=1),
            "volume_type": listed("block_storage", "/types", "volume_types", is_public="None"),
            "qos_specs": listed("block_storage", "/qos-specs", "qos_specs"),
            "stack": listed("orchestration", "/stacks", "stacks", global_tenant="True")}


def beside_rally(cli: CLI, os_vars: dict[str, str], task: Path, work: Path,
                 timeout: float = 900) -> tuple[dict[str, Any], dict[str, Any]]:
    """``task`` run by Rally 5.1.1 + rally-openstack and by squall side by side on the cloud of ``os_vars``
    (each tool names its own resources and cleans only those); both results in Rally's JSON: (squall's,
    Rally's). Skipped without Rally, failed in CI."""
    missing = oracle.installed() or oracle.verify_installed()
    if missing:
        if IN_CI:
            pytest.fail(missing)
        pytest.skip(missing)
    rally = oracle.Rally(work / "rally", os_vars)

    def rally_start() -> tuple[Any, float]:
        began = time.monotonic()
        return rally("task", "start", str(task), timeout=timeout), time.monotonic() - began

    with ThreadPoolExecutor(max_workers=1) as pool:
        began = time.monotonic()
        rally_run = pool.submit(rally_start)
        cli("task", "start", str(task), check=True, timeout=timeout)
        ours_took = time.monotonic() - began
        ran, theirs_took = rally_run.result()
    if max(ours_took, theirs_took) > SLOW_SIDE:  # which side a slow run waited on, in the summary of a passed run
        warnings.warn(f"{task.name} beside Rally: squall took {ours_took:.0f} s, Rally {theirs_took:.0f} s",
                      stacklevel=2)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    theirs = work / "rally.json"
    rally("task", "report", "--json", "--out", str(theirs), check=True)
    ours = json.loads(cli("task", "export", "--type", "json", check=True).stdout)
    return ours, json.loads(theirs.read_text())
