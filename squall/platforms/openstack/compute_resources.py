"""Resource managers of Nova: servers (waited until gone), keypairs, server groups, aggregates, flavors.

Servers go first of everything (order 2): deleting one releases its ports
and volumes. The admin lists every project's servers (``all_tenants``); a
user without that right lists its own. A server booted several at a time is
named NAME-1, NAME-2 by Nova: the suffix is dropped before the name is
matched. Keypairs belong to users, not projects: they are listed for the
connection's own user and for every user with a squall name.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from squall import naming
from squall.platforms.openstack.resources import (
    Resource,
    ResourceManager,
    is_not_found,
    owner_name,
    resource_manager,
)

_MULTI_SUFFIX = re.compile(r"^(.*)-\d+$")
PAGE = 1000


class NovaManager(ResourceManager):
    """A Nova collection, listed by pages (``marker``)."""

    adapter: ClassVar[str] = "compute"
    service_type: ClassVar[str] = "compute"
    service: ClassVar[str] = "nova"
    # Query parameters that widen a listing to every project, for an admin.
    all_projects: ClassVar[dict[str, Any]] = {}
    paged: ClassVar[bool] = True
    # The microversion a listing asks for (a flavor's description needs 2.55); an older cloud is asked without.
    microversion: ClassVar[str | None] = None

    def _project_of(self, raw: dict[str, Any]) -> str | None:
        return raw.get("tenant_id") or raw.get("project_id")

    def raw_list(self, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item (of every project when the connection may see them)."""
        try:
            return self._pages({**self.all_projects, **(params or {})})
        except Exception as exc:
            if getattr(exc, "status_code", None) != 403 or not self.all_projects:
                raise
            return self._pages(dict(params or {}))

    def _get(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.microversion and not getattr(self, "_microversion_refused", False):
            try:
                return dict(self.api.get(self.path, params=params, microversion=self.microversion).json())
            except Exception as exc:
                if getattr(exc, "status_code", None) != 406:
                    raise
                self._microversion_refused = True  # the next pages are asked without it at once
        return dict(self.api.get(self.path, params=params).json())

    def _pages(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query = dict(params, limit=PAGE) if self.paged else dict(params)
        while True:
            page = self._get(query).get(self.collection, [])
            items.extend(page)
            if not self.paged or len(page) < PAGE:
                return items
            query["marker"] = page[-1]["id"]

    def list(self, name_prefix: str | None = None) -> list[Resource]:
        """Every resource (whose matched name starts with ``name_prefix``, when given)."""
        found = [self.as_resource(raw) for raw in self.raw_list()]
        return [r for r in found if not name_prefix or owner_name(r).startswith(name_prefix)]


@resource_manager("nova", "server", order=2)
class NovaServer(NovaManager):
    """Servers; deletion is asynchronous: waited until Nova answers 404."""

    path = "/servers/detail"
    collection = "servers"
    all_projects = {"all_tenants": 1}
    synchronous = False

    def name(self, raw: dict[str, Any]) -> str:
        name = str(raw.get("name") or "")
        multi = _MULTI_SUFFIX.match(name)
        if multi and naming.belongs_to(multi.group(1)):
            return multi.group(1)
        return name

    def item_path(self, resource_id: str) -> str:
        return f"/servers/{resource_id}"

    def is_deleted(self, resource_id: str) -> bool:
        try:
            server = self.api.get(self.item_path(resource_id)).json()["server"]
        except Exception as exc:
            if is_not_found(exc):
                return True
            raise
        return str(server.get("status")).upper() in ("DELETED", "SOFT_DELETED")


@resource_manager("nova", "server_group", order=3)
class NovaServerGroup(NovaManager):
    """Server groups (after their servers)."""

    path = "/os-server-groups"
    collection = "server_groups"
    all_projects = {"all_projects": "True"}
    paged = False

    def delete(self, resource_id: str) -> None:
        self._delete_path(f"/os-server-groups/{resource_id}")

    def _delete_path(self, path: str, **kwargs: Any) -> None:
        try:
            self.api.delete(path, **kwargs)
        except Exception as exc:
            if not is_not_found(exc):
                raise


@resource_manager("nova", "keypair", order=3)
class NovaKeypair(NovaServerGroup):
    """Keypairs of the connection's user and of squall's users (id: ``USER_ID/NAME``)."""

    path = "/os-keypairs"
    collection = "keypairs"
    all_projects = {}

    def _users(self) -> list[str]:
        users = [None]
        try:
            listed = self.conn.identity.get("/users", params={"name__startswith": "sq"}).json().get("users", [])
            users += [u["id"] for u in listed if naming.belongs_to(u.get("name", ""))]
        except Exception:  # noqa: S110 - a user may not list users: its own keypairs still count
            pass
        return users  # type: ignore[return-value]

    def list(self, name_prefix: str | None = None) -> list[Resource]:
        found: dict[str, Resource] = {}
        for user in self._users():
            params = {"user_id": user} if user else None
            body = self.api.get(self.path, params=params, microversion="2.10").json()
            for item in body.get("keypairs", []):
                raw = item["keypair"]
                owner = user or raw.get("user_id") or ""
                key = f"{owner}/{raw['name']}"
                found[key] = Resource(type=self.type_name(), id=key, name=raw["name"], project_id=None)
        return [r for r in found.values() if not name_prefix or r["name"].startswith(name_prefix)]

    def delete(self, resource_id: str) -> None:
        user, _, name = resource_id.partition("/")
        params = {"user_id": user} if user else None
        self._delete_path(f"/os-keypairs/{name}", params=params, microversion="2.10")


@resource_manager("nova", "aggregate", order=3)
class NovaAggregate(NovaServerGroup):
    """Host aggregates: their hosts removed first."""

    path = "/os-aggregates"
    collection = "aggregates"

    def delete(self, resource_id: str) -> None:
        try:
            aggregate = self.api.get(f"/os-aggregates/{resource_id}").json()["aggregate"]
            for host in aggregate.get("hosts") or []:
                self.api.post(f"/os-aggregates/{resource_id}/action", json={"remove_host": {"host": host}})
        except Exception as exc:
            if is_not_found(exc):
                return
            raise
        self._delete_path(f"/os-aggregates/{resource_id}")


@resource_manager("nova", "flavor", order=3)
class NovaFlavor(NovaServerGroup):
    """Flavors, public and private; one the ``flavors`` context named as the task file says is found by the
    squall name in its description."""

    path = "/flavors/detail"
    collection = "flavors"
    all_projects = {"is_public": "None"}
    microversion = "2.55"

    def tag(self, raw: dict[str, Any]) -> str | None:
        return naming.tagged_name(raw.get("description"))

    def delete(self, resource_id: str) -> None:
        self._delete_path(f"/flavors/{resource_id}")
