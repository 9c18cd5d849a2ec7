"""Rally scenarios squall knows by name but does not run, each refused at validation with the reason.

A task file naming one is told why at ``task validate``, not when its
iterations fail. docs/rally-compat.md lists the same reasons.
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugin_api.scenario import configure

_MIGRATION = ("moving a server needs a second compute host (and shared or block-migratable storage); squall is "
              "tested on one fake host, so nothing shows its calls would work")
_GUEST = "it logs into the booted guest over SSH; squall's test cloud boots fake guests that run nothing"
REASONS: dict[str, str] = {
    "NovaServers.boot_and_live_migrate_server": _MIGRATION,
    "NovaServers.boot_server_from_volume_and_live_migrate": _MIGRATION,
    "NovaServers.boot_server_attach_created_volume_and_live_migrate": _MIGRATION,
    "NovaServers.boot_and_migrate_server": _MIGRATION,
    "VMTasks.boot_runcommand_delete": _GUEST,
    "VMTasks.runcommand_heat": _GUEST,
    "VMTasks.dd_load_test": _GUEST,
    "VMTasks.check_designate_dns_resolving": _GUEST,
    "Authenticate.validate_ceilometer": "Ceilometer has had no API since its Queens release (2018): there is "
                                        "nothing to authenticate against",
    "Authenticate.validate_octavia": "squall's test cloud has no Octavia (load-balancer) service, so nothing "
                                     "shows its calls would work",
}


class UnsupportedScenario(OpenStackScenario):
    """A Rally scenario squall refuses, with the reason."""

    REASON: ClassVar[str] = ""

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """Always: the scenario is not supported, and why."""
        return [f"{path}: {cls.plugin_name} is not supported by squall: {cls.REASON}"]

    def run(self, **kwargs: Any) -> None:
        raise AssertionError(f"{self.plugin_name} is not supported by squall: {self.REASON}")


for _name, _reason in REASONS.items():
    _cls = type(_name.replace(".", "_"), (UnsupportedScenario,), {"REASON": _reason,
                                                                  "__doc__": f"Not supported: {_reason}."})
    configure(name=_name, platform="openstack")(_cls)
