"""Nova's other scenarios: NovaFlavors, NovaKeypair, NovaServerGroups, NovaHypervisors, NovaAggregates,
NovaAvailabilityZones and NovaServices, with Rally's names, arguments and atomic actions."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack.nova_scenario import NovaScenario
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure

ADMIN_CLEANUP = {"admin_cleanup@openstack": ["nova"]}
USER_CLEANUP = {"cleanup@openstack": ["nova"]}


class _Admin(NovaScenario):
    """Admin-only Nova calls, timed."""

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = None

    def admin_call(self, atomic: str, method: str, path: str, microversion: str | None = None,
                   **kwargs: Any) -> Any:
        """One admin request timed as ``atomic``."""
        with ActionTimer(self, atomic):
            return self.admin_nova.request(method, path, microversion=microversion, **kwargs)

    def user_call(self, atomic: str, method: str, path: str, microversion: str | None = None, **kwargs: Any) -> Any:
        """One request as the iteration's user, timed as ``atomic``."""
        with ActionTimer(self, atomic):
            return self.nova.request(method, path, microversion=microversion, **kwargs)

    def create_flavor(self, ram: int, vcpus: int, disk: int, flavorid: str = "auto", ephemeral: int = 0,
                      swap: int = 0, rxtx_factor: float = 1.0, is_public: bool = True) -> dict[str, Any]:
        """``nova.create_flavor`` with a squall name."""
        body: dict[str, Any] = {"name": self.generate_random_name(), "ram": ram, "vcpus": vcpus, "disk": disk,
                                "OS-FLV-EXT-DATA:ephemeral": ephemeral, "swap": swap,
                                "rxtx_factor": rxtx_factor, "os-flavor-access:is_public": is_public}
        if flavorid not in ("auto", None):
            body["id"] = flavorid
        return self.admin_call("nova.create_flavor", "POST", "/flavors", json={"flavor": body})["flavor"]  # type: ignore[no-any-return]


@configure(name="NovaFlavors.list_flavors", platform="openstack")
class ListFlavors(_Admin):
    """List flavors (``nova.list_flavors``)."""

    def run(self, detailed: bool = True, is_public: bool | None = True, marker: str | None = None,
            min_disk: int | None = None, min_ram: int | None = None, limit: int | None = None,
            sort_key: str | None = None, sort_dir: str | None = None) -> None:
        params = {k: v for k, v in {"is_public": is_public, "marker": marker, "minDisk": min_disk,
                                    "minRam": min_ram, "limit": limit, "sort_key": sort_key,
                                    "sort_dir": sort_dir}.items() if v is not None}
        self.user_call("nova.list_flavors", "GET", "/flavors/detail" if detailed else "/flavors", params=params)


@configure(name="NovaFlavors.create_flavor", platform="openstack", context=ADMIN_CLEANUP)
class CreateFlavor(_Admin):
    """Create a flavor (admin_cleanup deletes it)."""

    def run(self, ram: int, vcpus: int, disk: int, flavorid: str = "auto", ephemeral: int = 0, swap: int = 0,
            rxtx_factor: float = 1.0, is_public: bool = True) -> None:
        self.create_flavor(ram, vcpus, disk, flavorid, ephemeral, swap, rxtx_factor, is_public)


@configure(name="NovaFlavors.create_and_get_flavor", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndGetFlavor(_Admin):
    """Create a flavor, then get it (``nova.get_flavor``)."""

    def run(self, ram: int, vcpus: int, disk: int, flavorid: str = "auto", ephemeral: int = 0, swap: int = 0,
            rxtx_factor: float = 1.0, is_public: bool = True) -> None:
        flavor = self.create_flavor(ram, vcpus, disk, flavorid, ephemeral, swap, rxtx_factor, is_public)
        self.admin_call("nova.get_flavor", "GET", f"/flavors/{flavor['id']}")


@configure(name="NovaFlavors.create_and_delete_flavor", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndDeleteFlavor(_Admin):
    """Create a flavor, then delete it (``nova.delete_flavor``)."""

    def run(self, ram: int, vcpus: int, disk: int, flavorid: str = "auto", ephemeral: int = 0, swap: int = 0,
            rxtx_factor: float = 1.0, is_public: bool = True) -> None:
        flavor = self.create_flavor(ram, vcpus, disk, flavorid, ephemeral, swap, rxtx_factor, is_public)
        self.admin_call("nova.delete_flavor", "DELETE", f"/flavors/{flavor['id']}")


@configure(name="NovaFlavors.create_and_list_flavor_access", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndListFlavorAccess(_Admin):
    """Create a private flavor, then list who may use it (``nova.list_flavor_access``)."""

    def run(self, ram: int, vcpus: int, disk: int, flavorid: str = "auto", ephemeral: int = 0, swap: int = 0,
            rxtx_factor: float = 1.0, is_public: bool = True) -> None:
        flavor = self.create_flavor(ram, vcpus, disk, flavorid, ephemeral, swap, rxtx_factor, is_public=False)
        self.admin_call("nova.list_flavor_access", "GET", f"/flavors/{flavor['id']}/os-flavor-access")


@configure(name="NovaFlavors.create_flavor_and_add_tenant_access", platform="openstack", context=ADMIN_CLEANUP)
class CreateFlavorAndAddTenantAccess(_Admin):
    """Create a private flavor, then give the iteration's tenant access to it (``nova.add_tenant_access``)."""

    def run(self, ram: int, vcpus: int, disk: int, flavorid: str = "auto", ephemeral: int = 0, swap: int = 0,
            rxtx_factor: float = 1.0, is_public: bool = True) -> None:
        flavor = self.create_flavor(ram, vcpus, disk, flavorid, ephemeral, swap, rxtx_factor, is_public=False)
        tenant = (self.context.get("tenant") or {}).get("id")
        if not tenant:
            raise AssertionError("this scenario needs users (the users context) to give their tenant access")
        self.admin_call("nova.add_tenant_access", "POST", f"/flavors/{flavor['id']}/action",
                        json={"addTenantAccess": {"tenant": tenant}})


@configure(name="NovaFlavors.create_flavor_and_set_keys", platform="openstack", context=ADMIN_CLEANUP)
class CreateFlavorAndSetKeys(_Admin):
    """Create a flavor, then set ``extra_specs`` on it (``nova.set_flavor_keys``)."""

    def run(self, ram: int, vcpus: int, disk: int, extra_specs: dict[str, Any], flavorid: str = "auto",
            ephemeral: int = 0, swap: int = 0, rxtx_factor: float = 1.0, is_public: bool = True) -> None:
        flavor = self.create_flavor(ram, vcpus, disk, flavorid, ephemeral, swap, rxtx_factor, is_public)
        self.admin_call("nova.set_flavor_keys", "POST", f"/flavors/{flavor['id']}/os-extra_specs",
                        json={"extra_specs": {k: str(v) for k, v in extra_specs.items()}})


class _Keypairs(_Admin):
    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = frozenset({"public_key", "key_type"})

    def create_keypair(self, **kwargs: Any) -> str:
        """``nova.create_keypair`` with a squall name (``public_key``, ``key_type`` as novaclient's); its name."""
        body = {"name": self.generate_random_name(), **kwargs}
        found = self.user_call("nova.create_keypair", "POST", "/os-keypairs",
                               microversion="2.2" if "key_type" in kwargs else None, json={"keypair": body})
        return str(found["keypair"]["name"])

    def delete_keypair(self, name: str) -> None:
        """``nova.delete_keypair``."""
        self.user_call("nova.delete_keypair", "DELETE", f"/os-keypairs/{name}")


@configure(name="NovaKeypair.create_and_list_keypairs", platform="openstack", context=USER_CLEANUP)
class CreateAndListKeypairs(_Keypairs):
    """Create a keypair, then list keypairs: it must be among them."""

    def run(self, **kwargs: Any) -> None:
        name = self.create_keypair(**kwargs)
        listed = self.user_call("nova.list_keypairs", "GET", "/os-keypairs")["keypairs"]
        if name not in {k["keypair"]["name"] for k in listed}:
            raise AssertionError(f"keypair {name} is not in the list of keypairs")


@configure(name="NovaKeypair.create_and_delete_keypair", platform="openstack", context=USER_CLEANUP)
class CreateAndDeleteKeypair(_Keypairs):
    """Create a keypair, then delete it."""

    def run(self, **kwargs: Any) -> None:
        self.delete_keypair(self.create_keypair(**kwargs))


@configure(name="NovaKeypair.create_and_get_keypair", platform="openstack", context=USER_CLEANUP)
class CreateAndGetKeypair(_Keypairs):
    """Create a keypair, then get it (``nova.get_keypair``)."""

    def run(self, **kwargs: Any) -> None:
        name = self.create_keypair(**kwargs)
        self.user_call("nova.get_keypair", "GET", f"/os-keypairs/{name}")


@configure(name="NovaKeypair.boot_and_delete_server_with_keypair", platform="openstack", context=USER_CLEANUP)
class BootAndDeleteServerWithKeypair(_Keypairs):
    """Create a keypair, boot a server with it, delete the server, then the keypair."""

    def run(self, image: Any, flavor: Any, boot_server_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        name = self.create_keypair(**kwargs)
        server = self.boot(image, flavor, key_name=name, **(boot_server_kwargs or {}))
        self.nova.delete_server(server)
        self.delete_keypair(name)


class _ServerGroups(_Admin):
    def create_group(self, policies: list[str] | None) -> dict[str, Any]:
        """``nova.create_server_group`` with a squall name."""
        body = {"name": self.generate_random_name(), "policies": policies or []}
        return self.user_call("nova.create_server_group", "POST", "/os-server-groups",  # type: ignore[no-any-return]
                              json={"server_group": body})["server_group"]


@configure(name="NovaServerGroups.create_and_list_server_groups", platform="openstack", context=USER_CLEANUP)
class CreateAndListServerGroups(_ServerGroups):
    """Create a server group, then list server groups: it must be among them."""

    def run(self, policies: list[str] | None = None, all_projects: bool = False,
            kwargs: dict[str, Any] | None = None) -> None:
        group = self.create_group((kwargs or {}).get("policies", policies))
        if all_projects:
            listed = self.admin_call("nova.list_server_groups", "GET", "/os-server-groups",
                                     params={"all_projects": "True"})
        else:
            listed = self.user_call("nova.list_server_groups", "GET", "/os-server-groups")
        if group["id"] not in {g["id"] for g in listed["server_groups"]}:
            raise AssertionError(f"server group {group['id']} is not in the list of server groups")


@configure(name="NovaServerGroups.create_and_get_server_group", platform="openstack", context=USER_CLEANUP)
class CreateAndGetServerGroup(_ServerGroups):
    """Create a server group, then get it."""

    def run(self, policies: list[str] | None = None, kwargs: dict[str, Any] | None = None) -> None:
        group = self.create_group((kwargs or {}).get("policies", policies))
        self.user_call("nova.get_server_group", "GET", f"/os-server-groups/{group['id']}")


@configure(name="NovaServerGroups.create_and_delete_server_group", platform="openstack", context=USER_CLEANUP)
class CreateAndDeleteServerGroup(_ServerGroups):
    """Create a server group, then delete it."""

    def run(self, policies: list[str] | None = None, kwargs: dict[str, Any] | None = None) -> None:
        group = self.create_group((kwargs or {}).get("policies", policies))
        self.user_call("nova.delete_server_group", "DELETE", f"/os-server-groups/{group['id']}")
