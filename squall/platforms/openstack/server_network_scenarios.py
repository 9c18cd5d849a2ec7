"""``NovaServers.*`` that touch Neutron: floating IPs on a server, an interface attached, with Rally's names,
arguments and atomic actions.

A floating IP counts as associated (or dissociated) when Nova shows it among
the server's addresses (or no longer), as Rally waits: Nova learns it from
Neutron's notification, so the time includes that path.
"""

from __future__ import annotations

import random
from typing import Any

from squall.platforms.openstack.nova_scenario import NovaScenario
from squall.platforms.openstack.waiting import wait_for_status
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure

CLEANUP = {"cleanup@openstack": ["nova", "neutron"]}
ADDRESS_TIMEOUT = 120.0


def _has_address(server: dict[str, Any], address: str) -> bool:
    return any(entry.get("addr") == address for entries in (server.get("addresses") or {}).values()
               for entry in entries)


def floating_network_of(floating_network: Any, create_floating_ip_args: dict[str, Any] | None) -> Any:
    """Rally's older spellings: ``create_floating_ip_args`` with ``ext_network`` or ``floating_network``."""
    if floating_network is None and create_floating_ip_args:
        return create_floating_ip_args.get("ext_network", create_floating_ip_args.get("floating_network"))
    return floating_network


class FloatingIpScenario(NovaScenario):
    """A server and a floating IP of the iteration's user."""

    def _wait_address(self, server: dict[str, Any], address: str, present: bool) -> None:
        nova = self.nova
        wait_for_status(lambda: nova.get_server(server["id"]), (str(server.get("status") or "ACTIVE"),),
                        f"server {server['id']} with floating IP {address}" if present else
                        f"server {server['id']} without floating IP {address}", ADDRESS_TIMEOUT,
                        busy=lambda found: _has_address(found, address) != present)
        server.update(nova.get_server(server["id"]))

    def associate(self, server: dict[str, Any], floating_ip: dict[str, Any]) -> None:
        """Point the floating IP at the server's first port, until Nova shows it (``nova.associate_floating_ip``,
        with ``neutron.associate_floating_ip`` inside)."""
        neutron = self.neutron
        with ActionTimer(self, "nova.associate_floating_ip"):
            with ActionTimer(self, "neutron.associate_floating_ip"):
                ports = neutron.list_ports(device_id=server["id"])
                if not ports:
                    raise AssertionError(f"server {server['id']} has no port to take a floating IP")
                neutron.update_floatingip(floating_ip["id"], port_id=ports[0]["id"])
            self._wait_address(server, floating_ip["floating_ip_address"], present=True)

    def dissociate(self, server: dict[str, Any], floating_ip: dict[str, Any]) -> None:
        """Detach the floating IP, until Nova no longer shows it (``nova.dissociate_floating_ip``)."""
        with ActionTimer(self, "nova.dissociate_floating_ip"):
            with ActionTimer(self, "neutron.dissociate_floating_ip"):
                self.neutron.update_floatingip(floating_ip["id"], port_id=None)
            self._wait_address(server, floating_ip["floating_ip_address"], present=False)


@configure(name="NovaServers.boot_and_associate_floating_ip", platform="openstack", context=CLEANUP)
class BootAndAssociateFloatingIp(FloatingIpScenario):
    """Boot a server, create a floating IP on ``floating_network`` (the first external network by default),
    associate it with the server."""

    def run(self, image: Any, flavor: Any, floating_network: Any = None,
            create_floating_ip_args: dict[str, Any] | None = None, **kwargs: Any) -> None:
        server = self.boot(image, flavor, **kwargs)
        floating_ip = self.neutron.create_floatingip(floating_network_of(floating_network, create_floating_ip_args))
        self.associate(server, floating_ip)


@configure(name="NovaServers.boot_server_associate_and_dissociate_floating_ip", platform="openstack",
           context=CLEANUP)
class BootServerAssociateAndDissociateFloatingIp(FloatingIpScenario):
    """Boot a server, create a floating IP, associate it with the server, then dissociate it."""

    def run(self, image: Any, flavor: Any, floating_network: Any = None,
            create_floating_ip_args: dict[str, Any] | None = None, **kwargs: Any) -> None:
        server = self.boot(image, flavor, **kwargs)
        floating_ip = self.neutron.create_floatingip(floating_network_of(floating_network, create_floating_ip_args))
        self.associate(server, floating_ip)
        self.dissociate(server, floating_ip)


@configure(name="NovaServers.boot_server_and_attach_interface", platform="openstack", context=CLEANUP)
class BootServerAndAttachInterface(NovaScenario):
    """Take the tenant's network (the ``network`` context's; a new one without it), add a subnet from
    ``subnet_cidr_start``, boot a server, attach an interface on that network (``nova.attach_interface``)."""

    RESTRICTED = {"network_create_args": ("name",), "subnet_create_args": ("name",)}

    def run(self, image: Any, flavor: Any, network_create_args: dict[str, Any] | None = None,
            subnet_create_args: dict[str, Any] | None = None, subnet_cidr_start: str | None = None,
            boot_server_args: dict[str, Any] | None = None) -> None:
        neutron = self.neutron
        networks = (self.context.get("tenant") or {}).get("networks")
        network = random.choice(networks) if networks else neutron.create_network(**(network_create_args or {}))
        neutron.create_subnet(network["id"], start_cidr=subnet_cidr_start, **(subnet_create_args or {}))
        server = self.boot(image, flavor, **(boot_server_args or {}))
        with ActionTimer(self, "nova.attach_interface"):
            self.nova.request("POST", f"/servers/{server['id']}/os-interface",
                              json={"interfaceAttachment": {"net_id": network["id"]}})
