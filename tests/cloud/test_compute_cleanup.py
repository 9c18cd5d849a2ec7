"""Cleanup of Nova and Cinder: a task SIGKILLed while servers boot onto new (unnamed) volumes, and the negative
filter on volumes made by hand inside a squall project."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from squall import naming
from tests.cloud.helpers import compute_inventory, task_uuid_of
from tests.conftest import CLI, SQUALL

pytestmark = pytest.mark.keystone

LONG = """---
version: 2
title: killed mid-way
subtasks:
  - title: servers on unnamed volumes
    workloads:
      - scenario:
          NovaServers.boot_server:
            flavor: {{name: m1.tiny}}
            image: {{name: "^cirros.*-disk$"}}
            block_device_mapping_v2: [{{boot_index: 0, uuid: "{image}", source_type: image,
                                        destination_type: volume, volume_size: 1, delete_on_termination: false}}]
        runner: {{constant: {{times: 300, concurrency: 2}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
"""


def _volume(conn: Any, name: str) -> str:
    done = conn.block_storage.post("/volumes", json={"volume": {"name": name, "size": 1}})
    done.raise_for_status()
    return str(done.json()["volume"]["id"])


def _start_then_kill(cli: CLI, task: Any, ready: Callable[[], bool], what: str, deadline: float) -> None:
    """Start the task; SIGKILL it (its whole process group) once ``ready()``."""
    proc = subprocess.Popen([*SQUALL, "task", "start", str(task)], env=cli.env, cwd=cli.cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while not ready():
            assert time.monotonic() < deadline and proc.poll() is None, what
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _kill_once_volumes_build(cli: CLI, admin: Any, before: dict[str, Any], task: Any) -> None:
    """Start the task; SIGKILL it once two servers and two unnamed volumes exist; wait until no server builds
    (boots in flight go on without squall)."""
    def ready() -> bool:
        now = compute_inventory(admin)
        unnamed = {v for v in now["volume"] - before["volume"] if v[1] in ("", "None")}
        return len(now["server"] - before["server"]) >= 2 and len(unnamed) >= 2

    deadline = time.monotonic() + 300
    _start_then_kill(cli, task, ready, "no server on a volume appeared", deadline)
    new = {sid for sid, _ in compute_inventory(admin)["server"] - before["server"]}
    while any(admin.compute.get(f"/servers/{sid}").json()["server"]["status"] == "BUILD" for sid in new):
        assert time.monotonic() < deadline, "servers still building"
        time.sleep(0.5)


def test_sigkill_mid_task_then_cleanup_finds_servers_and_their_unnamed_volumes(compute_cli: CLI, compute_admin: Any,
                                                                               tmp_path: Any) -> None:
    before = compute_inventory(compute_admin)
    image = next(i for i in compute_admin.image.get("/images").json()["images"] if i["name"].startswith("cirros"))
    customer = _volume(compute_admin, "customer-volume")
    task = tmp_path / "long.yaml"
    task.write_text(LONG.format(image=image["id"]))
    try:
        _kill_once_volumes_build(compute_cli, compute_admin, before, task)
        task_uuid = task_uuid_of(compute_cli)
        dry = json.loads(compute_cli("cleanup", "--task", task_uuid, "--dry-run", "--json", check=True).stdout)
        listed = {(r["type"], r["id"]) for r in dry["platforms"][0]["discovered"]}
        left = compute_inventory(compute_admin)
        # The volumes Nova made for squall's servers carry no name: found through their server or their
        # creator (squall's user), attached or not.
        assert {("cinder.volume", vid) for vid, _ in left["volume"] - before["volume"] if vid != customer} <= listed
        assert {("nova.server", sid) for sid, _ in left["server"] - before["server"]} <= listed
        assert ("cinder.volume", customer) not in listed
        done = json.loads(compute_cli("cleanup", "--task", task_uuid, "--yes", "--json", check=True).stdout)
        assert done["platforms"][0]["failed"] == []
        after = compute_inventory(compute_admin)
        assert (customer, "customer-volume") in after["volume"]
        after["volume"].discard((customer, "customer-volume"))
        assert after == before
    finally:
        compute_admin.block_storage.delete(f"/volumes/{customer}")


NAMED_BY_THE_TASK_FILE = """---
version: 2
title: killed after its named contexts
subtasks:
  - title: a flavor and a volume type named by the task file
    workloads:
      - scenario: {{Dummy.openstack: {{sleep: 0.5}}}}
        runner: {{constant: {{times: 100000, concurrency: 1}}}}
        contexts:
          users: {{tenants: 1, users_per_tenant: 1}}
          flavors: [{{name: "{flavor}", ram: 64}}]
          volume_types: ["{volume_type}"]
"""


def _forged_tag() -> str:
    """A tag whose squall name has a wrong check character (a hand-made imitation)."""
    name = naming.generate(str(uuid.uuid4()), "context")
    return naming.tag(name[:-1] + ("A" if name[-1] != "A" else "B"))


def _customer_flavor_and_type(admin: Any) -> tuple[str, str]:
    """A flavor with a forged tag and a volume type with a plain description, made by hand."""
    flavor = admin.compute.post("/flavors", microversion="2.55", json={"flavor": {
        "name": f"customer-{uuid.uuid4().hex[:8]}", "ram": 64, "vcpus": 1, "disk": 0,
        "description": _forged_tag()}})
    flavor.raise_for_status()
    kind = admin.block_storage.post("/types", json={"volume_type": {
        "name": f"customer-{uuid.uuid4().hex[:8]}", "description": "gold tier"}})
    kind.raise_for_status()
    return str(flavor.json()["flavor"]["id"]), str(kind.json()["volume_type"]["id"])


def _kill_once_present(cli: CLI, admin: Any, task: Any, names: tuple[str, str]) -> None:
    def ready() -> bool:
        now = compute_inventory(admin)
        return names[0] in {n for _, n in now["flavor"]} and names[1] in {n for _, n in now["volume_type"]}

    _start_then_kill(cli, task, ready, "the contexts made nothing", time.monotonic() + 300)


def test_sigkill_then_cleanup_finds_flavors_and_volume_types_named_by_the_task_file(
        compute_cli: CLI, compute_admin: Any, tmp_path: Any) -> None:
    before = compute_inventory(compute_admin)
    names = (f"task-flavor-{uuid.uuid4().hex[:6]}", f"task-type-{uuid.uuid4().hex[:6]}")
    customers = _customer_flavor_and_type(compute_admin)
    task = tmp_path / "named.yaml"
    task.write_text(NAMED_BY_THE_TASK_FILE.format(flavor=names[0], volume_type=names[1]))
    try:
        _kill_once_present(compute_cli, compute_admin, task, names)
        everything = json.loads(compute_cli("cleanup", "--dry-run", "--json", check=True).stdout)
        listed = {(r["type"], r["name"]) for r in everything["platforms"][0]["discovered"]}
        assert {("nova.flavor", names[0]), ("cinder.volume_type", names[1])} <= listed
        assert not {r["id"] for r in everything["platforms"][0]["discovered"]} & set(customers)
        done = json.loads(compute_cli("cleanup", "--task", task_uuid_of(compute_cli), "--yes", "--json",
                                      check=True).stdout)
        assert done["platforms"][0]["failed"] == []
        tags = {r["name"]: r.get("tag") for r in done["platforms"][0]["deleted"]}
        assert naming.belongs_to(tags[names[0]], task_uuid_of(compute_cli), "context")
        assert naming.belongs_to(tags[names[1]], task_uuid_of(compute_cli), "context")
        after = compute_inventory(compute_admin)
        assert customers[0] in {i for i, _ in after["flavor"]} and customers[1] in {i for i, _ in after["volume_type"]}
        after["flavor"] = {f for f in after["flavor"] if f[0] != customers[0]}
        after["volume_type"] = {t for t in after["volume_type"] if t[0] != customers[1]}
        assert after == before
    finally:
        compute_admin.compute.delete(f"/flavors/{customers[0]}")
        compute_admin.block_storage.delete(f"/types/{customers[1]}")


def _by_hand_inside_a_squall_project(admin: Any, compute: dict[str, str]) -> tuple[str, str, str, Any]:
    """A project with a squall name, a user made by hand with a role in it, and a volume that user made:
    (project, user, volume, the user's connection)."""
    import openstack

    project = admin.identity.create_project(name=naming.generate(str(uuid.uuid4()), "context"), domain_id="default")
    password = uuid.uuid4().hex
    user = admin.identity.create_user(name=f"by-hand-{uuid.uuid4().hex[:8]}", password=password, domain_id="default")
    role = admin.identity.find_role("member") or admin.identity.find_role("_member_")
    admin.identity.assign_project_role_to_user(project, user, role)
    conn = openstack.connect(auth_url=compute["OS_AUTH_URL"], username=user.name, password=password,
                             project_id=project.id, user_domain_name="Default", region_name="RegionOne")
    return project.id, user.id, _volume(conn, "by-hand-volume"), conn


def test_negative_filter_deletes_volumes_made_by_hand_in_squall_projects_only(
        compute_cli: CLI, compute_admin: Any, compute: dict[str, str]) -> None:
    project, user, inside, conn = _by_hand_inside_a_squall_project(compute_admin, compute)
    customer = _volume(compute_admin, "customer-volume")
    try:
        plain = json.loads(compute_cli("cleanup", "--env", "keystone", "--dry-run", "--json", check=True).stdout)
        plain_found = {(r["type"], r["id"]) for r in plain["platforms"][0]["discovered"]}
        assert ("keystone.project", project) in plain_found
        assert not {("cinder.volume", inside), ("cinder.volume", customer)} & plain_found
        done = json.loads(compute_cli("cleanup", "--env", "keystone", "--negative", "--yes", "--json",
                                      check=True).stdout)
        assert done["platforms"][0]["failed"] == []
        deleted = {(r["type"], r["id"]) for r in done["platforms"][0]["deleted"]}
        assert {("cinder.volume", inside), ("keystone.project", project)} <= deleted
        volumes = {vid for vid, _ in compute_inventory(compute_admin)["volume"]}
        assert customer in volumes and inside not in volumes
    finally:
        conn.close()
        for volume in (customer, inside):
            compute_admin.block_storage.delete(f"/volumes/{volume}")
        compute_admin.identity.delete_user(user, ignore_missing=True)
        compute_admin.identity.delete_project(project, ignore_missing=True)
