"""``Quotas.*``: Rally's quota scenarios on the iteration's tenant, as the admin, with Rally's atomic actions."""

from __future__ import annotations

import random
from typing import Any

from squall.platforms.openstack import clients
from squall.platforms.openstack.quotas_context import SERVICES
from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure

# The quotas Rally's scenarios set, each to a random value in [-1, max_quota].
UPDATED = {"nova": ("metadata_items", "key_pairs", "injected_file_content_bytes", "injected_file_path_bytes", "ram",
                    "instances", "injected_files", "cores"),
           "cinder": ("volumes", "snapshots", "gigabytes"),
           "neutron": ("network", "subnet", "port", "router", "floatingip", "security_group", "security_group_rule")}


class QuotasScenario(OpenStackScenario):
    """Quota calls on the iteration's tenant."""

    def _call(self, atomic: str, service: str, method: str, **kwargs: Any) -> Any:
        tenant = (self.context.get("tenant") or {}).get("id")
        if not tenant:
            raise AssertionError(f"{self.plugin_name} needs users (the users context): it works on their tenant")
        where = SERVICES[service]
        with ActionTimer(self, atomic):
            return clients.api(self.admin_clients(), where.adapter).request(where.path.format(tenant), method,
                                                                            **kwargs)

    def update(self, service: str, max_quota: int) -> None:
        """``quotas.update_quotas``: Rally's quotas of ``service``, random values up to ``max_quota``."""
        values = {k: random.randint(-1, max_quota) for k in UPDATED[service]}
        self._call("quotas.update_quotas", service, "PUT", json={SERVICES[service].key: values})

    def delete(self, service: str) -> None:
        """``quotas.delete_quotas``: back to the defaults."""
        self._call("quotas.delete_quotas", service, "DELETE")

    def get(self, service: str) -> None:
        """``quotas.get_quotas``."""
        self._call("quotas.get_quotas", service, "GET")


@configure(name="Quotas.nova_update", platform="openstack")
class NovaUpdate(QuotasScenario):
    """Set the tenant's Nova quotas to random values."""

    def run(self, max_quota: int = 1024) -> None:
        self.update("nova", max_quota)


@configure(name="Quotas.nova_update_and_delete", platform="openstack")
class NovaUpdateAndDelete(QuotasScenario):
    """Set the tenant's Nova quotas, then delete them (back to the defaults)."""

    def run(self, max_quota: int = 1024) -> None:
        self.update("nova", max_quota)
        self.delete("nova")


@configure(name="Quotas.nova_get", platform="openstack")
class NovaGet(QuotasScenario):
    """Get the tenant's Nova quotas."""

    def run(self) -> None:
        self.get("nova")


@configure(name="Quotas.cinder_update", platform="openstack")
class CinderUpdate(QuotasScenario):
    """Set the tenant's Cinder quotas to random values."""

    def run(self, max_quota: int = 1024) -> None:
        self.update("cinder", max_quota)


@configure(name="Quotas.cinder_update_and_delete", platform="openstack")
class CinderUpdateAndDelete(QuotasScenario):
    """Set the tenant's Cinder quotas, then delete them."""

    def run(self, max_quota: int = 1024) -> None:
        self.update("cinder", max_quota)
        self.delete("cinder")


@configure(name="Quotas.cinder_get", platform="openstack")
class CinderGet(QuotasScenario):
    """Get the tenant's Cinder quotas."""

    def run(self) -> None:
        self.get("cinder")


@configure(name="Quotas.neutron_update", platform="openstack")
class NeutronUpdate(QuotasScenario):
    """Set the tenant's Neutron quotas to random values."""

    def run(self, max_quota: int = 1024) -> None:
        self.update("neutron", max_quota)
