"""Rally's Nova, Cinder, Quotas and Authenticate scenarios against a real Nova (fake compute driver) and Cinder
(fake volume driver) behind Keystone, next to Neutron and Glance: rally-openstack's own samples, Rally 5.1.1 side
by side, and cleanup."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from squall import exceptions, registry
from tests.cloud import rally_samples
from tests.cloud.helpers import beside_rally, compute_inventory
from tests.conftest import CLI, IN_CI, SQUALL
from tests.rally import oracle

pytestmark = pytest.mark.keystone

SAMPLE_FOLDERS = ("nova", "cinder", "quotas", "authenticate", "heat")
# Samples of other folders that need Nova (or the trunk extension of this package's Neutron): the other Dummy
# ones need no cloud (tests/rally compares them with Rally); test_neutron_glance.py runs the other Glance and
# Neutron scenarios in workloads of its own.
NEEDING_NOVA = ("dummy/dummy-openstack.yaml", "glance/create-image-and-boot-instances.yaml",
                "neutron/create-and-list-trunks.yaml", "neutron/boot-server-with-subports.yaml",
                "neutron/boot-server-and-add-subports.yaml", "neutron/boot-server-and-batch-add-subports.yaml")
# Dummy.openstack under one context each: squall refuses those whose context it lacks (docs/rally-compat.md).
CONTEXT_FOLDER = "contexts"
SHARES = 3  # tasks run at once
ALONE = ("NovaAggregates.",)  # scenarios whose samples run in a task after those, alone on the cloud
# Samples that cannot run on the test cloud (the fake drivers, or the sample itself), with why (docs/rally-compat.md
# lists them too).
FAKE_CANNOT = {
    "nova/list-and-get-uptime-hypervisors.yaml": "the fake compute driver has no uptime (Nova answers 501)",
    "heat/create-and-delete-stack-resource-group.yaml": "its group names the nested template "
                                                        "'templates/server-with-volume.yaml.template', its files "
                                                        "give it under the path from the repository's root (the "
                                                        "key Rally sends too): Heat finds no such template",
    "heat/create-stack-and-scale.yaml": "its template puts the port, network and subnet inside the group's "
                                        "resource definition: Heat refuses it (test_heat_like_rally.py scales "
                                        "rally-jobs' template)",
    "heat/create-and-delete-stack-with-delay.yaml": "it waits 60 s in every iteration by design (the suite's time)",
    "contexts/roles.yaml": "it names a role 'role' that no cloud has by default (Rally's sample fails the same way)",
    "contexts/users.yaml": "its second workload names domains 'project' and 'demo' that no cloud has by default",
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
    folders = [root / folder for folder in SAMPLE_FOLDERS] + [root.parent / CONTEXT_FOLDER]
    files = rally_samples.distinct([p for f in folders for p in f.iterdir() if p.suffix in (".json", ".yaml")])
    files += [root / name for name in NEEDING_NOVA]
    runnable, refused = [], []
    for path in files:
        if f"{path.parent.name}/{path.name}" in FAKE_CANNOT:
            continue
        try:
            rally_samples.workloads(path)
        except exceptions.SquallError as exc:
            names = set(rally_samples.scenario_names(path))
            if names and names <= known and path.parent.name != CONTEXT_FOLDER:
                refused.append(f"{path.parent.name}/{path.name}: {exc}")
            continue
        runnable.append(path)
    return runnable, refused


def _shares(paths: list[Path]) -> tuple[list[list[Path]], list[Path]]:
    """The samples in SHARES tasks of about equal size, to run at once, and those that must run alone.

    Those whose contexts make volume types or flavors under the sample's own names (``test_type1``) share one
    task: two at once would ask for the same name. Those that add the compute host to an aggregate run alone:
    Nova refuses to move a host that has servers (another task's) into an availability zone."""
    shares: list[list[Path]] = [[] for _ in range(SHARES)]
    alone = []
    for path in paths:
        workloads = rally_samples.workloads(path)
        if any(next(iter(wl["scenario"])).startswith(ALONE) for wl in workloads):
            alone.append(path)
        elif any({"volume_types", "flavors"} & set(wl["contexts"]) for wl in workloads):
            shares[0].append(path)
        else:
            min(shares, key=len).append(path)
    return shares, alone


def _run_at_once(cli: CLI, tasks: list[dict[str, Any]], tmp_path: Path) -> list[tuple[int, str]]:
    """Start each task in a squall process of its own, all at once; each one's exit code and its output's end."""
    running = []
    for task in tasks:
        number = len(list(tmp_path.glob("samples-*.json")))
        path = tmp_path / f"samples-{number}.json"
        path.write_text(json.dumps({**task, "title": f"{task['title']} {number + 1}"}))
        with open(tmp_path / f"samples-{number}.out", "w") as out:  # a file, not a pipe: none waits on a reader
            running.append((subprocess.Popen([*SQUALL, "task", "start", str(path)], stdout=out, stderr=out,
                                             stdin=subprocess.DEVNULL, env=cli.env, cwd=cli.cwd), out.name))
    try:
        return [(proc.wait(timeout=1800), Path(name).read_text()[-3000:]) for proc, name in running]
    finally:
        for proc, _ in running:  # none left behind when one overran
            proc.kill()
            proc.wait()


def _localise(task: dict[str, Any], image: Path) -> dict[str, Any]:
    """What the samples take from devstack or the internet, from the test cloud: images from a local raw file
    (CirrOS's download site is out of reach; Glance checks the data against the format, said raw), the external
    network ``public`` for devstack's placeholder ``ext_network_name``."""
    for sub in task["subtasks"]:
        for wl in sub["workloads"]:
            images = wl["contexts"].get("images")
            if isinstance(images, dict):
                images["image_url"] = str(image)
                images.update({key: "raw" for key in ("image_type", "disk_format") if key in images})
            args = next(iter(wl["scenario"].values()))
            if "image_location" in args:
                args.update(image_location=str(image), disk_format="raw")
            if args.get("floating_network") == "ext_network_name":
                args["floating_network"] = "public"
    return task


def test_rally_samples_run_and_leave_the_cloud_as_it_was(compute_cli: CLI, compute_admin: Any, tmp_path: Path) -> None:
    runnable, refused = _runnable_samples()
    assert refused == []
    assert len(runnable) >= 85, [p.name for p in runnable]
    assert {p.name for p in runnable if p.parent.name == CONTEXT_FOLDER} >= {
        "servers.yaml", "volumes.yaml", "stacks.yaml", "keypair.yaml", "flavors.yaml", "images.yaml",
        "volume-types.yaml", "api-versions.yaml"}
    before = compute_inventory(compute_admin)
    image = tmp_path / "cirros.raw"
    image.write_bytes(os.urandom(64 * 1024))
    # Three tasks at once, as colleagues share a cloud: while one waits on the cloud (a server booting, a stack
    # building) the others run, so the test takes a third less time (748 s to 500 s here; the cloud's own CPU
    # bounds the rest); each task cleans only its own. Then the samples that must have the cloud to themselves.
    shares, alone = _shares(runnable)
    ended = _run_at_once(compute_cli, [_localise(rally_samples.one_task(share), image) for share in shares], tmp_path)
    ended += _run_at_once(compute_cli, [_localise(rally_samples.one_task(alone), image)], tmp_path)
    tasks = json.loads(compute_cli("task", "list", "--json", check=True).stdout)
    assert len(tasks) == SHARES + 1
    docs = [json.loads(compute_cli("task", "export", t["uuid"], "--type", "json", check=True).stdout) for t in tasks]
    workloads = [(sub["title"], wl) for doc in docs for sub in doc["tasks"][0]["subtasks"] for wl in sub["workloads"]]
    failed = [(title, next(iter(wl["scenario"])), [i["error"][:2] for i in wl["data"] if i["error"]][:1],
               [r["detail"] for r in wl["sla_results"].get("sla", []) if not r["success"]])
              for title, wl in workloads if not wl["pass_sla"] or any(i["error"] for i in wl["data"])]
    assert failed == []
    assert ended == [(0, err) for _, err in ended]
    assert sorted(title for title, _ in workloads) == sorted(
        f"{p.parent.name}/{p.name}" for p in runnable for _ in rally_samples.workloads(p))
    ran = {next(iter(wl["scenario"])) for _, wl in workloads}
    assert {"NovaServers.boot_and_bounce_server", "CinderVolumes.create_and_attach_volume",
            "NovaServers.boot_server_from_volume_and_delete", "Quotas.cinder_update_and_delete",
            "Authenticate.validate_nova", "Authenticate.validate_heat", "Dummy.openstack"} <= ran
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
    before = compute_inventory(compute_admin)
    task = tmp_path / "both.yaml"
    task.write_text(BOTH)
    ours, theirs = beside_rally(compute_cli, compute, task, tmp_path)
    # The same scenarios make the same calls, in the same order, under Rally's names, with the same verdicts.
    assert _calls(ours) == _calls(theirs)
    assert all(failed == 0 and passed for _, _, failed, passed in _calls(ours))
    assert compute_inventory(compute_admin) == before

