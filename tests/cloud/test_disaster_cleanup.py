"""``squall cleanup --env`` (every task's resources) and ``--negative`` across Keystone, Neutron and Glance."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from squall import naming
from tests.cloud.helpers import inventory
from tests.conftest import CLI

pytestmark = pytest.mark.keystone


def _image(admin: Any, name: str, owner: str | None = None) -> str:
    body = {"name": name, "disk_format": "raw", "container_format": "bare", **({"owner": owner} if owner else {})}
    return str(admin.image.post("/images", json=body).json()["id"])


def _leftovers(admin: Any) -> dict[str, Any]:
    """What crashed tasks and a user would leave: squall's resources of two tasks, and things made by hand
    (some inside a squall project, some outside any)."""
    task_a, task_b = str(uuid.uuid4()), str(uuid.uuid4())
    project = admin.identity.create_project(name=naming.generate(task_a, "context"), domain_id="default")
    inside_net = admin.network.create_network(name="by-hand-inside", project_id=project.id)
    inside_port = admin.network.create_port(network_id=inside_net.id, project_id=project.id)
    squall_net = admin.network.create_network(name=naming.generate(task_b))
    squall_port = admin.network.create_port(network_id=squall_net.id)  # unnamed: squall's by its network
    customer_net = admin.network.create_network(name="customer-net")
    customer_port = admin.network.create_port(network_id=customer_net.id)
    return {
        "project": project.id,
        "squall": {("neutron.network", squall_net.id), ("neutron.port", squall_port.id),
                   ("glance.image", _image(admin, naming.generate(task_a, "context"))),
                   ("keystone.project", project.id)},
        "negative": {("neutron.network", inside_net.id), ("neutron.port", inside_port.id),
                     ("glance.image", _image(admin, "by-hand-image", owner=project.id))},
        "customer": {("neutron.network", customer_net.id), ("neutron.port", customer_port.id),
                     ("glance.image", _image(admin, "customer-image"))},
    }


def _found(result: dict[str, Any], key: str) -> set[tuple[str, str]]:
    return {(r["type"], r["id"]) for r in result["platforms"][0][key]}


def _present(admin: Any) -> set[tuple[str, str]]:
    now = inventory(admin)
    return ({(f"neutron.{kind}", rid) for kind in ("network", "port") for rid, _ in now[kind]}
            | {("glance.image", rid) for rid, _ in now["image"]}
            | {("keystone.project", p.id) for p in admin.identity.projects()})


def test_cleanup_of_every_task_and_the_negative_filter_stop_at_squall_projects(cloud_cli: CLI, admin: Any) -> None:
    made = _leftovers(admin)
    try:
        plain = json.loads(cloud_cli("cleanup", "--env", "keystone", "--dry-run", "--json", check=True).stdout)
        found = _found(plain, "discovered")
        assert made["squall"] <= found and not found & (made["negative"] | made["customer"])
        negative = json.loads(cloud_cli("cleanup", "--env", "keystone", "--negative", "--dry-run", "--json",
                                        check=True).stdout)
        assert made["squall"] | made["negative"] <= _found(negative, "discovered")
        assert not _found(negative, "discovered") & made["customer"]
        assert made["squall"] | made["negative"] | made["customer"] <= _present(admin)  # dry runs delete nothing

        done = json.loads(cloud_cli("cleanup", "--env", "keystone", "--negative", "--yes", "--json",
                                    check=True).stdout)
        assert done["platforms"][0]["failed"] == []
        present = _present(admin)
        assert not present & (made["squall"] | made["negative"]) and made["customer"] <= present
    finally:
        for kind, rid in sorted(made["customer"], key=lambda r: r[0] != "neutron.port"):
            {"neutron.port": admin.network.delete_port, "neutron.network": admin.network.delete_network,
             "glance.image": admin.image.delete_image}[kind](rid, ignore_missing=True)


LEAKY = """---
NeutronNetworks.create_and_list_networks:
  - runner: {{type: constant, times: 2, concurrency: 1}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}, cleanup: [keystone]}}
    sla: {{no_leaks: true}}
GlanceImages.create_and_list_image:
  - args: {{container_format: bare, disk_format: raw, image_location: "{path}"}}
    runner: {{type: constant, times: 1, concurrency: 1}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}, cleanup: [neutron]}}
    sla: {{no_leaks: true}}
"""


def test_leak_check_and_no_leaks_see_networks_and_images(cloud_cli: CLI, admin: Any, tmp_path: Any) -> None:
    image = tmp_path / "disk.raw"
    image.write_bytes(b"\0" * 4096)
    task = tmp_path / "leaky.yaml"
    task.write_text(LEAKY.format(path=image))
    result = cloud_cli("task", "start", str(task), timeout=300)
    assert result.returncode == 2, result.stderr  # the SLA failed
    task_uuid = json.loads(cloud_cli("task", "list", "--json", check=True).stdout)[-1]["uuid"]
    detailed = json.loads(cloud_cli("task", "detailed", task_uuid, "--json", check=True).stdout)
    networks, images = [wl for sub in detailed["subtasks"] for wl in sub["workloads"]]
    assert sorted(r["type"] for r in networks["leaks"]) == ["neutron.network", "neutron.network"]
    assert "glance.image" in {r["type"] for r in images["leaks"]}
    for wl in (networks, images):
        assert {s["criterion"]: s["success"] for s in wl["sla_results"]["sla"]}["no_leaks"] is False
    done = json.loads(cloud_cli("cleanup", "--task", task_uuid, "--yes", "--json", check=True).stdout)
    assert done["platforms"][0]["failed"] == []
    assert not [n for n in admin.network.networks() if naming.belongs_to(n.name, task_uuid)]
    assert not [i for i in admin.image.images() if naming.belongs_to(i.name, task_uuid)]
