"""Rally's port, floating IP and security group scenarios (``NeutronNetworks.*``, ``NeutronSecurityGroup.*``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from squall.platforms.openstack.neutron_scenarios import CLEANUP, NeutronScenario
from squall.platforms.openstack.scenario import at_least_one
from squall.plugin_api.scenario import configure


class _Ports(NeutronScenario):
    def ports(self, network_create_args: dict[str, Any] | None, port_create_args: dict[str, Any] | None,
              ports_per_network: int) -> Iterator[dict[str, Any]]:
        """Each port as soon as it is made, so the scenario acts on it before making the next (as Rally)."""
        network = self.network_for_iteration(**(network_create_args or {}))
        for _ in range(ports_per_network):
            yield self.neutron.create_port(network["id"], **(port_create_args or {}))


@configure(name="NeutronNetworks.create_and_list_ports", platform="openstack", context=CLEANUP)
class CreateAndListPorts(_Ports):
    """Create ``ports_per_network`` ports on a network, then list all ports."""

    def run(self, network_create_args: dict[str, Any] | None = None, port_create_args: dict[str, Any] | None = None,
            ports_per_network: int = 1) -> None:
        for _ in self.ports(network_create_args, port_create_args, ports_per_network):
            pass
        self.neutron.list_ports()


@configure(name="NeutronNetworks.create_and_show_ports", platform="openstack", context=CLEANUP)
class CreateAndShowPorts(_Ports):
    """Create each port and show it."""

    def run(self, network_create_args: dict[str, Any] | None = None, port_create_args: dict[str, Any] | None = None,
            ports_per_network: int = 1) -> None:
        for port in self.ports(network_create_args, port_create_args, ports_per_network):
            self.neutron.get_port(port["id"])


@configure(name="NeutronNetworks.create_and_update_ports", platform="openstack", context=CLEANUP)
class CreateAndUpdatePorts(_Ports):
    """Create each port and update it with ``port_update_args``."""

    def run(self, port_update_args: dict[str, Any], network_create_args: dict[str, Any] | None = None,
            port_create_args: dict[str, Any] | None = None, ports_per_network: int = 1) -> None:
        for port in self.ports(network_create_args, port_create_args, ports_per_network):
            self.neutron.update_port(port["id"], **port_update_args)


@configure(name="NeutronNetworks.create_and_delete_ports", platform="openstack", context=CLEANUP)
class CreateAndDeletePorts(_Ports):
    """Create each port and delete it."""

    def run(self, network_create_args: dict[str, Any] | None = None, port_create_args: dict[str, Any] | None = None,
            ports_per_network: int = 1) -> None:
        for port in self.ports(network_create_args, port_create_args, ports_per_network):
            self.neutron.delete_port(port["id"])


@configure(name="NeutronNetworks.create_and_list_floating_ips", platform="openstack", context=CLEANUP)
class CreateAndListFloatingIps(NeutronScenario):
    """Allocate a floating IP on ``floating_network`` (default: the first external network), list them."""

    def run(self, floating_network: str | None = None, floating_ip_args: dict[str, Any] | None = None) -> None:
        self.neutron.create_floatingip(floating_network=floating_network, **(floating_ip_args or {}))
        self.neutron.list_floatingips()


@configure(name="NeutronNetworks.create_and_delete_floating_ips", platform="openstack", context=CLEANUP)
class CreateAndDeleteFloatingIps(NeutronScenario):
    """Allocate a floating IP and release it."""

    def run(self, floating_network: str | None = None, floating_ip_args: dict[str, Any] | None = None) -> None:
        fip = self.neutron.create_floatingip(floating_network=floating_network, **(floating_ip_args or {}))
        self.neutron.delete_floatingip(fip["id"])


@configure(name="NeutronNetworks.associate_and_dissociate_floating_ips", platform="openstack", context=CLEANUP)
class AssociateAndDissociateFloatingIps(NeutronScenario):
    """Allocate a floating IP, give a new port a way out (a router with the external gateway and the port's
    subnet as interface), associate the IP with the port, then dissociate it."""

    def run(self, floating_network: str | None = None) -> None:
        neutron = self.neutron
        external = neutron.find_external_network(floating_network)
        fip = neutron.create_floatingip(floating_network=external)
        private = neutron.create_network()
        subnet = neutron.create_subnet(private["id"])
        port = neutron.create_port(private["id"])
        router = neutron.create_router()
        neutron.add_gateway_to_router(router["id"], network_id=external["id"])
        neutron.add_interface_to_router(router["id"], subnet_id=subnet["id"])
        neutron.associate_floatingip(fip["id"], port["id"])
        neutron.dissociate_floatingip(fip["id"])


@configure(name="NeutronNetworks.list_agents", platform="openstack")
class ListAgents(NeutronScenario):
    """List Neutron's agents (``agent_args``: the listing's filters)."""

    def run(self, agent_args: dict[str, Any] | None = None) -> None:
        self.neutron.list_agents(**(agent_args or {}))


# The L2 agents whose hosts Rally binds ports to (its neutron_bind_l2_agent_types), and the device Rally names.
BIND_AGENT_TYPES = ("Open vSwitch agent", "Linux bridge agent")
BOUND_DEVICE = "ba805478-85ff-11e9-a2e4-2b8dea218fc8"


@configure(name="NeutronNetworks.create_and_bind_ports", platform="openstack",
           context={**CLEANUP, "networking_agents@openstack": {}, "network@openstack": {}})
class CreateAndBindPorts(NeutronScenario):
    """In each of the tenant's networks: an IPv4 and an IPv6 subnet, then ``ports_per_network`` ports, each
    bound by the admin to the host of a live L2 agent (the ``networking_agents`` context's)."""

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """``ports_per_network`` is at least 1."""
        return at_least_one(args, "ports_per_network", path)

    def host_to_bind(self) -> str:
        """The host of the last live, enabled agent of a type Rally binds to (Rally's choice)."""
        hosts = [a["host"] for a in self.context.get("networking_agents") or []
                 if a.get("admin_state_up") and a.get("alive") and a.get("agent_type") in BIND_AGENT_TYPES]
        if not hosts:
            raise RuntimeError(f"No live agent of type(s) to bind was found: {', '.join(BIND_AGENT_TYPES)}")
        return str(hosts[-1])

    def run(self, ports_per_network: int = 1) -> None:
        host = self.host_to_bind()
        admin = self.admin_neutron
        for network in (self.context.get("tenant") or {}).get("networks") or []:
            self.neutron.create_subnet(network["id"], ip_version=4)
            self.neutron.create_subnet(network["id"], ip_version=6)
            for _ in range(ports_per_network):
                port = self.neutron.create_port(network["id"])
                admin.update_port(port["id"], device_owner="compute:nova", device_id=BOUND_DEVICE,
                                  **{"binding:host_id": host})


@configure(name="NeutronSubnets.delete_subnets", platform="openstack", context=CLEANUP)
class DeleteSubnets(NeutronScenario):
    """Delete, in each of the tenant's ``network`` context networks, the subnet at this user's position among
    the tenant's users (so that concurrent users hit different subnets)."""

    def run(self) -> None:
        tenant = self.context["tenant"]
        user_ids = [u["id"] for u in tenant["users"]]
        number = user_ids.index(self.context["user"]["id"])
        for network in tenant.get("networks") or []:
            self.neutron.delete_subnet(network["subnets"][number])


@configure(name="NeutronSecurityGroup.create_and_list_security_groups", platform="openstack", context=CLEANUP)
class CreateAndListSecurityGroups(NeutronScenario):
    """Create a security group, then list all."""

    def run(self, security_group_create_args: dict[str, Any] | None = None) -> None:
        self.neutron.create_security_group(**(security_group_create_args or {}))
        self.neutron.list_security_groups()


@configure(name="NeutronSecurityGroup.create_and_show_security_group", platform="openstack", context=CLEANUP)
class CreateAndShowSecurityGroup(NeutronScenario):
    """Create a security group, then show it."""

    def run(self, security_group_create_args: dict[str, Any] | None = None) -> None:
        group = self.neutron.create_security_group(**(security_group_create_args or {}))
        self.neutron.get_security_group(group["id"])


@configure(name="NeutronSecurityGroup.create_and_update_security_groups", platform="openstack", context=CLEANUP)
class CreateAndUpdateSecurityGroups(NeutronScenario):
    """Create a security group, then update it with ``security_group_update_args``."""

    def run(self, security_group_create_args: dict[str, Any] | None = None,
            security_group_update_args: dict[str, Any] | None = None) -> None:
        group = self.neutron.create_security_group(**(security_group_create_args or {}))
        self.neutron.update_security_group(group["id"], **(security_group_update_args or {}))


@configure(name="NeutronSecurityGroup.create_and_delete_security_groups", platform="openstack", context=CLEANUP)
class CreateAndDeleteSecurityGroups(NeutronScenario):
    """Create a security group and delete it."""

    def run(self, security_group_create_args: dict[str, Any] | None = None) -> None:
        group = self.neutron.create_security_group(**(security_group_create_args or {}))
        self.neutron.delete_security_group(group["id"])


@configure(name="NeutronSecurityGroup.create_and_list_security_group_rules", platform="openstack",
           context=CLEANUP)
class CreateAndListSecurityGroupRules(NeutronScenario):
    """Create a security group and ``security_group_rules_count`` rules in it (ports 1, 2...), then list the
    rules (the new ones must be there)."""

    def run(self, security_group_rules_count: int = 1, security_group_args: dict[str, Any] | None = None,
            security_group_rule_args: dict[str, Any] | None = None) -> None:
        group = self.neutron.create_security_group(**(security_group_args or {}))
        made = [self.neutron.create_security_group_rule(
                    group["id"], **{**(security_group_rule_args or {}), "port_range_min": port,
                                    "port_range_max": port})["id"]
                for port in range(1, security_group_rules_count + 1)]
        listed = {r["id"] for r in self.neutron.list_security_group_rules()}
        missing = [rule for rule in made if rule not in listed]
        if missing:
            raise AssertionError(f"security group rules {', '.join(missing)} are not in the list of rules")


@configure(name="NeutronSecurityGroup.create_and_show_security_group_rule", platform="openstack",
           context=CLEANUP)
class CreateAndShowSecurityGroupRule(NeutronScenario):
    """Create a security group and a rule, then show the rule."""

    def run(self, security_group_args: dict[str, Any] | None = None,
            security_group_rule_args: dict[str, Any] | None = None) -> None:
        group = self.neutron.create_security_group(**(security_group_args or {}))
        rule = self.neutron.create_security_group_rule(group["id"], **(security_group_rule_args or {}))
        self.neutron.get_security_group_rule(rule["id"])


@configure(name="NeutronSecurityGroup.create_and_delete_security_group_rule", platform="openstack",
           context=CLEANUP)
class CreateAndDeleteSecurityGroupRule(NeutronScenario):
    """Create a security group and a rule, then delete the rule."""

    def run(self, security_group_args: dict[str, Any] | None = None,
            security_group_rule_args: dict[str, Any] | None = None) -> None:
        group = self.neutron.create_security_group(**(security_group_args or {}))
        rule = self.neutron.create_security_group_rule(group["id"], **(security_group_rule_args or {}))
        self.neutron.delete_security_group_rule(rule["id"])
