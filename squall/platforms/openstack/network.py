"""Neutron v2.0 calls timed as Rally's atomic actions (``neutron.create_network`` ...).

One method is one HTTP request, with Rally's argument names; every resource
that has a name gets a squall name (``name`` is a restricted argument, as in
Rally) and a floating IP gets one as its description, so cleanup finds them.
"""

from __future__ import annotations

import ipaddress
import itertools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from squall import exceptions
from squall.platforms.openstack import clients
from squall.plugin_api.atomic import ActionTimer, AtomicActionsHolder

if TYPE_CHECKING:
    from openstack.connection import Connection

IPV4_START = "10.2.0.0/24"
IPV6_START = "dead:beaf::/64"
DNS_NAMESERVERS = {4: ["8.8.8.8", "8.8.4.4"], 6: ["dead:beaf::1", "dead:beaf::2"]}
_CIDRS = itertools.count()
CIDR_ATTEMPTS = 32
_CIDR_LOCK = threading.Lock()


def generate_cidr(ip_version: int | None = None, start_cidr: str | None = None) -> tuple[int, str]:
    """The next CIDR after ``start_cidr`` in this process (Rally's ``generate_cidr``): unique per process."""
    start = ipaddress.ip_network(start_cidr or (IPV6_START if ip_version == 6 else IPV4_START), strict=False)
    with _CIDR_LOCK:
        step = next(_CIDRS) + 1
    network = ipaddress.ip_network((int(start.network_address) + step * start.num_addresses, start.prefixlen))
    return network.version, str(network)


def _clean(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class Network:
    """Neutron for one connection; each method times itself under ``holder``."""

    def __init__(self, conn: Connection, holder: AtomicActionsHolder, name_generator: Callable[[], str]) -> None:
        self.conn = conn
        self.holder = holder
        self.new_name = name_generator

    def _call(self, action: str, method: str, path: str, body: dict[str, Any] | None = None,
              params: dict[str, Any] | None = None) -> Any:
        with ActionTimer(self.holder, f"neutron.{action}"):
            return self._request(method, path, body, params)

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                params: dict[str, Any] | None = None) -> Any:
        """One Neutron call, untimed (the caller times it); the JSON answer."""
        return self._request(method, path, body, params)

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None) -> Any:
        resp = clients.api(self.conn, "network").request(path, method, json=body, params=params)
        return resp.json() if resp.content else None

    # -- networks ------------------------------------------------------------
    def create_network(self, **kwargs: Any) -> dict[str, Any]:
        """POST /networks with Rally's arguments (``router_external`` is ``router:external``)."""
        body = dict(kwargs)
        for ours, theirs in (("router_external", "router:external"),
                             ("provider_network_type", "provider:network_type"),
                             ("provider_physical_network", "provider:physical_network"),
                             ("provider_segmentation_id", "provider:segmentation_id")):
            if ours in body:
                body[theirs] = body.pop(ours)
        body["name"] = self.new_name()
        return self._call("create_network", "POST", "/networks", {"network": body})["network"]  # type: ignore

    def get_network(self, network_id: str) -> dict[str, Any]:
        """GET /networks/ID."""
        return self._call("show_network", "GET", f"/networks/{network_id}")["network"]  # type: ignore

    def update_network(self, network_id: str, **fields: Any) -> dict[str, Any]:
        """PUT /networks/ID (a new squall name when ``name`` is asked for)."""
        if "name" in fields:
            fields["name"] = self.new_name()
        return self._call("update_network", "PUT", f"/networks/{network_id}", {"network": fields})["network"]  # type: ignore

    def delete_network(self, network_id: str) -> None:
        """DELETE /networks/ID."""
        self._call("delete_network", "DELETE", f"/networks/{network_id}")

    def list_networks(self, **filters: Any) -> list[dict[str, Any]]:
        """GET /networks (``router_external`` filters on ``router:external``)."""
        if "router_external" in filters:
            filters["router:external"] = filters.pop("router_external")
        return self._call("list_networks", "GET", "/networks", params=filters or None)["networks"]  # type: ignore

    # -- subnets -------------------------------------------------------------
    def create_subnet(self, network_id: str, router_id: str | None = None, start_cidr: str | None = None,
                      **kwargs: Any) -> dict[str, Any]:
        """POST /subnets; a CIDR is generated from ``start_cidr`` unless given; ``router_id`` adds the subnet
        to that router."""
        body = _clean(**kwargs)
        generated = "cidr" not in body
        if generated:
            body["ip_version"], body["cidr"] = generate_cidr(body.get("ip_version"), start_cidr)
        body.setdefault("ip_version", ipaddress.ip_network(body["cidr"], strict=False).version)
        body.setdefault("dns_nameservers", DNS_NAMESERVERS[body["ip_version"]])  # Rally's defaults
        body.update(network_id=network_id, name=self.new_name())
        with ActionTimer(self.holder, "neutron.create_subnet"):  # the interface is timed inside, as Rally's
            for attempt in range(CIDR_ATTEMPTS):
                try:
                    subnet: dict[str, Any] = self._request("POST", "/subnets", {"subnet": body})["subnet"]
                    break
                except Exception as exc:
                    # Each worker process counts CIDRs from the same start: on a shared network another
                    # process may have taken this one. A generated CIDR moves on to the next.
                    if not generated or "overlaps" not in str(exc) or attempt == CIDR_ATTEMPTS - 1:
                        raise
                    body["cidr"] = generate_cidr(body["ip_version"], start_cidr)[1]
            if router_id:
                self.add_interface_to_router(router_id, subnet_id=subnet["id"])
        return subnet

    def get_subnet(self, subnet_id: str) -> dict[str, Any]:
        """GET /subnets/ID."""
        return self._call("show_subnet", "GET", f"/subnets/{subnet_id}")["subnet"]  # type: ignore

    def update_subnet(self, subnet_id: str, **fields: Any) -> dict[str, Any]:
        """PUT /subnets/ID."""
        if "name" in fields:
            fields["name"] = self.new_name()
        return self._call("update_subnet", "PUT", f"/subnets/{subnet_id}", {"subnet": fields})["subnet"]  # type: ignore

    def delete_subnet(self, subnet_id: str) -> None:
        """DELETE /subnets/ID."""
        self._call("delete_subnet", "DELETE", f"/subnets/{subnet_id}")

    def list_subnets(self, **filters: Any) -> list[dict[str, Any]]:
        """GET /subnets."""
        return self._call("list_subnets", "GET", "/subnets", params=filters or None)["subnets"]  # type: ignore

    # -- routers -------------------------------------------------------------
    def create_router(self, discover_external_gw: bool = False, **kwargs: Any) -> dict[str, Any]:
        """POST /routers; ``discover_external_gw`` takes the first external network as the gateway."""
        body = _clean(**kwargs)
        if discover_external_gw and "external_gateway_info" not in body:
            external = self.list_networks(router_external=True)
            if external:
                body["external_gateway_info"] = {"network_id": external[0]["id"]}
        body["name"] = self.new_name()
        return self._call("create_router", "POST", "/routers", {"router": body})["router"]  # type: ignore

    def get_router(self, router_id: str) -> dict[str, Any]:
        """GET /routers/ID."""
        return self._call("show_router", "GET", f"/routers/{router_id}")["router"]  # type: ignore

    def update_router(self, router_id: str, **fields: Any) -> dict[str, Any]:
        """PUT /routers/ID."""
        if "name" in fields:
            fields["name"] = self.new_name()
        return self._call("update_router", "PUT", f"/routers/{router_id}", {"router": fields})["router"]  # type: ignore

    def delete_router(self, router_id: str) -> None:
        """DELETE /routers/ID."""
        self._call("delete_router", "DELETE", f"/routers/{router_id}")

    def list_routers(self, **filters: Any) -> list[dict[str, Any]]:
        """GET /routers."""
        return self._call("list_routers", "GET", "/routers", params=filters or None)["routers"]  # type: ignore

    def add_interface_to_router(self, router_id: str, subnet_id: str | None = None,
                                port_id: str | None = None) -> dict[str, Any]:
        """PUT /routers/ID/add_router_interface (one of subnet_id or port_id)."""
        if bool(subnet_id) == bool(port_id):
            raise exceptions.InvalidArgumentsError("give one of subnet_id or port_id to add a router interface")
        return self._call("add_interface_router", "PUT", f"/routers/{router_id}/add_router_interface",  # type: ignore
                          _clean(subnet_id=subnet_id, port_id=port_id))

    def remove_interface_from_router(self, router_id: str, subnet_id: str | None = None,
                                     port_id: str | None = None) -> None:
        """PUT /routers/ID/remove_router_interface."""
        self._call("remove_interface_router", "PUT", f"/routers/{router_id}/remove_router_interface",
                   _clean(subnet_id=subnet_id, port_id=port_id))

    def add_gateway_to_router(self, router_id: str, network_id: str, enable_snat: bool | None = None) -> None:
        """The router's external gateway (PUT /routers/ID)."""
        info = _clean(network_id=network_id, enable_snat=enable_snat)
        self._call("add_gateway_router", "PUT", f"/routers/{router_id}",
                   {"router": {"external_gateway_info": info}})

    def remove_gateway_from_router(self, router_id: str) -> None:
        """Clear the router's external gateway."""
        self._call("remove_gateway_router", "PUT", f"/routers/{router_id}", {"router": {"external_gateway_info": {}}})

    def create_network_topology(self, network_create_args: dict[str, Any] | None = None,
                                router_create_args: dict[str, Any] | None = None, router_per_subnet: bool = False,
                                subnet_create_args: dict[str, Any] | None = None,
                                subnets_count: int = 1) -> dict[str, Any]:
        """A network, ``subnets_count`` subnets and (when ``router_create_args`` is given) a router per subnet
        or one for all, each subnet an interface of its router (Rally's helper)."""
        network = self.create_network(**(network_create_args or {}))
        routers = [self.create_router(**router_create_args)
                   for _ in range(subnets_count if router_per_subnet else 1)] if router_create_args is not None else []
        subnets = []
        for i in range(subnets_count):
            router_id = (routers[i] if router_per_subnet else routers[0])["id"] if routers else None
            subnets.append(self.create_subnet(network["id"], router_id=router_id, **(subnet_create_args or {})))
        network["subnets"] = [s["id"] for s in subnets]
        return {"network": network, "subnets": subnets, "routers": routers}

    # -- ports ---------------------------------------------------------------
    def create_port(self, network_id: str, **kwargs: Any) -> dict[str, Any]:
        """POST /ports."""
        body = {**_clean(**kwargs), "network_id": network_id, "name": self.new_name()}
        return self._call("create_port", "POST", "/ports", {"port": body})["port"]  # type: ignore

    def get_port(self, port_id: str) -> dict[str, Any]:
        """GET /ports/ID."""
        return self._call("show_port", "GET", f"/ports/{port_id}")["port"]  # type: ignore

    def update_port(self, port_id: str, **fields: Any) -> dict[str, Any]:
        """PUT /ports/ID."""
        if "name" in fields:
            fields["name"] = self.new_name()
        return self._call("update_port", "PUT", f"/ports/{port_id}", {"port": fields})["port"]  # type: ignore

    def delete_port(self, port_id: str) -> None:
        """DELETE /ports/ID."""
        self._call("delete_port", "DELETE", f"/ports/{port_id}")

    def list_ports(self, **filters: Any) -> list[dict[str, Any]]:
        """GET /ports."""
        return self._call("list_ports", "GET", "/ports", params=filters or None)["ports"]  # type: ignore

    # -- security groups -----------------------------------------------------
    def create_security_group(self, **kwargs: Any) -> dict[str, Any]:
        """POST /security-groups."""
        body = {**_clean(**kwargs), "name": self.new_name()}
        return self._call("create_security_group", "POST", "/security-groups",  # type: ignore
                          {"security_group": body})["security_group"]

    def get_security_group(self, group_id: str) -> dict[str, Any]:
        """GET /security-groups/ID."""
        return self._call("show_security_group", "GET", f"/security-groups/{group_id}")["security_group"]  # type: ignore

    def update_security_group(self, group_id: str, **fields: Any) -> dict[str, Any]:
        """PUT /security-groups/ID."""
        if "name" in fields:
            fields["name"] = self.new_name()
        return self._call("update_security_group", "PUT", f"/security-groups/{group_id}",  # type: ignore
                          {"security_group": fields})["security_group"]

    def delete_security_group(self, group_id: str) -> None:
        """DELETE /security-groups/ID."""
        self._call("delete_security_group", "DELETE", f"/security-groups/{group_id}")

    def list_security_groups(self, **filters: Any) -> list[dict[str, Any]]:
        """GET /security-groups."""
        return self._call("list_security_groups", "GET", "/security-groups",  # type: ignore
                          params=filters or None)["security_groups"]

    def create_security_group_rule(self, security_group_id: str, direction: str = "ingress",
                                   protocol: str | None = "tcp", **kwargs: Any) -> dict[str, Any]:
        """POST /security-group-rules (Rally's defaults: ingress, tcp)."""
        body = {**_clean(protocol=protocol, **kwargs), "security_group_id": security_group_id,
                "direction": direction}
        return self._call("create_security_group_rule", "POST", "/security-group-rules",  # type: ignore
                          {"security_group_rule": body})["security_group_rule"]

    def get_security_group_rule(self, rule_id: str) -> dict[str, Any]:
        """GET /security-group-rules/ID."""
        return self._call("show_security_group_rule", "GET",  # type: ignore
                          f"/security-group-rules/{rule_id}")["security_group_rule"]

    def delete_security_group_rule(self, rule_id: str) -> None:
        """DELETE /security-group-rules/ID."""
        self._call("delete_security_group_rule", "DELETE", f"/security-group-rules/{rule_id}")

    def list_security_group_rules(self, **filters: Any) -> list[dict[str, Any]]:
        """GET /security-group-rules."""
        return self._call("list_security_group_rules", "GET", "/security-group-rules",  # type: ignore
                          params=filters or None)["security_group_rules"]

    # -- floating IPs --------------------------------------------------------
    def external_network_id(self, floating_network: str | dict[str, Any] | None) -> str:
        """The external network named (by name or id), or the first one."""
        if isinstance(floating_network, dict):
            return str(floating_network["id"])
        external = self.list_networks(router_external=True)
        for net in external:
            if floating_network in (None, net["id"], net["name"]):
                return str(net["id"])
        wanted = f"'{floating_network}'" if floating_network else "any"
        raise exceptions.InvalidArgumentsError(f"no external network {wanted} to allocate a floating IP from")

    def create_floatingip(self, floating_network: str | dict[str, Any] | None = None,
                          **kwargs: Any) -> dict[str, Any]:
        """POST /floatingips on an external network; its description is a squall name."""
        with ActionTimer(self.holder, "neutron.create_floating_ip"):  # the network lookup inside, as Rally's
            body = {**_clean(**kwargs), "floating_network_id": self.external_network_id(floating_network),
                    "description": self.new_name()}
            if "project_id" in body:
                body["tenant_id"] = body.pop("project_id")
            return self._request("POST", "/floatingips", {"floatingip": body})["floatingip"]  # type: ignore

    def associate_floatingip(self, floatingip_id: str, port_id: str, fixed_ip_address: str | None = None) -> None:
        """Point a floating IP at a port."""
        self._call("associate_floating_ip", "PUT", f"/floatingips/{floatingip_id}",
                   {"floatingip": _clean(port_id=port_id, fixed_ip_address=fixed_ip_address)})

    def update_floatingip(self, floatingip_id: str, **fields: Any) -> dict[str, Any]:
        """PUT /floatingips/ID (``port_id`` None detaches it)."""
        return self._call("update_floating_ip", "PUT", f"/floatingips/{floatingip_id}",  # type: ignore
                          {"floatingip": fields})["floatingip"]

    def dissociate_floatingip(self, floatingip_id: str) -> None:
        """Detach a floating IP from its port."""
        self._call("dissociate_floating_ip", "PUT", f"/floatingips/{floatingip_id}", {"floatingip": {"port_id": None}})

    def delete_floatingip(self, floatingip_id: str) -> None:
        """DELETE /floatingips/ID."""
        self._call("delete_floating_ip", "DELETE", f"/floatingips/{floatingip_id}")

    def find_external_network(self, floating_network: str | None) -> dict[str, Any]:
        """The external network named (by name or id), or the first one, from one listing of every network
        (Rally's ``find_network``, timed as ``neutron.list_networks``)."""
        for net in self.list_networks():
            if net.get("router:external") and floating_network in (None, net["id"], net["name"]):
                return net
        wanted = f"'{floating_network}'" if floating_network else "any"
        raise exceptions.InvalidArgumentsError(f"no external network {wanted}")

    def list_agents(self, **filters: Any) -> list[dict[str, Any]]:
        """GET /agents (admin only on most clouds)."""
        return self._call("list_agents", "GET", "/agents", params=filters or None)["agents"]  # type: ignore

    def list_floatingips(self, **filters: Any) -> list[dict[str, Any]]:
        """GET /floatingips."""
        return self._call("list_floating_ips", "GET", "/floatingips", params=filters or None)["floatingips"]  # type: ignore
