"""Nova's admin scenarios: NovaHypervisors, NovaAggregates, NovaAvailabilityZones, NovaServices.

Rally's names, arguments and atomic actions; compute API 2.1 (where
hypervisor uptime, statistics and search still exist).
"""

from __future__ import annotations

from typing import Any

from squall.platforms.openstack.nova_scenarios import ADMIN_CLEANUP, USER_CLEANUP, _Admin
from squall.plugin_api.scenario import configure


class _Hypervisors(_Admin):
    def list_hypervisors(self, detailed: bool = True) -> list[dict[str, Any]]:
        """``nova.list_hypervisors``."""
        path = "/os-hypervisors/detail" if detailed else "/os-hypervisors"
        return self.admin_call("nova.list_hypervisors", "GET", path)["hypervisors"]  # type: ignore[no-any-return]


@configure(name="NovaHypervisors.list_hypervisors", platform="openstack")
class ListHypervisors(_Hypervisors):
    """List hypervisors."""

    def run(self, detailed: bool = True) -> None:
        self.list_hypervisors(detailed)


@configure(name="NovaHypervisors.list_and_get_hypervisors", platform="openstack")
class ListAndGetHypervisors(_Hypervisors):
    """List hypervisors, then get each."""

    def run(self, detailed: bool = True) -> None:
        for hypervisor in self.list_hypervisors(detailed):
            self.admin_call("nova.get_hypervisor", "GET", f"/os-hypervisors/{hypervisor['id']}")


@configure(name="NovaHypervisors.statistics_hypervisors", platform="openstack")
class StatisticsHypervisors(_Hypervisors):
    """Get the hypervisors' statistics."""

    def run(self) -> None:
        self.admin_call("nova.statistics_hypervisors", "GET", "/os-hypervisors/statistics")


@configure(name="NovaHypervisors.list_and_get_uptime_hypervisors", platform="openstack")
class ListAndGetUptimeHypervisors(_Hypervisors):
    """List hypervisors, then get each one's uptime."""

    def run(self, detailed: bool = True) -> None:
        for hypervisor in self.list_hypervisors(detailed):
            self.admin_call("nova.uptime_hypervisor", "GET", f"/os-hypervisors/{hypervisor['id']}/uptime")


@configure(name="NovaHypervisors.list_and_search_hypervisors", platform="openstack")
class ListAndSearchHypervisors(_Hypervisors):
    """List hypervisors, then search each by its host name."""

    def run(self, detailed: bool = True) -> None:
        for hypervisor in self.list_hypervisors(detailed):
            self.admin_call("nova.search_hypervisors", "GET",
                            f"/os-hypervisors/{hypervisor['hypervisor_hostname']}/search")


class _Aggregates(_Hypervisors):
    def create_aggregate(self, availability_zone: str | None) -> dict[str, Any]:
        """``nova.create_aggregate`` with a squall name."""
        body = {"name": self.generate_random_name(), "availability_zone": availability_zone}
        return self.admin_call("nova.create_aggregate", "POST", "/os-aggregates",  # type: ignore[no-any-return]
                               json={"aggregate": body})["aggregate"]

    def list_aggregates(self) -> list[dict[str, Any]]:
        """``nova.list_aggregates``."""
        return self.admin_call("nova.list_aggregates", "GET", "/os-aggregates")["aggregates"]  # type: ignore[no-any-return]

    def host_action(self, atomic: str, aggregate: dict[str, Any], body: dict[str, Any]) -> None:
        """One aggregate action (add_host, remove_host, set_metadata)."""
        self.admin_call(atomic, "POST", f"/os-aggregates/{aggregate['id']}/action", json=body)

    def first_host(self) -> str:
        """The first hypervisor's service host."""
        hypervisors = self.list_hypervisors()
        if not hypervisors:
            raise AssertionError("the cloud has no hypervisor")
        return str(hypervisors[0]["service"]["host"])


@configure(name="NovaAggregates.list_aggregates", platform="openstack")
class ListAggregates(_Aggregates):
    """List aggregates."""

    def run(self) -> None:
        self.list_aggregates()


@configure(name="NovaAggregates.create_and_list_aggregates", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndListAggregates(_Aggregates):
    """Create an aggregate, then list aggregates: it must be among them."""

    def run(self, availability_zone: str | None = None) -> None:
        aggregate = self.create_aggregate(availability_zone)
        if aggregate["id"] not in {a["id"] for a in self.list_aggregates()}:
            raise AssertionError(f"aggregate {aggregate['id']} is not in the list of aggregates")


@configure(name="NovaAggregates.create_and_delete_aggregate", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndDeleteAggregate(_Aggregates):
    """Create an aggregate, then delete it."""

    def run(self, availability_zone: str | None = None) -> None:
        aggregate = self.create_aggregate(availability_zone)
        self.admin_call("nova.delete_aggregate", "DELETE", f"/os-aggregates/{aggregate['id']}")


@configure(name="NovaAggregates.create_and_update_aggregate", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndUpdateAggregate(_Aggregates):
    """Create an aggregate, then give it a new name and availability zone."""

    def run(self, availability_zone: str | None = None) -> None:
        aggregate = self.create_aggregate(availability_zone)
        body = {"name": self.generate_random_name(), "availability_zone": self.generate_random_name()}
        self.admin_call("nova.update_aggregate", "PUT", f"/os-aggregates/{aggregate['id']}",
                        json={"aggregate": body})


@configure(name="NovaAggregates.create_aggregate_add_and_remove_host", platform="openstack", context=ADMIN_CLEANUP)
class CreateAggregateAddAndRemoveHost(_Aggregates):
    """Create an aggregate, add the first hypervisor's host to it, then remove it."""

    def run(self, availability_zone: str | None = None) -> None:
        aggregate = self.create_aggregate(availability_zone)
        host = self.first_host()
        self.host_action("nova.aggregate_add_host", aggregate, {"add_host": {"host": host}})
        self.host_action("nova.aggregate_remove_host", aggregate, {"remove_host": {"host": host}})


@configure(name="NovaAggregates.create_and_get_aggregate_details", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndGetAggregateDetails(_Aggregates):
    """Create an aggregate, then get it."""

    def run(self, availability_zone: str | None = None) -> None:
        aggregate = self.create_aggregate(availability_zone)
        self.admin_call("nova.get_aggregate_details", "GET", f"/os-aggregates/{aggregate['id']}")


@configure(name="NovaAggregates.create_aggregate_add_host_and_boot_server", platform="openstack",
           context={**ADMIN_CLEANUP, **USER_CLEANUP})
class CreateAggregateAddHostAndBootServer(_Aggregates):
    """Create an aggregate with ``metadata``, add the first host that is up and enabled, create a flavor with
    ``metadata`` as extra specs, boot a server of it: the server must land on that host."""

    def run(self, image: Any, metadata: dict[str, str], availability_zone: str | None = None, ram: int = 512,
            vcpus: int = 1, disk: int = 1, boot_server_kwargs: dict[str, Any] | None = None) -> None:
        aggregate = self.create_aggregate(availability_zone)
        host = next((h["service"]["host"] for h in self.list_hypervisors()
                     if h.get("state") == "up" and h.get("status") == "enabled"), None)
        if host is None:
            raise AssertionError("no hypervisor is up and enabled")
        self.host_action("nova.aggregate_set_metadata", aggregate, {"set_metadata": {"metadata": metadata}})
        self.host_action("nova.aggregate_add_host", aggregate, {"add_host": {"host": host}})
        flavor = self.create_flavor(ram, vcpus, disk)
        self.admin_nova.request("POST", f"/flavors/{flavor['id']}/os-extra_specs", json={"extra_specs": metadata})
        server = self.boot(image, {"id": flavor["id"]}, **(boot_server_kwargs or {}))
        landed = self.admin_nova.get_server(server["id"]).get("OS-EXT-SRV-ATTR:hypervisor_hostname")
        if landed != host:
            raise AssertionError(f"the server is on {landed}, not on the aggregate's host {host}")


@configure(name="NovaAvailabilityZones.list_availability_zones", platform="openstack")
class ListAvailabilityZones(_Admin):
    """List availability zones (``detailed``: with their hosts)."""

    def run(self, detailed: bool = True) -> None:
        path = "/os-availability-zone/detail" if detailed else "/os-availability-zone"
        self.admin_call("nova.list_availability_zones", "GET", path)


@configure(name="NovaServices.list_services", platform="openstack")
class ListServices(_Admin):
    """List Nova's services (of ``host`` and ``binary``, when given)."""

    def run(self, host: str | None = None, binary: str | None = None) -> None:
        params = {k: v for k, v in {"host": host, "binary": binary}.items() if v}
        self.admin_call("nova.list_services", "GET", "/os-services", params=params)
