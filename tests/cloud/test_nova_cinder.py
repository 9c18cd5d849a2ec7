"""Rally's Nova, Cinder, Quotas and Authenticate scenarios against a real Nova (fake compute driver) and Cinder
(fake volume driver) behind Keystone, next to Neutron and Glance: rally-openstack's own samples, Rally 5.1.1 side
by side, and cleanup."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from squall import exceptions, registry
from tests.cloud import rally_samples
from tests.cloud.helpers import compute_inventory, task_uuid_of
from tests.conftest import CLI, IN_CI
from tests.rally import oracle

pytestmark = pytest.mark.keystone

SAMPLE_FOLDERS = ("nova", "cinder", "quotas", "authenticate", "heat")
# Samples the fake drivers cannot serve, with why (docs/rally-compat.md lists them too).
_CFN = "its server needs Heat's CloudFormation API (heat-api-cfn), which the test cloud does not run"
FAKE_CANNOT = {
    "nova/list-and-get-uptime-hypervisors.yaml": "the fake compute driver has no uptime (Nova answers 501)",
    "heat/create-and-delete-stack-with-neutron.yaml": _CFN,
    "heat/create-and-delete-stack-with-volume.yaml": _CFN,
    "heat/create-and-delete-stack-resource-group.yaml": _CFN,
    "heat/create-update-delete-stack-inplace.yaml": "its scaling policy makes a stack user: the test Heat has no "
                                                    "stack user domain",
    "heat/create-and-delete-stack-with-delay.yaml": "it waits 60 s in every iteration by design (the suite's time)",
}


def _sources() -> Path:
    missing = oracle.installed()
    if missing:
        if IN_CI:
            pytest.fail(missing)
        pytest.skip(missing)
    return oracle.RALLY_OPENSTACK_SOURCE / "samples" / "tasks" / "scenarios"


def _runnable_samples() -> tuple[list[Path], list[str]]:
    """The samples squall validates; and the ones it refuses although it has all their scenarios (a defect)."""
    from squall.platforms.openstack.unsupported_scenarios import REASONS

    registry.load_plugins()
    known = set(registry.names("scenario")) - set(REASONS)
    root = _sources()
    files = rally_samples.distinct([p for folder in SAMPLE_FOLDERS for p in (root / folder).iterdir()
                                    if p.suffix in (".json", ".yaml")])
    runnable, refused = [], []
    for path in files:
        if f"{path.parent.name}/{path.name}" in FAKE_CANNOT:
            continue
        try:
            rally_samples.workloads(path)
        except exceptions.SquallError as exc:
            names = set(rally_samples.scenario_names(path))
            if names and names <= known:
                refused.append(f"{path.parent.name}/{path.name}: {exc}")
            continue
        runnable.append(path)
    return runnable, refused


def test_rally_samples_run_and_leave_the_cloud_as_it_was(compute_cli: CLI, compute_admin: Any, tmp_path: Path) -> None:
    runnable, refused = _runnable_samples()
    assert refused == []
    assert len(runnable) >= 70, [p.name for p in runnable]
    before = compute_inventory(compute_admin)
    task = tmp_path / "samples.json"
    task.write_text(json.dumps(rally_samples.one_task(runnable)))
    ran = compute_cli("task", "start", str(task), timeout=1800)
    doc = json.loads(compute_cli("task", "export", task_uuid_of(compute_cli), "--type", "json",
                                 check=True).stdout)
    failed = [(sub["title"], next(iter(wl["scenario"])), [i["error"][:2] for i in wl["data"] if i["error"]][:1],
               [r["detail"] for r in wl["sla_results"].get("sla", []) if not r["success"]])
              for sub in doc["tasks"][0]["subtasks"] for wl in sub["workloads"]
              if not wl["pass_sla"] or any(i["error"] for i in wl["data"])]
    assert failed == []
    assert ran.returncode == 0, ran.stderr[-3000:]
    ran = {next(iter(wl["scenario"])) for sub in doc["tasks"][0]["subtasks"] for wl in sub["workloads"]}
    assert {"NovaServers.boot_and_bounce_server", "CinderVolumes.create_and_attach_volume",
            "NovaServers.boot_server_from_volume_and_delete", "Quotas.cinder_update_and_delete",
            "Authenticate.validate_nova"} <= ran
    assert compute_inventory(compute_admin) == before


BOTH = """---
NovaServers.boot_and_delete_server:
  - args: {flavor: {name: m1.tiny}, image: {name: "^cirros.*-disk$"}}
    runner: {type: serial, times: 2}
    context: {users: {tenants: 1, users_per_tenant: 1}}
NovaServers.boot_server_from_volume_and_delete:
  - args: {flavor: {name: m1.tiny}, image: {name: "^cirros.*-disk$"}, volume_size: 1}
    runner: {type: serial, times: 2}
    context: {users: {tenants: 1, users_per_tenant: 1}}
CinderVolumes.create_and_attach_volume:
  - args: {size: 1, flavor: {name: m1.tiny}, image: {name: "^cirros.*-disk$"}}
    runner: {type: serial, times: 2}
    context: {users: {tenants: 1, users_per_tenant: 1}}
CinderVolumes.create_and_delete_volume:
  - args: {size: 1}
    runner: {type: serial, times: 2}
    context: {users: {tenants: 1, users_per_tenant: 1}}
NovaServers.boot_and_bounce_server:
  - args: {flavor: {name: m1.tiny}, image: {name: "^cirros.*-disk$"},
           actions: [{hard_reboot: 1}, {stop_start: 1}, {pause_unpause: 1}, {lock_unlock: 1}]}
    runner: {type: serial, times: 1}
    context: {users: {tenants: 1, users_per_tenant: 1}}
NovaKeypair.create_and_delete_keypair:
  - runner: {type: serial, times: 2}
    context: {users: {tenants: 1, users_per_tenant: 1}}
"""


def _calls(doc: dict[str, Any]) -> list[tuple[str, list[list[str]], int, bool]]:
    """Per workload: its scenario, each iteration's top-level atomic actions, its failed iterations, its SLA."""
    return [(next(iter(wl["scenario"])), [[a["name"] for a in it["atomic_actions"]] for it in wl["data"]],
             sum(1 for it in wl["data"] if it["error"]), wl["pass_sla"])
            for task in doc["tasks"] for sub in task["subtasks"] for wl in sub["workloads"]]


def test_nova_and_cinder_scenarios_make_rallys_calls(compute_cli: CLI, compute: dict[str, str], compute_admin: Any,
                                                     tmp_path: Path) -> None:
    missing = oracle.installed() or oracle.verify_installed()
    if missing:
        if IN_CI:
            pytest.fail(missing)
        pytest.skip(missing)
    before = compute_inventory(compute_admin)
    task = tmp_path / "both.yaml"
    task.write_text(BOTH)
    rally = oracle.Rally(tmp_path / "rally", compute)
    # Each tool names its own resources and cleans only those: the two runs go side by side.
    with ThreadPoolExecutor(max_workers=1) as pool:
        rally_run = pool.submit(rally, "task", "start", str(task), timeout=900)
        compute_cli("task", "start", str(task), check=True, timeout=900)
        ran = rally_run.result()
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    theirs = tmp_path / "rally.json"
    rally("task", "report", "--json", "--out", str(theirs), check=True)
    ours = json.loads(compute_cli("task", "export", "--type", "json", check=True).stdout)
    # The same scenarios make the same calls, in the same order, under Rally's names, with the same verdicts.
    assert _calls(ours) == _calls(json.loads(theirs.read_text()))
    assert all(failed == 0 and passed for _, _, failed, passed in _calls(ours))
    assert compute_inventory(compute_admin) == before


LONG = """---
version: 2
title: killed mid-way
subtasks:
  - title: servers on unnamed volumes, keypairs, volumes, stacks
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


def test_sigkill_mid_task_then_cleanup_finds_servers_and_their_unnamed_volumes(compute_cli: CLI, compute_admin: Any,
                                                                               tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import time

    from tests.conftest import SQUALL

    before = compute_inventory(compute_admin)
    image = next(i for i in compute_admin.image.get("/images").json()["images"] if i["name"].startswith("cirros"))
    foreign_volume = compute_admin.block_storage.post("/volumes", json={"volume": {"name": "customer-volume",
                                                                           "size": 1}}).json()["volume"]
    task = tmp_path / "long.yaml"
    task.write_text(LONG.format(image=image["id"]))
    proc = subprocess.Popen([*SQUALL, "task", "start", str(task)], env=compute_cli.env, cwd=compute_cli.cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while True:
        now = compute_inventory(compute_admin)
        unnamed = {v for v in now["volume"] - before["volume"] if v[1] in ("", "None")}
        if len(now["server"] - before["server"]) >= 2 and len(unnamed) >= 2:
            break
        assert time.monotonic() < deadline and proc.poll() is None, "no server on a volume appeared"
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # Boots in flight go on without squall: once none builds, every volume Nova made is on its server.
    new = {sid for sid, _ in compute_inventory(compute_admin)["server"] - before["server"]}
    while any(compute_admin.compute.get(f"/servers/{sid}").json()["server"]["status"] == "BUILD" for sid in new):
        assert time.monotonic() < deadline, "servers still building"
        time.sleep(0.5)
    task_uuid = task_uuid_of(compute_cli)
    dry = json.loads(compute_cli("cleanup", "--task", task_uuid, "--dry-run", "--json", check=True).stdout)
    listed = {(r["type"], r["id"]) for r in dry["platforms"][0]["discovered"]}
    left = compute_inventory(compute_admin)
    # The volumes Nova made for squall's servers carry no name: found through their server.
    assert {("cinder.volume", vid) for vid, name in left["volume"] - before["volume"]} <= listed
    assert {("nova.server", sid) for sid, _ in left["server"] - before["server"]} <= listed
    done = json.loads(compute_cli("cleanup", "--task", task_uuid, "--yes", "--json", check=True).stdout)
    assert done["platforms"][0]["failed"] == []
    after = compute_inventory(compute_admin)
    assert (foreign_volume["id"], "customer-volume") in after["volume"]
    compute_admin.block_storage.delete(f"/volumes/{foreign_volume['id']}")
    after["volume"].discard((foreign_volume["id"], "customer-volume"))
    assert after == before
