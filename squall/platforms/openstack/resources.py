"""Resource managers: how to list, name, delete and confirm deletion of one resource type.

A manager is registered with :func:`resource_manager` under ``SERVICE.TYPE``
(``keystone.user``) with its deletion ``order``: lower goes first, so what
depends on a resource is gone before it. Managers speak Keystone's REST API
through the connection's identity adapter: Keystone filters names on the
server (``name__startswith``), which openstacksdk's listing calls drop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, NotRequired, TypedDict

if TYPE_CHECKING:
    from openstack.connection import Connection


class Resource(TypedDict):
    """One discovered resource; ``tag``: the squall name its description carries, when its own name came
    from a task file."""

    type: str
    id: str
    name: str
    project_id: str | None
    tag: NotRequired[str]


def owner_name(res: Resource) -> str:
    """The name that tells who made a resource: its tag, else its name."""
    return res.get("tag") or res["name"]


_MANAGERS: dict[str, type[ResourceManager]] = {}


def resource_manager(service: str, resource: str, order: int) -> Callable[[type[ResourceManager]],
                                                                         type[ResourceManager]]:
    """Register a manager class for ``SERVICE.RESOURCE``."""

    def decorator(cls: type[ResourceManager]) -> type[ResourceManager]:
        cls.service = service
        cls.resource = resource
        cls.order = order
        _MANAGERS[f"{service}.{resource}"] = cls
        return cls

    return decorator


def managers(services: list[str] | None = None) -> list[type[ResourceManager]]:
    """Managers of the given services (all when None), in deletion order."""
    found = [m for m in _MANAGERS.values() if services is None or m.service in services]
    return sorted(found, key=lambda m: (m.order, m.service, m.resource))


def manager_class(type_name: str) -> type[ResourceManager]:
    """The manager of ``SERVICE.RESOURCE``."""
    return _MANAGERS[type_name]


def services() -> list[str]:
    """Every service with a resource manager."""
    return sorted({m.service for m in _MANAGERS.values()})


def is_not_found(exc: Exception) -> bool:
    """True when an OpenStack call failed with 404 (the resource is already gone)."""
    return getattr(exc, "http_status", None) == 404 or getattr(exc, "status_code", None) == 404


class ResourceManager:
    """Base of managers: subclasses set ``path`` and ``collection`` (the API's JSON keys).

    ``adapter`` names the connection's service proxy (``identity``, ``network``, ``image``) and
    ``service_type`` the catalog entry the manager needs: a cloud without it is not searched.
    """

    service: ClassVar[str] = ""
    resource: ClassVar[str] = ""
    order: ClassVar[int] = 1000
    path: ClassVar[str] = ""
    collection: ClassVar[str] = ""
    adapter: ClassVar[str] = "identity"
    service_type: ClassVar[str] = "identity"
    # Keystone deletes synchronously: a 204 means gone, no polling needed.
    synchronous: ClassVar[bool] = True

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # True when the server cut the last listing short (Keystone's max_db_limit).
        self.truncated = False

    @classmethod
    def type_name(cls) -> str:
        """``SERVICE.RESOURCE``."""
        return f"{cls.service}.{cls.resource}"

    @property
    def api(self) -> Any:
        """The connection's proxy of this manager's service (raising on HTTP errors)."""
        from squall.platforms.openstack.clients import api

        return api(self.conn, self.adapter)

    def available(self) -> bool:
        """True when the cloud's catalog has this manager's service."""
        from squall.platforms.openstack.clients import access_info

        catalog = access_info(self.conn).service_catalog.catalog
        return any(entry.get("type") == self.service_type for entry in catalog)

    def _project_of(self, raw: dict[str, Any]) -> str | None:
        return None

    def name(self, raw: dict[str, Any]) -> str:
        """The name cleanup matches."""
        return str(raw.get("name") or "")

    def tag(self, raw: dict[str, Any]) -> str | None:
        """The squall name in the description of a resource named by its task file (None: not such a type)."""
        return None

    def as_resource(self, raw: dict[str, Any]) -> Resource:
        """The listed item ``raw`` as a :class:`Resource`."""
        found = Resource(type=self.type_name(), id=str(raw["id"]), name=self.name(raw),
                         project_id=self._project_of(raw))
        tagged = self.tag(raw)
        if tagged:
            found["tag"] = tagged
        return found

    def list(self, name_prefix: str | None = None) -> list[Resource]:
        """Every resource of this type (whose name starts with ``name_prefix``, when given)."""
        params = {"name__startswith": name_prefix} if name_prefix else None
        body = self.api.get(self.path, params=params).json()
        self.truncated = bool(body.get("truncated", False))
        return [self.as_resource(raw) for raw in body.get(self.collection, [])]

    def item_path(self, resource_id: str) -> str:
        """The URL path of one resource (the listing's path and the id, unless a manager says otherwise)."""
        return f"{self.path}/{resource_id}"

    def delete(self, resource_id: str) -> None:
        """Delete one resource; an already missing one counts as deleted."""
        try:
            self.api.delete(self.item_path(resource_id))
        except Exception as exc:
            if not is_not_found(exc):
                raise

    def is_deleted(self, resource_id: str) -> bool:
        """True when the resource no longer exists."""
        try:
            self.api.get(self.item_path(resource_id))
        except Exception as exc:
            if is_not_found(exc):
                return True
            raise
        return False


@resource_manager("keystone", "user", order=100)
class KeystoneUser(ResourceManager):
    """Keystone users; a user's project is its ``default_project_id``."""

    path = "/users"
    collection = "users"

    def _project_of(self, raw: dict[str, Any]) -> str | None:
        return raw.get("default_project_id")


@resource_manager("keystone", "role", order=110)
class KeystoneRole(ResourceManager):
    """Keystone roles (their assignments go with them)."""

    path = "/roles"
    collection = "roles"


@resource_manager("keystone", "service", order=120)
class KeystoneService(ResourceManager):
    """Keystone catalog services."""

    path = "/services"
    collection = "services"

    def list(self, name_prefix: str | None = None) -> list[Resource]:
        # Services have no name filter on the server: filter here.
        found = super().list(None)
        return [r for r in found if not name_prefix or r["name"].startswith(name_prefix)]


@resource_manager("keystone", "project", order=200)
class KeystoneProject(ResourceManager):
    """Keystone projects; deleted after the users and roles in them."""

    path = "/projects"
    collection = "projects"
