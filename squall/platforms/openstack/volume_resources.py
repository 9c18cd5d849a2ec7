"""Resource managers of Cinder (backups, snapshots, volumes, volume types, QoS specs), and what squall's
servers own without a squall name.

Order (after the servers, order 2): backups, snapshots, volumes (with their
snapshots, ``cascade``), then types and QoS specs (after the volumes that
use them). :func:`owned_by` adds the unnamed volumes Nova made when it booted
a squall server from an image onto a new volume (found by their server, or,
when the build was cut short before the attachment, by their creator: one of
squall's users, in whose name Nova acted) and the ports Nova made for a
squall server.
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall import naming
from squall.platforms.openstack.compute_resources import NovaManager
from squall.platforms.openstack.resources import Resource, is_not_found, resource_manager

VOLUME_SERVICE_TYPES = ("block-storage", "volumev3", "volume", "volumev2", "block-store")


class CinderManager(NovaManager):
    """A Cinder collection (every project's, for an admin), deleted asynchronously (waited until 404)."""

    adapter: ClassVar[str] = "block_storage"
    service_type: ClassVar[str] = "volumev3"
    service: ClassVar[str] = "cinder"
    all_projects: ClassVar[dict[str, Any]] = {"all_tenants": 1}
    synchronous = False
    # The path of one item, {id} filled in.
    item: ClassVar[str] = ""

    def _project_of(self, raw: dict[str, Any]) -> str | None:
        return (raw.get("os-vol-tenant-attr:tenant_id") or raw.get("project_id")
                or raw.get("os-extended-snapshot-attributes:project_id"))

    def available(self) -> bool:
        """True when the catalog has Cinder under any of its service types."""
        from squall.platforms.openstack.clients import access_info

        catalog = access_info(self.conn).service_catalog.catalog
        return any(entry.get("type") in VOLUME_SERVICE_TYPES for entry in catalog)

    def item_path(self, resource_id: str) -> str:
        return self.item.format(id=resource_id)


@resource_manager("cinder", "backup", order=4)
class CinderBackup(CinderManager):
    """Volume backups."""

    path = "/backups/detail"
    collection = "backups"
    item = "/backups/{id}"


@resource_manager("cinder", "snapshot", order=5)
class CinderSnapshot(CinderManager):
    """Volume snapshots."""

    path = "/snapshots/detail"
    collection = "snapshots"
    item = "/snapshots/{id}"


@resource_manager("cinder", "volume", order=6)
class CinderVolume(CinderManager):
    """Volumes (their snapshots go with them: ``cascade``)."""

    path = "/volumes/detail"
    collection = "volumes"
    item = "/volumes/{id}"

    def delete(self, resource_id: str) -> None:
        try:
            self.api.delete(f"/volumes/{resource_id}", params={"cascade": "true"})
        except Exception as exc:
            if not is_not_found(exc):
                raise


@resource_manager("cinder", "volume_type", order=8)
class CinderVolumeType(CinderManager):
    """Volume types (after the volumes of that type); one the ``volume_types`` context named as the task file
    says is found by the squall name in its description."""

    path = "/types"
    collection = "volume_types"
    item = "/types/{id}"
    all_projects = {"is_public": "None"}
    synchronous = True
    paged = False

    def tag(self, raw: dict[str, Any]) -> str | None:
        return naming.tagged_name(raw.get("description"))


@resource_manager("cinder", "qos_specs", order=9)
class CinderQos(CinderManager):
    """QoS specs, disassociated from their types by ``force``."""

    path = "/qos-specs"
    collection = "qos_specs"
    item = "/qos-specs/{id}"
    all_projects = {}
    synchronous = True
    paged = False

    def delete(self, resource_id: str) -> None:
        try:
            self.api.delete(f"/qos-specs/{resource_id}", params={"force": "true"})
        except Exception as exc:
            if not is_not_found(exc):
                raise


def owned_by(conn: Any, found: list[Resource]) -> list[Resource]:
    """Resources without a squall name that found ones own: volumes attached to a found server or created
    by a found user (squall's users' passwords are squall's: only squall acts as them), ports Nova made for
    a found server."""
    from squall.platforms.openstack.network_resources import NeutronPort

    servers = {r["id"] for r in found if r["type"] == "nova.server"}
    users = {r["id"] for r in found if r["type"] == "keystone.user"}
    if not servers and not users:
        return []
    known = {(r["type"], r["id"]) for r in found}
    extra: list[Resource] = []
    volumes = CinderVolume(conn)
    if volumes.available():
        for raw in volumes.raw_list():
            if raw.get("user_id") in users or any(a.get("server_id") in servers
                                                  for a in raw.get("attachments") or []):
                extra.append(volumes.as_resource(raw))
    ports = NeutronPort(conn)
    if servers and ports.available():
        extra += [ports.as_resource(raw) for raw in ports.raw_list() if raw.get("device_id") in servers]
    return [r for r in extra if (r["type"], r["id"]) not in known]
