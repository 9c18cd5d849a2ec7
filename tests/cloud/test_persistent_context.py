"""Persistent benchmark contexts (the cleanup design's use case 2) on a real Keystone + Neutron + Glance."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from squall import naming
from tests.cloud.helpers import inventory, task_uuid_of
from tests.conftest import CLI, SQUALL

pytestmark = pytest.mark.keystone

SETUP = """---
users: {{tenants: 2, users_per_tenant: 1}}
network: {{networks_per_tenant: 1, subnets_per_network: 1, router: {{external: true}}}}
images: {{image_url: "{path}", disk_format: raw, container_format: bare, images_per_tenant: 1}}
"""

# A Rally task file, unchanged: its users context is replaced by the persistent one's.
PORTS = """---
NeutronNetworks.create_and_list_ports:
  - args: {{ports_per_network: 1}}
    runner: {{type: constant, times: {times}, concurrency: 2}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
"""

# A v2 file naming the context itself; list_images sees the context's images as its users'.
IMAGES = """---
version: 2
title: on the persistent context
persistent_context: bench
subtasks:
  - title: images
    workloads:
      - scenario: {GlanceImages.list_images: {}}
        runner: {constant: {times: 2, concurrency: 1}}
        contexts: {users: {tenants: 3}}
"""


def _projects(admin: Any) -> set[str]:
    return {p.name for p in admin.identity.projects() if naming.belongs_to(p.name)}


def _cloud_now(admin: Any) -> dict[str, Any]:
    return {**inventory(admin), "project": _projects(admin)}


def _crash_a_task_on_it(cloud_cli: CLI, tmp_path: Path, admin: Any, tenants: set[str]) -> str:
    """Start a long task on the context, SIGKILL it once it has made resources; its UUID."""
    task = tmp_path / "ports.yaml"
    task.write_text(PORTS.format(times=400))
    log = tmp_path / "task.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*SQUALL, "task", "start", str(task), "--persistent-context", "bench"],
                                env=cloud_cli.env, cwd=cloud_cli.cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    deadline = time.monotonic() + 120
    while len([p for p in admin.network.ports() if naming.belongs_to(p.name, kind="scenario")]) < 3:
        assert time.monotonic() < deadline and proc.poll() is None, log.read_text()
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)  # a request in flight may still land
    task_uuid = task_uuid_of(cloud_cli)
    leaked = [p for p in admin.network.ports() if naming.belongs_to(p.name, task_uuid, "scenario")]
    # Made as the context's users, on the context's networks.
    assert leaked and {p.project_id for p in leaked} <= tenants
    assert {p.network_id for p in leaked} <= {n.id for n in admin.network.networks() if naming.belongs_to(n.name)}
    return task_uuid


def test_persistent_context_serves_tasks_outlives_their_crash_and_goes_with_its_cleanup(
        cloud_cli: CLI, admin: Any, tmp_path: Path) -> None:
    before = _cloud_now(admin)
    image = tmp_path / "disk.raw"
    image.write_bytes(os.urandom(32 * 1024))
    setup = tmp_path / "bench.yaml"
    setup.write_text(SETUP.format(path=image))
    cloud_cli("env", "setup-context", str(setup), check=True, timeout=300)
    shown = json.loads(cloud_cli("env", "show-context", "bench", "--json", check=True).stdout)
    assert shown["status"] == "ready" and list(shown["config"]) == ["users", "network", "images"]
    assert {u["credential"]["password"] for u in shown["state"]["users"]} == {"***"}
    tenants = set(shown["state"]["tenants"])
    assert len(tenants) == 2 and all(len(t["networks"]) == 1 and len(t["images"]) == 1
                                     for t in shown["state"]["tenants"].values())
    made = _cloud_now(admin)
    assert len(made["project"] - before["project"]) == 2 and len(made["image"] - before["image"]) == 2

    # A crashed task leaves the context alone; cleaning up that task, or every task, spares it.
    crashed = _crash_a_task_on_it(cloud_cli, tmp_path, admin, tenants)
    done = json.loads(cloud_cli("cleanup", "--task", crashed, "--yes", "--json", check=True).stdout)
    assert done["platforms"][0]["failed"] == [] and done["platforms"][0]["deleted"]
    assert _cloud_now(admin) == made
    everything = json.loads(cloud_cli("cleanup", "--dry-run", "--json", check=True).stdout)
    assert everything["kept_contexts"] == ["bench"] and everything["platforms"][0]["discovered"] == []

    # Tasks run on it, by the flag or by the task file's field, and leave it as it was.
    ports = tmp_path / "few-ports.yaml"
    ports.write_text(PORTS.format(times=2))
    cloud_cli("task", "start", str(ports), "--persistent-context", "bench", check=True, timeout=300)
    images = tmp_path / "images.yaml"
    images.write_text(IMAGES)
    cloud_cli("task", "start", str(images), check=True, timeout=300)
    detailed = json.loads(cloud_cli("task", "detailed", task_uuid_of(cloud_cli), "--json", check=True).stdout)
    workload = detailed["subtasks"][0]["workloads"][0]
    assert workload["pass_sla"] and "users" not in workload["contexts"]
    assert _cloud_now(admin) == made

    refused = cloud_cli("env", "delete", "keystone")
    assert refused.returncode == 1 and "cleanup-context bench" in refused.stderr
    # Nor can its spec change under the context (Rally's `deployment recreate --filename`); its text can.
    spec = json.loads(cloud_cli("env", "show", "keystone", "--json", "--show-secrets", check=True).stdout)["spec"]
    other = tmp_path / "elsewhere.json"
    other.write_text(json.dumps({"openstack": {**spec["openstack"], "region_name": "elsewhere"}}))
    refused = cloud_cli("deployment", "recreate", "--deployment", "keystone", "--filename", str(other))
    assert refused.returncode == 1 and "cleanup-context bench" in refused.stderr
    cloud_cli("env", "update", "keystone", "--description", "has bench", check=True)
    kept = json.loads(cloud_cli("env", "show", "keystone", "--json", "--show-secrets", check=True).stdout)
    assert kept["spec"] == spec and kept["description"] == "has bench"
    dry = json.loads(cloud_cli("env", "cleanup-context", "bench", "--dry-run", "--json", check=True).stdout)
    listed = {r["type"] for r in dry["platforms"][0]["discovered"]}
    assert {"keystone.project", "keystone.user", "neutron.network", "neutron.router", "neutron.port",
            "glance.image", "neutron.security_group"} <= listed
    assert _cloud_now(admin) == made
    cloud_cli("env", "cleanup-context", "bench", check=True, timeout=300)
    assert _cloud_now(admin) == before
    assert json.loads(cloud_cli("env", "contexts", "--json", check=True).stdout) == []


def test_a_failed_set_up_leaves_nothing_and_bad_names_are_refused(cloud_cli: CLI, admin: Any,
                                                                   tmp_path: Path) -> None:
    before = _cloud_now(admin)
    setup = tmp_path / "broken.yaml"
    setup.write_text(SETUP.format(path=tmp_path / "missing.raw"))
    failed = cloud_cli("env", "setup-context", str(setup), timeout=300)
    assert failed.returncode == 1 and "missing.raw" in failed.stderr and "Traceback" not in failed.stderr
    assert _cloud_now(admin) == before  # users and networks made before the images failed are gone
    assert json.loads(cloud_cli("env", "contexts", "--json", check=True).stdout) == []

    task = tmp_path / "ports.yaml"
    task.write_text(PORTS.format(times=2))
    unknown = cloud_cli("task", "start", str(task), "--persistent-context", "nope")
    assert unknown.returncode == 1 and "nope" in unknown.stderr and "Traceback" not in unknown.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("{users: {tenants: 0}, cleanup: [neutron], nonesuch: {}}")
    invalid = cloud_cli("env", "setup-context", str(bad))
    assert invalid.returncode == 1
    for part in ("contexts.users", "contexts.cleanup", "nonesuch"):
        assert part in invalid.stderr, invalid.stderr
