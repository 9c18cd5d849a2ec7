"""Base of the Nova scenarios: the iteration's Nova, Rally's image and flavor arguments, Rally's boot rules."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack import resource_args
from squall.platforms.openstack.api_versions_context import microversion
from squall.platforms.openstack.compute import BOOT_ARGUMENTS, Compute
from squall.platforms.openstack.scenario import OpenStackScenario

CLEANUP = {"cleanup@openstack": ["nova"]}
# Arguments holding a Rally resource spec ({name: ...}, {regex: ...}, {id: ...}), checked at validation.
RESOURCE_ARGUMENTS = {"image": "image", "from_image": "image", "to_image": "image", "flavor": "flavor",
                      "to_flavor": "flavor"}


class NovaScenario(OpenStackScenario):
    """A scenario on Nova as the iteration's user (or the admin when there are no users).

    ``**kwargs`` of a booting scenario are novaclient's ``servers.create``
    arguments (:data:`squall.platforms.openstack.compute.BOOT_ARGUMENTS`).
    """

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = BOOT_ARGUMENTS | {"auto_assign_nic"}

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """Image and flavor specs are Rally's: an id, a name or a regex."""
        errors = []
        for arg in RESOURCE_ARGUMENTS:
            if args.get(arg) is not None:
                errors += resource_args.spec_errors(args[arg], f"{path}.{arg}")
        return errors

    @property
    def nova(self) -> Compute:
        """Nova as this iteration's user."""
        return Compute(self.iteration_clients(), self, self.generate_random_name, microversion(self.context, "nova"))

    @property
    def admin_nova(self) -> Compute:
        """Nova as the admin (flavors, aggregates, hypervisors)."""
        return Compute(self.admin_clients(), self, self.generate_random_name, microversion(self.context, "nova"))

    def image_id(self, spec: Any) -> str | None:
        """The image a Rally spec names (None stays None: booting from a volume)."""
        return None if spec is None else resource_args.image_id(self.iteration_clients(), spec)

    def flavor_id(self, spec: Any) -> str:
        """The flavor a Rally spec names."""
        return resource_args.flavor_id(self.iteration_clients(), spec)

    def _nics(self, auto_assign_nic: bool, kwargs: dict[str, Any]) -> None:
        """Rally's rules: the tenant's first network unless nics are given; ``auto_assign_nic`` spreads
        iterations over the tenant's networks."""
        networks = (self.context.get("tenant") or {}).get("networks") or []
        if kwargs.get("nics") or not networks:
            return
        index = int(self.context.get("iteration", 1)) % len(networks) if auto_assign_nic else 0
        kwargs["nics"] = [{"net-id": networks[index]["id"]}]

    def boot(self, image: Any, flavor: Any, auto_assign_nic: bool = False, **kwargs: Any) -> dict[str, Any]:
        """Boot a server as Rally does (the user's security group added, the tenant's network used), until
        ACTIVE (``nova.boot_server``)."""
        secgroup = (self.context.get("user") or {}).get("secgroup")
        if secgroup:
            groups = list(kwargs.get("security_groups") or [])
            if secgroup["name"] not in groups:
                groups.append(secgroup["name"])
            kwargs["security_groups"] = groups
        self._nics(auto_assign_nic, kwargs)
        return self.nova.boot_server(self.image_id(image), self.flavor_id(flavor), **kwargs)

    def resize(self, server: dict[str, Any], to_flavor: Any, confirm: bool, status: str = "ACTIVE") -> None:
        """Resize to ``to_flavor`` until VERIFY_RESIZE (``nova.resize``), then confirm or revert it until
        ``status`` (``nova.resize_confirm``, ``nova.resize_revert``)."""
        nova = self.nova
        nova.action("nova.resize", server, {"resize": {"flavorRef": self.flavor_id(to_flavor)}}, "VERIFY_RESIZE")
        if confirm:
            nova.action("nova.resize_confirm", server, {"confirmResize": None}, status)
        else:
            nova.action("nova.resize_revert", server, {"revertResize": None}, status)
