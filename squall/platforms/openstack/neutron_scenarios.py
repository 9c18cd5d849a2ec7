"""``NeutronNetworks.*`` and ``NeutronSecurityGroup.*``: Rally's network scenarios, names, arguments, atomics.

They run as the iteration's user (the admin when the workload has no users);
the default ``cleanup@openstack`` context deletes what they left, by name and
by owner (router interfaces, ports on their networks), when the workload ends.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from squall.platforms.openstack.network import Network
from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugin_api.scenario import configure

CLEANUP = {"cleanup@openstack": ["neutron"]}
NAMED = ("name",)


class NeutronScenario(OpenStackScenario):
    """Base of the Neutron scenarios: ``neutron`` as the iteration's user (or the admin without users)."""

    RESTRICTED: ClassVar[dict[str, tuple[str, ...]]] = {
        key: NAMED for key in ("network_create_args", "network_update_args", "subnet_create_args",
                               "subnet_update_args", "router_create_args", "router_update_args",
                               "port_create_args", "port_update_args", "security_group_create_args",
                               "security_group_update_args", "security_group_args")}

    @property
    def admin_neutron(self) -> Network:
        """Neutron as the environment's admin."""
        return Network(self.admin_clients(), self, self.generate_random_name)

    def network_for_iteration(self, **network_create_args: Any) -> dict[str, Any]:
        """A network of the ``network`` context's tenant when there is one and no arguments ask for a new one
        (Rally's ``_get_or_create_network``), else a new network."""
        networks = (self.context.get("tenant") or {}).get("networks")
        if networks and not network_create_args:
            return dict(random.choice(networks))
        return self.neutron.create_network(**network_create_args)


def _subnet_args(subnet_create_args: dict[str, Any] | None, subnet_cidr_start: str | None) -> dict[str, Any]:
    args = dict(subnet_create_args or {})
    args["start_cidr"] = subnet_cidr_start
    return args


@configure(name="NeutronNetworks.create_and_list_networks", platform="openstack", context=CLEANUP)
class CreateAndListNetworks(NeutronScenario):
    """Create a network, then list all networks."""

    def run(self, network_create_args: dict[str, Any] | None = None) -> None:
        self.neutron.create_network(**(network_create_args or {}))
        self.neutron.list_networks()


@configure(name="NeutronNetworks.create_and_show_network", platform="openstack", context=CLEANUP)
class CreateAndShowNetwork(NeutronScenario):
    """Create a network, then show it."""

    def run(self, network_create_args: dict[str, Any] | None = None) -> None:
        network = self.neutron.create_network(**(network_create_args or {}))
        self.neutron.get_network(network["id"])


@configure(name="NeutronNetworks.create_and_update_networks", platform="openstack", context=CLEANUP)
class CreateAndUpdateNetworks(NeutronScenario):
    """Create a network, then update it with ``network_update_args``."""

    def run(self, network_update_args: dict[str, Any], network_create_args: dict[str, Any] | None = None) -> None:
        network = self.neutron.create_network(**(network_create_args or {}))
        self.neutron.update_network(network["id"], **network_update_args)


@configure(name="NeutronNetworks.create_and_delete_networks", platform="openstack", context=CLEANUP)
class CreateAndDeleteNetworks(NeutronScenario):
    """Create a network and delete it."""

    def run(self, network_create_args: dict[str, Any] | None = None) -> None:
        network = self.neutron.create_network(**(network_create_args or {}))
        self.neutron.delete_network(network["id"])


class _Subnets(NeutronScenario):
    def subnets(self, network_create_args: dict[str, Any] | None, subnet_create_args: dict[str, Any] | None,
                subnet_cidr_start: str | None, subnets_per_network: int) -> list[dict[str, Any]]:
        network = self.network_for_iteration(**(network_create_args or {}))
        args = _subnet_args(subnet_create_args, subnet_cidr_start)
        return [self.neutron.create_subnet(network["id"], **args) for _ in range(subnets_per_network)]


@configure(name="NeutronNetworks.create_and_list_subnets", platform="openstack", context=CLEANUP)
class CreateAndListSubnets(_Subnets):
    """Create a network and ``subnets_per_network`` subnets, then list all subnets."""

    def run(self, network_create_args: dict[str, Any] | None = None, subnet_create_args: dict[str, Any] | None = None,
            subnet_cidr_start: str | None = None, subnets_per_network: int = 1) -> None:
        self.subnets(network_create_args, subnet_create_args, subnet_cidr_start, subnets_per_network)
        self.neutron.list_subnets()


@configure(name="NeutronNetworks.create_and_show_subnets", platform="openstack", context=CLEANUP)
class CreateAndShowSubnets(_Subnets):
    """Create subnets and show each."""

    def run(self, network_create_args: dict[str, Any] | None = None, subnet_create_args: dict[str, Any] | None = None,
            subnet_cidr_start: str | None = None, subnets_per_network: int = 1) -> None:
        for subnet in self.subnets(network_create_args, subnet_create_args, subnet_cidr_start, subnets_per_network):
            self.neutron.get_subnet(subnet["id"])


@configure(name="NeutronNetworks.create_and_update_subnets", platform="openstack", context=CLEANUP)
class CreateAndUpdateSubnets(_Subnets):
    """Create subnets and update each with ``subnet_update_args``."""

    def run(self, subnet_update_args: dict[str, Any], network_create_args: dict[str, Any] | None = None,
            subnet_create_args: dict[str, Any] | None = None, subnet_cidr_start: str | None = None,
            subnets_per_network: int = 1) -> None:
        for subnet in self.subnets(network_create_args, subnet_create_args, subnet_cidr_start, subnets_per_network):
            self.neutron.update_subnet(subnet["id"], **subnet_update_args)


@configure(name="NeutronNetworks.create_and_delete_subnets", platform="openstack", context=CLEANUP)
class CreateAndDeleteSubnets(_Subnets):
    """Create subnets and delete them."""

    def run(self, network_create_args: dict[str, Any] | None = None, subnet_create_args: dict[str, Any] | None = None,
            subnet_cidr_start: str | None = None, subnets_per_network: int = 1) -> None:
        for subnet in self.subnets(network_create_args, subnet_create_args, subnet_cidr_start, subnets_per_network):
            self.neutron.delete_subnet(subnet["id"])


class _Routers(NeutronScenario):
    def topology(self, network_create_args: dict[str, Any] | None, subnet_create_args: dict[str, Any] | None,
                 subnet_cidr_start: str | None, subnets_per_network: int,
                 router_create_args: dict[str, Any] | None) -> dict[str, Any]:
        return self.neutron.create_network_topology(
            network_create_args=network_create_args or {}, router_create_args=router_create_args or {},
            router_per_subnet=True, subnet_create_args=_subnet_args(subnet_create_args, subnet_cidr_start),
            subnets_count=subnets_per_network)


@configure(name="NeutronNetworks.create_and_list_routers", platform="openstack", context=CLEANUP)
class CreateAndListRouters(_Routers):
    """Create a network, subnets and a router per subnet (each subnet an interface), then list routers."""

    def run(self, network_create_args: dict[str, Any] | None = None, subnet_create_args: dict[str, Any] | None = None,
            subnet_cidr_start: str | None = None, subnets_per_network: int = 1,
            router_create_args: dict[str, Any] | None = None) -> None:
        self.topology(network_create_args, subnet_create_args, subnet_cidr_start, subnets_per_network,
                      router_create_args)
        self.neutron.list_routers()


@configure(name="NeutronNetworks.create_and_show_routers", platform="openstack", context=CLEANUP)
class CreateAndShowRouters(_Routers):
    """Create the topology, then show each router."""

    def run(self, network_create_args: dict[str, Any] | None = None, subnet_create_args: dict[str, Any] | None = None,
            subnet_cidr_start: str | None = None, subnets_per_network: int = 1,
            router_create_args: dict[str, Any] | None = None) -> None:
        topo = self.topology(network_create_args, subnet_create_args, subnet_cidr_start, subnets_per_network,
                             router_create_args)
        for router in topo["routers"]:
            self.neutron.get_router(router["id"])


@configure(name="NeutronNetworks.create_and_update_routers", platform="openstack", context=CLEANUP)
class CreateAndUpdateRouters(_Routers):
    """Create the topology, then update each router with ``router_update_args``."""

    def run(self, router_update_args: dict[str, Any], network_create_args: dict[str, Any] | None = None,
            subnet_create_args: dict[str, Any] | None = None, subnet_cidr_start: str | None = None,
            subnets_per_network: int = 1, router_create_args: dict[str, Any] | None = None) -> None:
        topo = self.topology(network_create_args, subnet_create_args, subnet_cidr_start, subnets_per_network,
                             router_create_args)
        for router in topo["routers"]:
            self.neutron.update_router(router["id"], **router_update_args)


@configure(name="NeutronNetworks.create_and_delete_routers", platform="openstack", context=CLEANUP)
class CreateAndDeleteRouters(_Routers):
    """Create the topology, then remove each router's interface and delete the router."""

    def run(self, network_create_args: dict[str, Any] | None = None, subnet_create_args: dict[str, Any] | None = None,
            subnet_cidr_start: str | None = None, subnets_per_network: int = 1,
            router_create_args: dict[str, Any] | None = None) -> None:
        topo = self.topology(network_create_args, subnet_create_args, subnet_cidr_start, subnets_per_network,
                             router_create_args)
        for router, subnet in zip(topo["routers"], topo["subnets"], strict=True):
            self.neutron.remove_interface_from_router(router["id"], subnet_id=subnet["id"])
            self.neutron.delete_router(router["id"])


@configure(name="NeutronNetworks.set_and_clear_router_gateway", platform="openstack", context=CLEANUP)
class SetAndClearRouterGateway(NeutronScenario):
    """Create an (external) network and a router, set the network as the router's gateway, clear it."""

    def run(self, enable_snat: bool = True, network_create_args: dict[str, Any] | None = None,
            router_create_args: dict[str, Any] | None = None) -> None:
        external = self.neutron.create_network(**(network_create_args or {}))
        router = self.neutron.create_router(**(router_create_args or {}))
        self.neutron.add_gateway_to_router(router["id"], external["id"], enable_snat=enable_snat)
        self.neutron.remove_gateway_from_router(router["id"])
