"""``roles``: give every user of the workload the listed roles on its project (Rally's ``roles``)."""

from __future__ import annotations

from typing import Any, ClassVar

from squall import exceptions
from squall.platforms.openstack import clients
from squall.platforms.openstack.credential import admin_of
from squall.platforms.openstack.resources import is_not_found
from squall.plugin_api.context import Context, configure
from squall.registry import JSON_SCHEMA


@configure(name="roles", order=330, platform="openstack")
class RolesContext(Context):
    """Grant existing roles, by name, at set-up; revoke them at clean-up."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "array", "items": {"type": "string"}, "minItems": 1,
    }

    def setup(self) -> None:
        admin = admin_of(self.context)
        if admin is None:
            raise exceptions.InvalidConfigError("the roles context needs admin credentials")
        identity = clients.api(clients.connect(admin), "identity")
        by_name = {r["name"]: r["id"] for r in identity.get("/roles").json()["roles"]}
        missing = [n for n in self.config if n not in by_name]
        if missing:
            raise exceptions.NotFoundError(kind="role", name=", ".join(missing))
        self._granted: list[str] = []
        for user in self.context.get("users", []):
            for name in self.config:
                path = f"/projects/{user['tenant_id']}/users/{user['id']}/roles/{by_name[name]}"
                identity.put(path)
                self._granted.append(path)
        self.context["roles"] = {by_name[n]: n for n in self.config}

    def cleanup(self) -> None:
        admin = admin_of(self.context)
        if admin is None:
            return
        identity = clients.api(clients.connect(admin), "identity")
        for path in getattr(self, "_granted", []):
            try:
                identity.delete(path)
            except Exception as exc:
                if not is_not_found(exc):
                    raise
