"""Rally's network contexts: ``network``, ``router``, ``existing_network``, ``networking_agents``, ``allow_ssh``
and ``quotas``.

Each creates its resources as the tenant's first user (so they belong to the
tenant's project) with context names (kind "context"), records what it made,
and deletes exactly that at clean-up, in reverse; a set-up cut short is
caught by the users context's clean-up by name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from squall import exceptions, naming
from squall.platforms.openstack import clients
from squall.platforms.openstack.credential import admin_of
from squall.platforms.openstack.network import Network
from squall.platforms.openstack.resources import is_not_found
from squall.plugin_api.atomic import ActionsRecorder
from squall.plugin_api.context import Context, configure
from squall.registry import JSON_SCHEMA

S = TypeVar("S")


class TenantContext(Context):
    """Base of contexts that make resources in each tenant, as its first user."""

    def _name(self) -> str:
        return naming.generate(self.context["task"]["uuid"], "context")

    def tenants(self, service: Callable[[Any, ActionsRecorder, Callable[[], str]], S]
                ) -> list[tuple[dict[str, Any], S]]:
        """Each tenant with ``service`` (Neutron, or Glance's ``Image``) as its first user."""
        found = []
        for tenant in (self.context.get("tenants") or {}).values():
            user = tenant["users"][0]
            found.append((tenant, service(clients.connect(user["credential"]), ActionsRecorder(), self._name)))
        if not found:
            raise exceptions.InvalidConfigError(f"the {self.plugin_name} context needs users (the users or "
                                                "existing_users context)")
        return found

    def undo(self, steps: list[Callable[[], None]]) -> None:
        """Run the recorded clean-up steps, last first; a resource already gone counts as deleted."""
        errors = []
        for step in reversed(steps):
            try:
                step()
            except Exception as exc:
                if not is_not_found(exc):
                    errors.append(str(exc))
        if errors:
            raise RuntimeError(f"{self.plugin_name} clean-up: " + "; ".join(errors))


@configure(name="network", order=350, platform="openstack")
class NetworkContext(TenantContext):
    """``networks_per_tenant`` networks with ``subnets_per_network`` subnets each in every tenant, and a router
    (with the external gateway when there is one) for each network, as Rally's ``network`` context."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "object", "additionalProperties": False,
        "properties": {
            "start_cidr": {"type": "string"}, "networks_per_tenant": {"type": "integer", "minimum": 1},
            "subnets_per_network": {"type": "integer", "minimum": 1},
            "network_create_args": {"type": "object"},
            "dns_nameservers": {"type": "array", "items": {"type": "string"}},
            "dualstack": {"type": "boolean"}, "router": {"type": "object"},
        },
    }
    DEFAULT_CONFIG: ClassVar[dict[str, Any]] = {"start_cidr": "10.2.0.0/24", "networks_per_tenant": 1,
                                                "subnets_per_network": 1, "network_create_args": {},
                                                "dns_nameservers": None, "router": {"external": True}}

    def setup(self) -> None:
        self._steps: list[Callable[[], None]] = []
        cfg = self.config
        for tenant, neutron in self.tenants(Network):
            tenant["networks"] = []
            for _ in range(cfg["networks_per_tenant"]):
                tenant["networks"].append(self._network(neutron, cfg))

    def _network(self, neutron: Network, cfg: dict[str, Any]) -> dict[str, Any]:
        network = neutron.create_network(**cfg["network_create_args"])
        self._steps.append(functools.partial(neutron.delete_network, network["id"]))
        router = None
        if cfg.get("router"):  # as in Rally, an empty mapping means no router
            args = {k: v for k, v in cfg["router"].items() if k != "external"}
            router = neutron.create_router(discover_external_gw=bool(cfg["router"].get("external", True)), **args)
            self._steps.append(functools.partial(neutron.delete_router, router["id"]))
        network["subnets"] = []
        for _ in range(cfg["subnets_per_network"]):
            extra = {"dns_nameservers": cfg["dns_nameservers"]} if cfg.get("dns_nameservers") else {}
            subnet = neutron.create_subnet(network["id"], start_cidr=cfg["start_cidr"], **extra)
            self._steps.append(functools.partial(neutron.delete_subnet, subnet["id"]))
            if router is not None:
                neutron.add_interface_to_router(router["id"], subnet_id=subnet["id"])
                self._steps.append(functools.partial(neutron.remove_interface_from_router, router["id"],
                                                     subnet_id=subnet["id"]))
            network["subnets"].append(subnet["id"])
        network["router_id"] = router["id"] if router else None
        return network

    def cleanup(self) -> None:
        self.undo(getattr(self, "_steps", []))


@configure(name="router", order=351, platform="openstack")
class RouterContext(TenantContext):
    """``routers_per_tenant`` routers in every tenant (Rally's ``router`` context); in ``tenant["routers"]``."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "object", "additionalProperties": False,
        "properties": {"routers_per_tenant": {"type": "integer", "minimum": 1},
                       "admin_state_up": {"type": "boolean"}, "external_gateway_info": {"type": "object"},
                       "network_id": {"type": "string"}, "external_fixed_ips": {"type": "array"},
                       "distributed": {"type": "boolean"}, "ha": {"type": "boolean"},
                       "availability_zone_hints": {"type": "boolean"}},
    }
    DEFAULT_CONFIG: ClassVar[dict[str, Any]] = {"routers_per_tenant": 1}

    def setup(self) -> None:
        self._steps: list[Callable[[], None]] = []
        args = {k: v for k, v in self.config.items() if k not in ("routers_per_tenant", "network_id",
                                                                   "external_fixed_ips")}
        if self.config.get("network_id"):
            args["external_gateway_info"] = {"network_id": self.config["network_id"],
                                             **({"external_fixed_ips": self.config["external_fixed_ips"]}
                                                if self.config.get("external_fixed_ips") else {})}
        for tenant, neutron in self.tenants(Network):
            tenant["routers"] = []
            for _ in range(self.config["routers_per_tenant"]):
                router = neutron.create_router(**args)
                self._steps.append(functools.partial(neutron.delete_router, router["id"]))
                tenant["routers"].append(router)

    def cleanup(self) -> None:
        self.undo(getattr(self, "_steps", []))


@configure(name="existing_network", order=349, platform="openstack")
class ExistingNetworkContext(TenantContext):
    """The networks each tenant already has (with their subnets) in ``tenant["networks"]``; creates nothing."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"$schema": JSON_SCHEMA, "type": "object",
                                               "additionalProperties": False}

    def setup(self) -> None:
        for tenant, neutron in self.tenants(Network):
            networks = [n for n in neutron.list_networks() if n.get("project_id", n.get("tenant_id")) == tenant["id"]]
            tenant["networks"] = networks

    def cleanup(self) -> None:
        """Nothing to delete."""


@configure(name="networking_agents", order=349, platform="openstack")
class NetworkingAgentsContext(TenantContext):
    """Neutron's agents, as the admin lists them, in ``context["networking_agents"]``; creates nothing."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"$schema": JSON_SCHEMA, "type": "object",
                                               "additionalProperties": False}

    def setup(self) -> None:
        admin = admin_of(self.context)
        if admin is None:
            raise exceptions.InvalidConfigError("the networking_agents context needs an environment with admin "
                                                "credentials")
        self.context["networking_agents"] = Network(clients.connect(admin), ActionsRecorder(),
                                                    self._name).list_agents()

    def cleanup(self) -> None:
        """Nothing to delete: the agents are the cloud's."""


@configure(name="allow_ssh", order=320, platform="openstack")
class AllowSSHContext(TenantContext):
    """A security group in every tenant letting in SSH (tcp 22) and ping, for IPv4 and IPv6 (Rally's
    ``allow_ssh``); each user gets its name as ``secgroup``."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"$schema": JSON_SCHEMA, "type": "null"}

    RULES = ({"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}, {"protocol": "icmp"})

    def setup(self) -> None:
        self._steps: list[Callable[[], None]] = []
        for tenant, neutron in self.tenants(Network):
            group = neutron.create_security_group(description="Allow ssh access to VMs")
            self._steps.append(functools.partial(neutron.delete_security_group, group["id"]))
            for ethertype, prefix in (("IPv4", "0.0.0.0/0"), ("IPv6", "::/0")):
                for rule in self.RULES:
                    neutron.create_security_group_rule(group["id"], ethertype=ethertype, remote_ip_prefix=prefix,
                                                       **rule)
            for user in tenant["users"]:
                user["secgroup"] = {"id": group["id"], "name": group["name"]}

    def cleanup(self) -> None:
        self.undo(getattr(self, "_steps", []))
