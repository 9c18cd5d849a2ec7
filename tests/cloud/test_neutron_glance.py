"""Rally's network and image scenarios and their cleanup, against a real Neutron and Glance behind Keystone."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from squall import naming
from tests.cloud.helpers import beside_rally, inventory, task_uuid_of
from tests.conftest import CLI, SQUALL

pytestmark = pytest.mark.keystone


@pytest.fixture
def image_url(tmp_path: Path) -> Iterator[str]:
    """An image file served over HTTP on 127.0.0.1."""
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / "cirros.raw").write_bytes(os.urandom(256 * 1024))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cirros.raw"
    server.shutdown()
    server.server_close()


def _atomics(cli: CLI, task_uuid: str) -> set[str]:
    doc = json.loads(cli("task", "export", task_uuid, "--type", "json", check=True).stdout)

    def names(actions: list[dict[str, Any]]) -> Iterator[str]:
        for action in actions:
            yield action["name"]
            yield from names(action.get("children", []))

    return {n for task in doc["tasks"] for sub in task["subtasks"] for wl in sub["workloads"] for it in wl["data"]
            for n in names(it["atomic_actions"])}


WORKLOADS = """---
version: 2
title: networks and images
subtasks:
  - title: neutron
    workloads:
      - scenario: {{NeutronNetworks.create_and_delete_networks: {{}}}}
        runner: {{constant: {{times: 4, concurrency: 2}}}}
        contexts: {{users: {{tenants: 2, users_per_tenant: 1}}}}
      - scenario: {{NeutronNetworks.create_and_list_routers: {{subnets_per_network: 2}}}}
        runner: {{constant: {{times: 2, concurrency: 2}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{NeutronNetworks.create_and_delete_routers: {{subnets_per_network: 2}}}}
        runner: {{constant: {{times: 2, concurrency: 1}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{NeutronNetworks.create_and_update_ports: {{port_update_args: {{admin_state_up: false}},
                                                                ports_per_network: 2}}}}
        runner: {{constant: {{times: 2, concurrency: 2}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{NeutronNetworks.create_and_list_floating_ips: {{floating_network: public}}}}
        runner: {{constant: {{times: 2, concurrency: 1}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{NeutronSecurityGroup.create_and_list_security_group_rules: {{}}}}
        runner: {{constant: {{times: 2, concurrency: 1}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{NeutronNetworks.associate_and_dissociate_floating_ips: {{floating_network: public}}}}
        runner: {{constant: {{times: 2, concurrency: 2}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{NeutronNetworks.list_agents: {{}}}}
        runner: {{serial: {{times: 1}}}}
      - scenario: {{NeutronNetworks.create_and_bind_ports: {{ports_per_network: 2}}}}
        runner: {{constant: {{times: 2, concurrency: 2}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{NeutronSubnets.delete_subnets: {{}}}}
        runner: {{constant: {{times: 2, concurrency: 2}}}}
        contexts:
          users: {{tenants: 1, users_per_tenant: 2, user_choice_method: round_robin}}
          network: {{subnets_per_network: 2, router: {{}}}}
  - title: glance
    workloads:
      - scenario: {{GlanceImages.create_and_list_image: {{container_format: bare, disk_format: raw,
                                                        image_location: "{url}"}}}}
        runner: {{constant: {{times: 2, concurrency: 2}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{GlanceImages.create_and_update_image: {{container_format: bare, disk_format: raw,
                                                          image_location: "{path}"}}}}
        runner: {{constant: {{times: 2, concurrency: 1}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{GlanceImages.create_and_download_image: {{container_format: bare, disk_format: raw,
                                                            image_location: "{url}"}}}}
        runner: {{constant: {{times: 2, concurrency: 2}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
      - scenario: {{GlanceImages.import_and_delete_image: {{container_format: bare, disk_format: raw,
                                                          image_location: "{path}"}}}}
        runner: {{constant: {{times: 2, concurrency: 2}}}}
        contexts: {{users: {{tenants: 1, users_per_tenant: 1}}}}
"""


def test_network_and_image_workloads_run_and_leave_nothing(cloud_cli: CLI, admin: Any, image_url: str,
                                                           tmp_path: Path) -> None:
    before = inventory(admin)
    local = tmp_path / "local.raw"
    local.write_bytes(os.urandom(64 * 1024))
    task = tmp_path / "cloud.yaml"
    task.write_text(WORKLOADS.format(url=image_url, path=local))
    cloud_cli("task", "start", str(task), check=True, timeout=600)
    task_uuid = task_uuid_of(cloud_cli)
    detailed = json.loads(cloud_cli("task", "detailed", task_uuid, "--json", check=True).stdout)
    workloads = [wl for sub in detailed["subtasks"] for wl in sub["workloads"]]
    assert all(wl["pass_sla"] for wl in workloads) and all(not wl.get("leaks") for wl in workloads)
    assert {"neutron.create_network", "neutron.delete_network", "neutron.create_subnet", "neutron.create_router",
            "neutron.add_interface_router", "neutron.remove_interface_router", "neutron.delete_router",
            "neutron.list_routers", "neutron.create_port", "neutron.update_port", "neutron.create_floating_ip",
            "neutron.list_floating_ips", "neutron.create_security_group", "neutron.create_security_group_rule",
            "neutron.list_security_group_rules", "glance_v2.create_image", "glance_v2.upload_data",
            "glance_v2.list_images", "glance_v2.update_image", "neutron.associate_floating_ip",
            "neutron.dissociate_floating_ip", "neutron.add_gateway_router", "neutron.list_agents",
            "neutron.delete_subnet", "glance_v2.download_image", "glance_v2.create_image_for_import",
            "glance_v2.stage_image_data", "glance_v2.import_image"} <= _atomics(cloud_cli, task_uuid)
    # Every network resource, image and the projects' default security groups are gone; nothing else went.
    assert inventory(admin) == before


def _hand_made(admin: Any) -> dict[str, Any]:
    """Resources made by hand: one named as another task's squall resource would be, one unnamed port."""
    other = naming.generate("0badcafe-0000-0000-0000-000000000000", "scenario")
    net = admin.network.create_network(name=other)
    subnet = admin.network.create_subnet(network_id=net.id, ip_version=4, cidr="192.168.77.0/24", name="by-hand")
    router = admin.network.create_router(name="customer-router")
    admin.network.add_interface_to_router(router, subnet=subnet.id)
    port = admin.network.create_port(network_id=net.id)
    return {"network": net, "subnet": subnet, "router": router, "port": port}


def test_sigkill_mid_task_then_cleanup_finds_unnamed_ports_and_spares_others(cloud_cli: CLI, admin: Any,
                                                                              tmp_path: Path) -> None:
    mine = _hand_made(admin)
    before = inventory(admin)
    task = tmp_path / "long.yaml"
    task.write_text("""---
NeutronNetworks.create_and_list_routers:
  - args: {subnets_per_network: 1}
    runner: {type: constant, times: 300, concurrency: 2}
    context: {users: {tenants: 1, users_per_tenant: 1}}
""")
    proc = subprocess.Popen([*SQUALL, "task", "start", str(task)], env=cloud_cli.env, cwd=cloud_cli.cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len({p for p in inventory(admin)["port"] if not p[1]} - before["port"]) < 3:
        assert time.monotonic() < deadline and proc.poll() is None, "no router interface appeared"
        time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)  # a request in flight may still land
    task_uuid = task_uuid_of(cloud_cli)
    left = inventory(admin)
    unnamed_ports = {p for p in left["port"] - before["port"] if not p[1]}
    assert unnamed_ports  # router interfaces: no name of squall's

    dry = json.loads(cloud_cli("cleanup", "--task", task_uuid, "--dry-run", "--json", check=True).stdout)
    listed = {(r["type"], r["id"]) for r in dry["platforms"][0]["discovered"]}
    assert {("neutron.port", pid) for pid, _ in unnamed_ports} <= listed
    assert inventory(admin) == left  # a dry run deletes nothing

    done = json.loads(cloud_cli("cleanup", "--task", task_uuid, "--yes", "--json", check=True).stdout)
    assert done["platforms"][0]["failed"] == []
    after = inventory(admin)
    for kind in ("network", "subnet", "router", "port", "security_group"):
        assert after[kind] == before[kind], kind  # all of the task's went; the hand-made ones stayed
    assert (mine["port"].id, mine["port"].name) in after["port"]
    admin.network.remove_interface_from_router(mine["router"], subnet=mine["subnet"].id)
    admin.network.delete_router(mine["router"])
    admin.network.delete_port(mine["port"])
    admin.network.delete_network(mine["network"])


CONTEXTS = """---
version: 2
title: contexts
subtasks:
  - title: on the contexts' resources
    workloads:
      - scenario: {{NeutronNetworks.create_and_list_ports: {{ports_per_network: 2}}}}
        runner: {{constant: {{times: 2, concurrency: 2}}}}
        contexts:
          users: {{tenants: 2, users_per_tenant: 1}}
          network: {{networks_per_tenant: 1, subnets_per_network: 2, router: {{external: true}}}}
          allow_ssh: null
          images: {{image_url: "{path}", disk_format: raw, container_format: bare, images_per_tenant: 1}}
      - scenario: {{GlanceImages.list_images: {{}}}}
        runner: {{constant: {{times: 2, concurrency: 1}}}}
        contexts:
          users: {{tenants: 1, users_per_tenant: 1}}
          images: {{image_url: "{path}", disk_format: raw, container_format: bare, images_per_tenant: 2}}
      - scenario: {{NeutronNetworks.create_and_list_networks: {{}}}}
        runner: {{serial: {{times: 3}}}}
        contexts:
          users: {{tenants: 1, users_per_tenant: 1}}
          quotas: {{neutron: {{network: 1}}}}
        sla: {{failure_rate: {{max: 100}}}}
"""


def test_network_images_quotas_and_allow_ssh_contexts(cloud_cli: CLI, admin: Any, tmp_path: Path) -> None:
    before = inventory(admin)
    local = tmp_path / "local.raw"
    local.write_bytes(os.urandom(32 * 1024))
    task = tmp_path / "contexts.yaml"
    task.write_text(CONTEXTS.format(path=local))
    cloud_cli("task", "start", str(task), check=True, timeout=600)
    task_uuid = task_uuid_of(cloud_cli)
    detailed = json.loads(cloud_cli("task", "detailed", task_uuid, "--json", check=True).stdout)
    ports, _, quota = [wl for sub in detailed["subtasks"] for wl in sub["workloads"]]
    doc = json.loads(cloud_cli("task", "export", task_uuid, "--type", "json", check=True).stdout)
    port_iterations, image_iterations, quota_iterations = (
        wl["data"] for wl in doc["tasks"][0]["subtasks"][0]["workloads"])
    # The ports went on the network context's networks: no iteration made a network of its own.
    assert all(a["name"] != "neutron.create_network" for it in port_iterations for a in it["atomic_actions"])
    assert all(not it["error"] for it in port_iterations + image_iterations)
    # One network allowed by the quotas context: the first iteration makes it, the other two are refused.
    assert [bool(it["error"]) for it in quota_iterations] == [False, True, True]
    assert all("Quota exceeded" in " ".join(it["error"]) for it in quota_iterations[1:]), quota_iterations[1]["error"]
    assert ports["pass_sla"] and quota["pass_sla"]
    assert inventory(admin) == before  # networks, routers, interfaces, groups and images all deleted


BOTH = """---
NeutronNetworks.create_and_list_routers:
  - args: {{subnets_per_network: 2}}
    runner: {{type: serial, times: 2}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
NeutronNetworks.create_and_update_ports:
  - args: {{port_update_args: {{admin_state_up: false}}, ports_per_network: 2}}
    runner: {{type: serial, times: 2}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
NeutronNetworks.create_and_delete_floating_ips:
  - args: {{floating_network: public}}
    runner: {{type: serial, times: 2}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
NeutronSecurityGroup.create_and_list_security_group_rules:
  - runner: {{type: serial, times: 2}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
NeutronNetworks.create_and_bind_ports:
  - args: {{ports_per_network: 2}}
    runner: {{type: serial, times: 2}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}, network: {{}}, networking_agents: {{}}}}
GlanceImages.create_and_delete_image:
  - args: {{container_format: bare, disk_format: raw, image_location: "{path}"}}
    runner: {{type: serial, times: 2}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
NeutronNetworks.associate_and_dissociate_floating_ips:
  - args: {{floating_network: public}}
    runner: {{type: serial, times: 1}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
GlanceImages.create_and_download_image:
  - args: {{container_format: bare, disk_format: raw, image_location: "{path}"}}
    runner: {{type: serial, times: 1}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
GlanceImages.import_and_delete_image:
  - args: {{container_format: bare, disk_format: raw, image_location: "{path}"}}
    runner: {{type: serial, times: 1}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
"""


def _calls(doc: dict[str, Any]) -> list[tuple[str, list[list[str]], int]]:
    """Per workload: its scenario, each iteration's top-level atomic actions, and its failed iterations."""
    return [(next(iter(wl["scenario"])), [[a["name"] for a in it["atomic_actions"]] for it in wl["data"]],
             sum(1 for it in wl["data"] if it["error"]))
            for task in doc["tasks"] for sub in task["subtasks"] for wl in sub["workloads"]]


def test_network_and_image_scenarios_make_rallys_calls(cloud_cli: CLI, cloud: dict[str, str],
                                                       tmp_path: Path) -> None:
    image = tmp_path / "image.raw"
    image.write_bytes(os.urandom(16 * 1024))
    task = tmp_path / "both.yaml"
    task.write_text(BOTH.format(path=image))
    ours, theirs = beside_rally(cloud_cli, cloud, task, tmp_path, timeout=600)
    # The same scenarios make the same calls, in the same order, under Rally's atomic action names.
    assert _calls(ours) == _calls(theirs)
    assert all(failed == 0 for _, _, failed in _calls(ours))
