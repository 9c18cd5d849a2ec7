"""``admin_cleanup`` and ``cleanup``: delete what the workload's scenarios left, when it ends.

The config is a list of services (``["keystone"]``). Only resources whose
names the squall generator gave for this task's scenarios are deleted.
These contexts clean up before ``users`` (higher order), so a user's
resources go before the user and project.
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack import clients, resources
from squall.platforms.openstack.cleanup import cleanup
from squall.platforms.openstack.credential import admin_of
from squall.plugin_api.context import Context, configure
from squall.registry import JSON_SCHEMA


class _ScenarioCleanup(Context):
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "array", "items": {"type": "string"}, "uniqueItems": True,
    }

    def setup(self) -> None:
        unknown = sorted(set(self.config) - set(resources.services()))
        if unknown:
            raise ValueError(f"no resource managers for {', '.join(unknown)} (known: "
                             f"{', '.join(resources.services())})")

    def cleanup(self) -> None:
        cred = admin_of(self.context)
        if cred is None and self.context.get("users"):
            cred = self.context["users"][0]["credential"]
        if cred is None:
            return
        report = cleanup(clients.connect(cred), self.context["task"]["uuid"], kind="scenario",
                         services=list(self.config))
        self.context.setdefault("cleanup_reports", []).append(report)
        if report["failed"]:
            raise RuntimeError("could not delete: " + "; ".join(
                f"{f['type']} {f['name']} ({f['error']})" for f in report["failed"]))


@configure(name="admin_cleanup", order=900, platform="openstack")
class AdminCleanup(_ScenarioCleanup):
    """Delete, as admin, the resources this task's scenarios left in the listed services."""


@configure(name="cleanup", order=901, platform="openstack")
class UserCleanup(_ScenarioCleanup):
    """Delete the resources this task's scenarios left (as admin when there is one, else as a user)."""
