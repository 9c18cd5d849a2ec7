"""``NeutronTrunks.*``: Rally's trunk scenarios (VLAN subports on a parent port, a server booted on the parent),
with Rally's names, arguments and atomic actions (``neutron._add_subports_to_trunk`` keeps Rally's spelling)."""

from __future__ import annotations

from typing import Any

from squall.platforms.openstack.nova_scenario import NovaScenario
from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure

CLEANUP = {"cleanup@openstack": ["neutron", "nova"]}
# Rally's start for the networks of the booting scenarios (its _create_network_and_subnets default).
SUBNET_START = "1.0.0.0/24"


def vlan_subports(ports: list[dict[str, Any]], first_id: int = 1) -> list[dict[str, Any]]:
    """Each port as a VLAN subport, segmentation ids counting from ``first_id``."""
    return [{"port_id": p["id"], "segmentation_type": "vlan", "segmentation_id": seg_id}
            for seg_id, p in enumerate(ports, start=first_id)]


class TrunkScenario(OpenStackScenario):
    """Trunks of the iteration's user (the admin without users)."""

    RESTRICTED = {"network_create_args": ("name",)}

    def create_trunk(self, parent: dict[str, Any], subports: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """``neutron.create_trunk`` with a squall name."""
        body: dict[str, Any] = {"port_id": parent["id"], "name": self.generate_random_name()}
        if subports is not None:
            body["sub_ports"] = subports
        with ActionTimer(self, "neutron.create_trunk"):
            return self.neutron.request("POST", "/trunks", {"trunk": body})["trunk"]  # type: ignore[no-any-return]

    def add_subports(self, trunk: dict[str, Any], subports: list[dict[str, Any]]) -> None:
        """``neutron._add_subports_to_trunk``."""
        with ActionTimer(self, "neutron._add_subports_to_trunk"):
            self.neutron.request("PUT", f"/trunks/{trunk['id']}/add_subports", {"sub_ports": subports})

    def ports_on_own_networks(self, count: int, network_create_args: dict[str, Any] | None) -> list[dict[str, Any]]:
        """``count`` ports, each on a new network with one subnet (Rally's booting trunk scenarios)."""
        neutron = self.neutron
        ports = []
        for _ in range(count):
            topology = neutron.create_network_topology(network_create_args=dict(network_create_args or {}),
                                                       subnet_create_args={"start_cidr": SUBNET_START})
            subnet = topology["subnets"][0]
            ports.append(neutron.create_port(topology["network"]["id"],
                                             fixed_ips=[{"subnet_id": subnet["id"]}]))
        return ports


@configure(name="NeutronTrunks.create_and_list_trunks", platform="openstack",
           context={"cleanup@openstack": ["neutron"]})
class CreateAndListTrunks(TrunkScenario):
    """Create a network and ``subport_count`` + 1 ports, a trunk of the first with the others as VLAN subports,
    then list trunks and the trunk's subports."""

    def run(self, network_create_args: dict[str, Any] | None = None, subport_count: int = 10) -> None:
        neutron = self.neutron
        network = neutron.create_network(**(network_create_args or {}))
        parent, *others = [neutron.create_port(network["id"]) for _ in range(subport_count + 1)]
        trunk = self.create_trunk(parent, vlan_subports(others))
        with ActionTimer(self, "neutron.list_trunks"):
            neutron.request("GET", "/trunks")
        with ActionTimer(self, "neutron.list_subports_by_trunk"):
            neutron.request("GET", f"/trunks/{trunk['id']}/get_subports")


class _BootOnTrunk(TrunkScenario, NovaScenario):
    def boot_on(self, image: Any, flavor: Any, parent: dict[str, Any]) -> dict[str, Any]:
        return self.boot(image, flavor, nics=[{"port-id": parent["id"]}])


@configure(name="NeutronTrunks.boot_server_with_subports", platform="openstack", context=CLEANUP)
class BootServerWithSubports(_BootOnTrunk):
    """``subport_count`` + 1 ports on networks of their own, a trunk with its subports, a server on the parent."""

    def run(self, image: Any, flavor: Any, network_create_args: dict[str, Any] | None = None,
            subport_count: int = 10) -> None:
        parent, *others = self.ports_on_own_networks(subport_count + 1, network_create_args)
        self.create_trunk(parent, vlan_subports(others))
        self.boot_on(image, flavor, parent)


@configure(name="NeutronTrunks.boot_server_and_add_subports", platform="openstack", context=CLEANUP)
class BootServerAndAddSubports(_BootOnTrunk):
    """A trunk without subports, a server on its parent port, then the subports added one by one."""

    def run(self, image: Any, flavor: Any, network_create_args: dict[str, Any] | None = None,
            subport_count: int = 10) -> None:
        parent, *others = self.ports_on_own_networks(subport_count + 1, network_create_args)
        trunk = self.create_trunk(parent)
        self.boot_on(image, flavor, parent)
        for seg_id, port in enumerate(others, start=1):
            self.add_subports(trunk, vlan_subports([port], seg_id))


@configure(name="NeutronTrunks.boot_server_and_batch_add_subports", platform="openstack", context=CLEANUP)
class BootServerAndBatchAddSubports(_BootOnTrunk):
    """A trunk without subports, a server on its parent port, then ``batches`` batches of
    ``subports_per_batch`` subports."""

    def run(self, image: Any, flavor: Any, network_create_args: dict[str, Any] | None = None,
            subports_per_batch: int = 10, batches: int = 5) -> None:
        parent, *others = self.ports_on_own_networks(subports_per_batch * batches + 1, network_create_args)
        trunk = self.create_trunk(parent)
        self.boot_on(image, flavor, parent)
        for begin in range(0, subports_per_batch * batches, subports_per_batch):
            self.add_subports(trunk, vlan_subports(others[begin:begin + subports_per_batch], begin + 1))
