"""What the cloud tests look at: the cloud's network resources and images, and the last task."""

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
