"""``openstack`` platform: a cloud reached through Keystone v3 (Rally's ``existing@openstack``)."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.env.platform import Platform
from squall.platforms.openstack.credential import USER_SCHEMA, from_spec
from squall.registry import JSON_SCHEMA, configure


@configure(name="openstack", platform="openstack")
class OpenStackPlatform(Platform):
    """A cloud with admin credentials (squall creates its own users) or existing users only.

    The check authenticates with each credential and lists the services of
    the catalog. :meth:`owned_resources` lists what a task still owns there.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "auth_url": {"type": "string", "pattern": "^https?://"},
            "region_name": {"type": "string"},
            "interface": {"enum": ["public", "internal", "admin"]},
            "endpoint_type": {"enum": ["public", "internal", "admin", "publicURL", "internalURL", "adminURL"]},
            "https_insecure": {"type": "boolean"},
            "https_cacert": {"type": "string"},
            "profiler_hmac_key": {"type": ["string", "null"]},
            "admin": USER_SCHEMA,
            "users": {"type": "array", "items": USER_SCHEMA},
        },
        "required": ["auth_url"],
        "anyOf": [{"required": ["admin"]}, {"required": ["users"], "properties": {"users": {"minItems": 1}}}],
        "additionalProperties": False,
    }

    def credentials(self) -> list[tuple[str, Any]]:
        """``(role, credential)`` for the admin and each existing user."""
        found: list[tuple[str, Any]] = []
        if self.spec.get("admin"):
            found.append(("admin", from_spec(self.spec, self.spec["admin"])))
        found.extend(("user", from_spec(self.spec, u)) for u in self.spec.get("users", []))
        return found

    def check(self) -> dict[str, Any]:
        from squall.platforms.openstack.clients import access_info, connect

        messages = []
        for role, cred in self.credentials():
            conn = connect(cred)
            catalog = access_info(conn).service_catalog.catalog
            kinds = sorted({entry.get("type", "?") for entry in catalog})
            messages.append(f"{role} {cred['username']}: authenticated; services: {', '.join(kinds) or 'none'}")
        return {"available": True, "message": "; ".join(messages)}

    def implicit_contexts(self, contexts: dict[str, Any]) -> dict[str, Any]:
        """``existing_users`` when the spec lists users and the workload creates none."""
        names = {name.partition("@")[0] for name in contexts}
        if self.spec.get("users") and not names & {"users", "existing_users"}:
            return {"existing_users": {}}
        return {}

    def cleanup(self, task_uuid: str | None, dry_run: bool, negative: bool,
                spare: frozenset[str] = frozenset()) -> dict[str, Any] | None:
        """Out-of-band cleanup with the admin credential (or the first user's); ``spare``: task codes to keep."""
        from squall.platforms.openstack import cleanup
        from squall.platforms.openstack.clients import connect

        creds = self.credentials()
        if not creds:
            return None
        report = cleanup.cleanup(connect(creds[0][1]), task_uuid, negative=negative, dry_run=dry_run, spare=spare)
        return dict(report)

    def owned_resources(self, task_uuid: str) -> list[dict[str, Any]]:
        """What the task still owns in the cloud (its leaks, after cleanup)."""
        from squall.platforms.openstack import cleanup
        from squall.platforms.openstack.clients import connect

        admin = self.spec.get("admin")
        if not admin:
            return []
        return [dict(r) for r in cleanup.discover(connect(from_spec(self.spec, admin)), task_uuid)]


@configure(name="existing@openstack", platform="openstack")
class ExistingOpenStackPlatform(OpenStackPlatform):
    """Rally's name for the ``openstack`` platform, so Rally environment specs load unchanged."""
