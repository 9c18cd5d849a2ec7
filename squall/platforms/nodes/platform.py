"""``nodes`` platform: the hosts the system under test runs on."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.env.platform import Platform
from squall.platforms.nodes import connection as nodes
from squall.registry import JSON_SCHEMA, configure


@configure(name="nodes")
class NodesPlatform(Platform):
    """A list of nodes ``{id, name, roles, connection: {type: local}}``; the check runs a command on each."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "array", "items": nodes.NODE_SCHEMA, "minItems": 1,
    }

    def check(self) -> dict[str, Any]:
        results = [nodes.check(n) for n in nodes.nodes_of({"nodes": self.spec})]
        down = [f"node {r['id']} ({r['name']}): {r['message']}" for r in results if not r["available"]]
        message = "; ".join(down) if down else f"{len(results)} node(s) reachable"
        return {"available": not down, "message": message, "nodes": results}
