"""Scenarios of servers with volumes: boot from a volume, attach and detach, with Rally's atomic actions.

As Rally, a server booted from a volume keeps the volume when it is deleted
(``delete_on_termination`` off): cleanup deletes it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack import resource_args
from squall.platforms.openstack.api_versions_context import microversion
from squall.platforms.openstack.block_storage import BlockStorage, volume_size
from squall.platforms.openstack.cinder_scenarios import CinderScenario
from squall.platforms.openstack.nova_scenario import NovaScenario
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure

CLEANUP = {"cleanup@openstack": ["nova", "cinder"]}


class VolumeServerScenario(NovaScenario):
    """Nova and Cinder as the iteration's user."""

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """Image and flavor specs, sizes."""
        return NovaScenario.argument_errors(args, path) + [
            e for e in CinderScenario.argument_errors({k: v for k, v in args.items() if k != "image"}, path)]

    @property
    def cinder(self) -> BlockStorage:
        """Cinder as this iteration's user."""
        return BlockStorage(self.iteration_clients(), self, self.generate_random_name,
                            microversion(self.context, "cinder"))

    def attach(self, server: dict[str, Any], volume: dict[str, Any]) -> dict[str, Any]:
        """Attach, until the volume is in-use (``nova.attach_volume``; ``volume`` is updated); the attachment."""
        with ActionTimer(self, "nova.attach_volume"):
            found = self.nova.request("POST", f"/servers/{server['id']}/os-volume_attachments",
                                      json={"volumeAttachment": {"volumeId": volume["id"]}})
            volume.update(self.cinder.wait_volume(volume["id"], "in-use"))
            return found["volumeAttachment"]  # type: ignore[no-any-return]

    def detach(self, server: dict[str, Any], volume: dict[str, Any]) -> None:
        """Detach, until the volume is available (``nova.detach_volume``)."""
        with ActionTimer(self, "nova.detach_volume"):
            self.nova.request("DELETE", f"/servers/{server['id']}/os-volume_attachments/{volume['id']}")
            volume.update(self.cinder.wait_volume(volume["id"], "available"))

    def boot_and_attach(self, image: Any, flavor: Any, volume_size: Any, boot_server_kwargs: dict[str, Any] | None,
                        create_volume_kwargs: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Boot a server, create a volume and attach it: (server, volume)."""
        server = self.boot(image, flavor, **(boot_server_kwargs or {}))
        volume = self.cinder.create_volume(volume_size, **(create_volume_kwargs or {}))
        self.attach(server, volume)
        return server, volume

    def detach_and_delete(self, server: dict[str, Any], volume: dict[str, Any], force_delete: bool) -> None:
        """Detach the volume, delete it, then the server."""
        self.detach(server, volume)
        self.cinder.delete_volume(volume)
        self.nova.delete_server(server, force=force_delete)

    def boot_from_volume(self, image: Any, flavor: Any, volume_size: Any, volume_type: str | None,
                         create_volume_kwargs: dict[str, Any] | None, boot_server_kwargs: dict[str, Any] | None,
                         auto_assign_nic: bool = False) -> dict[str, Any]:
        """A volume made from ``image``, then a server booted from it (kept at the server's deletion)."""
        image_ref = resource_args.image_id(self.iteration_clients(), image)
        volume = self.cinder.create_volume(volume_size, imageRef=image_ref, volume_type=volume_type,
                                           **(create_volume_kwargs or {}))
        return self.boot(None, flavor, auto_assign_nic=auto_assign_nic,
                         block_device_mapping={"vda": f"{volume['id']}:::0"}, **(boot_server_kwargs or {}))


@configure(name="NovaServers.boot_server_from_volume", platform="openstack", context=CLEANUP)
class BootServerFromVolume(VolumeServerScenario):
    """Create a volume from ``image``, boot a server from it."""

    def run(self, image: Any, flavor: Any, volume_size: Any, volume_type: str | None = None,
            auto_assign_nic: bool = False, create_volume_kwargs: dict[str, Any] | None = None,
            boot_server_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.boot_from_volume(image, flavor, volume_size, volume_type, create_volume_kwargs,
                              {**(boot_server_kwargs or {}), **kwargs}, auto_assign_nic)


@configure(name="NovaServers.boot_server_from_volume_and_delete", platform="openstack", context=CLEANUP)
class BootServerFromVolumeAndDelete(VolumeServerScenario):
    """Create a volume from ``image``, boot a server from it, sleep, delete the server."""

    def run(self, image: Any, flavor: Any, volume_size: Any, volume_type: str | None = None, min_sleep: float = 0,
            max_sleep: float = 0, force_delete: bool = False, create_volume_kwargs: dict[str, Any] | None = None,
            boot_server_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        server = self.boot_from_volume(image, flavor, volume_size, volume_type, create_volume_kwargs,
                                       {**(boot_server_kwargs or {}), **kwargs})
        self.sleep_between(min_sleep, max_sleep)
        self.nova.delete_server(server, force=force_delete)


@configure(name="NovaServers.boot_server_from_volume_snapshot", platform="openstack", context=CLEANUP)
class BootServerFromVolumeSnapshot(VolumeServerScenario):
    """Create a volume from ``image``, snapshot it, boot a server from the snapshot (Nova makes the volume)."""

    def run(self, image: Any, flavor: Any, volume_size: Any, volume_type: str | None = None,
            auto_assign_nic: bool = False, create_volume_kwargs: dict[str, Any] | None = None,
            boot_server_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(volume_size, imageRef=resource_args.image_id(self.iteration_clients(), image),
                                      volume_type=volume_type, **(create_volume_kwargs or {}))
        snapshot = cinder.create_snapshot(volume["id"], force=False)
        self.boot(None, flavor, auto_assign_nic=auto_assign_nic,
                  block_device_mapping={"vda": f"{snapshot['id']}:snap::1"}, **(boot_server_kwargs or kwargs))


class _ResizeWithVolume(VolumeServerScenario):
    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = frozenset()

    def finish(self, server: dict[str, Any], to_flavor: Any, confirm: bool, min_sleep: float,
               max_sleep: float) -> None:
        self.sleep_between(min_sleep, max_sleep)
        self.resize(server, to_flavor, confirm)


@configure(name="NovaServers.boot_server_from_volume_and_resize", platform="openstack", context=CLEANUP)
class BootServerFromVolumeAndResize(_ResizeWithVolume):
    """Create a volume from ``image``, boot a server from it, sleep, resize it to ``to_flavor`` (confirmed or
    reverted), delete the server."""

    def run(self, image: Any, flavor: Any, to_flavor: Any, volume_size: Any, min_sleep: float = 0,
            max_sleep: float = 0, force_delete: bool = False, confirm: bool = True, do_delete: bool = True,
            boot_server_kwargs: dict[str, Any] | None = None,
            create_volume_kwargs: dict[str, Any] | None = None) -> None:
        server = self.boot_from_volume(image, flavor, volume_size, None, create_volume_kwargs,
                                       boot_server_kwargs)
        self.finish(server, to_flavor, confirm, min_sleep, max_sleep)
        if do_delete:
            self.nova.delete_server(server, force=force_delete)


@configure(name="NovaServers.boot_server_attach_created_volume_and_resize", platform="openstack",
           context=CLEANUP)
class BootServerAttachCreatedVolumeAndResize(_ResizeWithVolume):
    """Boot a server, create and attach a volume, sleep, resize the server (confirmed or reverted), detach
    and delete the volume, delete the server."""

    def run(self, image: Any, flavor: Any, to_flavor: Any, volume_size: Any, min_sleep: float = 0,
            max_sleep: float = 0, force_delete: bool = False, confirm: bool = True, do_delete: bool = True,
            boot_server_kwargs: dict[str, Any] | None = None,
            create_volume_kwargs: dict[str, Any] | None = None) -> None:
        server, volume = self.boot_and_attach(image, flavor, volume_size, boot_server_kwargs, create_volume_kwargs)
        self.finish(server, to_flavor, confirm, min_sleep, max_sleep)
        if do_delete:
            self.detach_and_delete(server, volume, force_delete)


@configure(name="CinderVolumes.create_and_attach_volume", platform="openstack", context=CLEANUP)
class CreateAndAttachVolume(VolumeServerScenario):
    """Boot a server, create a volume, attach it, detach it, delete the volume, then the server."""

    def run(self, size: Any, image: Any, flavor: Any, create_volume_params: dict[str, Any] | None = None,
            force_delete: bool = False, create_vm_params: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if kwargs and create_vm_params:
            raise ValueError("give the server's arguments in create_vm_params or beside it, not both")
        server = self.boot(image, flavor, **(create_vm_params or kwargs))
        cinder = self.cinder
        volume = cinder.create_volume(size, **(create_volume_params or {}))
        self.attach(server, volume)
        self.detach(server, volume)
        cinder.delete_volume(volume)
        self.nova.delete_server(server, force=force_delete)


@configure(name="NovaServers.boot_server_attach_volume_and_list_attachments", platform="openstack",
           context=CLEANUP)
class BootServerAttachVolumeAndListAttachments(VolumeServerScenario):
    """Boot a server, create and attach ``volume_num`` volumes, list the attachments: all must be there."""

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = frozenset()

    def run(self, image: Any, flavor: Any, volume_size: Any = 1, volume_num: int = 2,
            boot_server_kwargs: dict[str, Any] | None = None,
            create_volume_kwargs: dict[str, Any] | None = None) -> None:
        server = self.boot(image, flavor, **(boot_server_kwargs or {}))
        attached = [self.attach(server, self.cinder.create_volume(volume_size, **(create_volume_kwargs or {})))
                    for _ in range(volume_num)]
        with ActionTimer(self, "nova.list_attachments"):
            listed = self.nova.request("GET", f"/servers/{server['id']}/os-volume_attachments")
        seen = {a["volumeId"] for a in listed["volumeAttachments"]}
        missing = [a["volumeId"] for a in attached if a["volumeId"] not in seen]
        if missing:
            raise AssertionError(f"attached volumes missing from the server's attachments: {', '.join(missing)}")


@configure(name="NovaServers.boot_server_attach_created_volume_and_extend", platform="openstack",
           context=CLEANUP)
class BootServerAttachCreatedVolumeAndExtend(VolumeServerScenario):
    """Boot a server, create and attach a volume, sleep, extend it (online), detach it and delete both."""

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = frozenset()

    def run(self, image: Any, flavor: Any, volume_size: Any, new_volume_size: Any, min_sleep: float = 0,
            max_sleep: float = 0, force_delete: bool = False, do_delete: bool = True,
            boot_server_kwargs: dict[str, Any] | None = None,
            create_volume_kwargs: dict[str, Any] | None = None) -> None:
        server, volume = self.boot_and_attach(image, flavor, volume_size, boot_server_kwargs, create_volume_kwargs)
        self.sleep_between(min_sleep, max_sleep)
        self.cinder.extend_volume(volume, new_volume_size)
        if do_delete:
            self.detach_and_delete(server, volume, force_delete)


@configure(name="CinderVolumes.create_snapshot_and_attach_volume", platform="openstack", context=CLEANUP)
class CreateSnapshotAndAttachVolume(VolumeServerScenario):
    """Create a volume and snapshot it, boot a server, attach and detach the volume, delete everything."""

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = frozenset({"description", "metadata"})

    def run(self, image: Any, flavor: Any, volume_type: str | None = None, size: Any = None,
            create_vm_params: dict[str, Any] | None = None, **kwargs: Any) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(size or {"min": 1, "max": 5}, volume_type=volume_type)
        snapshot = cinder.create_snapshot(volume["id"], force=False, **kwargs)
        server = self.boot(image, flavor, **(create_vm_params or {}))
        self.attach(server, volume)
        self.detach(server, volume)
        cinder.delete_snapshot(snapshot)
        cinder.delete_volume(volume)
        self.nova.delete_server(server)


@configure(name="CinderVolumes.create_nested_snapshots_and_attach_volume", platform="openstack", context=CLEANUP)
class CreateNestedSnapshotsAndAttachVolume(VolumeServerScenario):
    """Boot a server; a volume, its snapshot, attach; then ``nested_level - 1`` times a volume from the last
    snapshot, its snapshot, attach; then detach and delete it all, last first."""

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = frozenset()
    RESTRICTED = {"create_volume_kwargs": ("name", "display_name"),
                  "create_snapshot_kwargs": ("name", "display_name"),
                  "create_vm_params": ("name", "display_name")}

    def run(self, image: Any, flavor: Any, size: Any = None, nested_level: int = 1,
            create_volume_kwargs: dict[str, Any] | None = None,
            create_snapshot_kwargs: dict[str, Any] | None = None,
            create_vm_params: dict[str, Any] | None = None) -> None:
        cinder = self.cinder
        size = volume_size(size or {"min": 1, "max": 5})
        server = self.boot(image, flavor, **(create_vm_params or {}))
        volume = cinder.create_volume(size, **(create_volume_kwargs or {}))
        snapshot = cinder.create_snapshot(volume["id"], force=False, **(create_snapshot_kwargs or {}))
        self.attach(server, volume)
        made = [(volume, snapshot)]
        for _ in range(nested_level - 1):
            volume = cinder.create_volume(size, snapshot_id=snapshot["id"])
            snapshot = cinder.create_snapshot(volume["id"], force=False, **(create_snapshot_kwargs or {}))
            self.attach(server, volume)
            made.append((volume, snapshot))
        for volume, snapshot in reversed(made):
            self.detach(server, volume)
            cinder.delete_snapshot(snapshot)
            cinder.delete_volume(volume)
        self.nova.delete_server(server)
