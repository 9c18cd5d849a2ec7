"""What the cloud tests look at: the cloud's resources (network, image, compute, volume), and the last task."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import CLI


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
