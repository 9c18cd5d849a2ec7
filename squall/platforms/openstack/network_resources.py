"""Resource managers of Neutron and Glance, deleted before the Keystone users and projects that own them.

Order (lower goes first): floating IPs, routers (their interfaces removed and
gateway cleared first), trunks (after the servers on their parent ports: a
bound trunk cannot go), ports, subnets, networks, security groups, images.
Neutron has no name-prefix filter, so a listing is filtered here. Ports made
as a side effect (router interfaces, ports on squall's networks) and floating
IPs have no name of squall's: :func:`owned_by` finds them through their owner.
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack.resources import Resource, ResourceManager, is_not_found, resource_manager

ROUTER_INTERFACE_OWNERS = ("network:router_interface", "network:router_interface_distributed",
                           "network:ha_router_replicated_interface")


class NeutronManager(ResourceManager):
    """A Neutron collection: listed whole (paged by Neutron when it must), filtered by name here."""

    adapter: ClassVar[str] = "network"
    service_type: ClassVar[str] = "network"
    service: ClassVar[str] = "neutron"

    def _project_of(self, raw: dict[str, Any]) -> str | None:
        return raw.get("project_id") or raw.get("tenant_id")

    def raw_list(self) -> list[dict[str, Any]]:
        """Every item of the collection, following Neutron's pagination links."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] | None = None
        while True:
            body = self.api.get(self.path, params=params).json()
            page = body.get(self.collection, [])
            items.extend(page)
            nxt = [link for link in body.get(f"{self.collection}_links", []) if link.get("rel") == "next"]
            if not nxt or not page:
                return items
            params = {"marker": page[-1]["id"]}

    def list(self, name_prefix: str | None = None) -> list[Resource]:
        """Every resource (whose name starts with ``name_prefix``, when given)."""
        found = [self.as_resource(raw) for raw in self.raw_list()]
        return [r for r in found if not name_prefix or r["name"].startswith(name_prefix)]


@resource_manager("neutron", "floatingip", order=10)
class NeutronFloatingIP(NeutronManager):
    """Floating IPs; their description carries the squall name (they have no name)."""

    path = "/floatingips"
    collection = "floatingips"

    def name(self, raw: dict[str, Any]) -> str:
        return str(raw.get("description") or "")


@resource_manager("neutron", "router", order=20)
class NeutronRouter(NeutronManager):
    """Routers: interfaces removed and the gateway cleared before the router is deleted."""

    path = "/routers"
    collection = "routers"

    def delete(self, resource_id: str) -> None:
        try:
            ports = self.api.get("/ports", params={"device_id": resource_id}).json()["ports"]
            for port in ports:
                if port.get("device_owner") in ROUTER_INTERFACE_OWNERS:
                    self.api.put(f"/routers/{resource_id}/remove_router_interface", json={"port_id": port["id"]})
            self.api.put(f"/routers/{resource_id}", json={"router": {"external_gateway_info": {}}})
        except Exception as exc:
            if is_not_found(exc):
                return
            raise
        super().delete(resource_id)


@resource_manager("neutron", "trunk", order=25)
class NeutronTrunk(NeutronManager):
    """Trunks (their subports go with them); a Neutron without the trunk extension has none."""

    path = "/trunks"
    collection = "trunks"

    def raw_list(self) -> list[dict[str, Any]]:
        try:
            return super().raw_list()
        except Exception as exc:
            if is_not_found(exc):
                return []
            raise


@resource_manager("neutron", "port", order=30)
class NeutronPort(NeutronManager):
    """Ports (router interfaces go with their router)."""

    path = "/ports"
    collection = "ports"


@resource_manager("neutron", "subnet", order=40)
class NeutronSubnet(NeutronManager):
    """Subnets."""

    path = "/subnets"
    collection = "subnets"


@resource_manager("neutron", "network", order=50)
class NeutronNetwork(NeutronManager):
    """Networks, after their ports and subnets."""

    path = "/networks"
    collection = "networks"


@resource_manager("neutron", "security_group", order=60)
class NeutronSecurityGroup(NeutronManager):
    """Security groups (their rules go with them)."""

    path = "/security-groups"
    collection = "security_groups"


@resource_manager("glance", "image", order=70)
class GlanceImage(ResourceManager):
    """Glance v2 images (``/v2/images``, paged by ``next``)."""

    adapter: ClassVar[str] = "image"
    service_type: ClassVar[str] = "image"
    path = "/images"
    collection = "images"

    def _project_of(self, raw: dict[str, Any]) -> str | None:
        return raw.get("owner")

    def list(self, name_prefix: str | None = None) -> list[Resource]:
        found: list[Resource] = []
        url: str | None = self.path
        params: dict[str, Any] | None = {"limit": 1000}
        while url:
            body = self.api.get(url, params=params).json()
            found.extend(self.as_resource(raw) for raw in body.get("images", []))
            nxt = body.get("next")
            url, params = (nxt.removeprefix("/v2"), None) if nxt else (None, None)
        return [r for r in found if not name_prefix or r["name"].startswith(name_prefix)]


def owned_by(conn: Any, found: list[Resource]) -> list[Resource]:
    """Resources without a squall name whose owner is in ``found``: ports on a found network or of a found
    router, floating IPs on such a port or a found network, and the ``default`` security group Neutron made
    for a found project."""
    networks = {r["id"] for r in found if r["type"] == "neutron.network"}
    routers = {r["id"] for r in found if r["type"] == "neutron.router"}
    projects = {r["id"] for r in found if r["type"] == "keystone.project"}
    if not (networks or routers or projects) or not NeutronPort(conn).available():
        return []
    known = {(r["type"], r["id"]) for r in found}
    extra: list[Resource] = []
    if networks or routers:
        port_manager, fip_manager = NeutronPort(conn), NeutronFloatingIP(conn)
        extra += [port_manager.as_resource(raw) for raw in port_manager.raw_list()
                  if raw.get("network_id") in networks or raw.get("device_id") in routers]
        ports = {r["id"] for r in extra} | {r["id"] for r in found if r["type"] == "neutron.port"}
        extra += [fip_manager.as_resource(raw) for raw in fip_manager.raw_list()
                  if raw.get("port_id") in ports or raw.get("floating_network_id") in networks]
    if projects:
        extra += default_security_groups(conn, projects)
    return [r for r in extra if (r["type"], r["id"]) not in known]


def default_security_groups(conn: Any, project_ids: set[str]) -> list[Resource]:
    """The ``default`` security group Neutron made for each of these projects (it outlives a deleted project)."""
    groups = NeutronSecurityGroup(conn)
    return [groups.as_resource(raw) for raw in groups.raw_list()
            if raw.get("name") == "default" and groups._project_of(raw) in project_ids]


def delete_default_security_groups(conn: Any, project_ids: list[str]) -> list[str]:
    """Delete the projects' ``default`` security groups; returns the errors. Nothing to do without Neutron."""
    manager = NeutronSecurityGroup(conn)
    if not project_ids or not manager.available():
        return []
    errors = []
    for group in default_security_groups(conn, set(project_ids)):
        try:
            manager.delete(group["id"])
        except Exception as exc:
            errors.append(f"neutron.security_group {group['id']}: {exc}")
    return errors
