"""More ``CinderVolumes.*``: volumes from snapshots, clones, the read-only flag, transfers; Rally's names,
arguments and atomic actions."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack.cinder_scenarios import CLEANUP, CinderScenario
from squall.platforms.openstack.image import Image
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure


@configure(name="CinderVolumes.create_volume_from_snapshot", platform="openstack", context=CLEANUP)
class CreateVolumeFromSnapshot(CinderScenario):
    """Snapshot a ``volumes`` context volume, create a volume from the snapshot, then delete both."""

    def run(self, do_delete: bool = True, create_snapshot_kwargs: dict[str, Any] | None = None,
            **kwargs: Any) -> None:
        cinder = self.cinder
        source = self.context_volume()
        snapshot = cinder.create_snapshot(source["id"], **(create_snapshot_kwargs or {}))
        volume = cinder.create_volume(source["size"], snapshot_id=snapshot["id"], **kwargs)
        if do_delete:
            cinder.delete_volume(volume)
            cinder.delete_snapshot(snapshot)


@configure(name="CinderVolumes.create_volume_and_clone", platform="openstack", context=CLEANUP)
class CreateVolumeAndClone(CinderScenario):
    """Create a volume, then clone it ``nested_level`` times, each clone of the last (``cinder.clone_volume``)."""

    def run(self, size: Any, image: Any = None, nested_level: int = 1, **kwargs: Any) -> None:
        cinder = self.cinder
        source = cinder.create_volume(size, **self.volume_args(image, kwargs))
        for _ in range(nested_level):
            with ActionTimer(self, "cinder.clone_volume"):
                source = cinder.create_volume(source["size"], source_volid=source["id"], **kwargs)


@configure(name="CinderVolumes.create_volume_and_update_readonly_flag", platform="openstack", context=CLEANUP)
class CreateVolumeAndUpdateReadonlyFlag(CinderScenario):
    """Create a volume, then set its read-only flag."""

    def run(self, size: Any, image: Any = None, read_only: bool = True, **kwargs: Any) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(size, **self.volume_args(image, kwargs))
        with ActionTimer(self, "cinder_v3.update_readonly_flag"):
            cinder.request("POST", f"/volumes/{volume['id']}/action",
                           json={"os-update_readonly_flag": {"readonly": read_only}})


@configure(name="CinderVolumes.create_and_accept_transfer", platform="openstack", context=CLEANUP)
class CreateAndAcceptTransfer(CinderScenario):
    """Create a volume, offer it for transfer, then accept the transfer."""

    def run(self, size: Any, image: Any = None, **kwargs: Any) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(size, **self.volume_args(image, kwargs))
        with ActionTimer(self, "cinder_v3.transfer_create"):
            transfer = cinder.request("POST", "/os-volume-transfer", json={"transfer": {
                "volume_id": volume["id"], "name": self.generate_random_name()}})["transfer"]
        with ActionTimer(self, "cinder_v3.transfer_accept"):
            cinder.request("POST", f"/os-volume-transfer/{transfer['id']}/accept",
                           json={"accept": {"auth_key": transfer["auth_key"]}})


@configure(name="CinderVolumes.list_transfers", platform="openstack")
class ListTransfers(CinderScenario):
    """List volume transfers."""

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = frozenset()

    def run(self, detailed: bool = True, search_opts: dict[str, Any] | None = None) -> None:
        with ActionTimer(self, "cinder_v3.list_transfers"):
            self.cinder.request("GET", "/os-volume-transfer/detail" if detailed else "/os-volume-transfer",
                                params=search_opts or None)


@configure(name="CinderVolumes.create_and_upload_volume_to_image", platform="openstack",
           context={"cleanup@openstack": ["cinder", "glance"]})
class CreateAndUploadVolumeToImage(CinderScenario):
    """Create a volume (from ``image``, if given), upload it to a new Glance image until the volume is available
    and the image active (``cinder_v3.upload_volume_to_image``), then delete both."""

    def run(self, size: Any, image: Any = None, force: bool = False, container_format: str = "bare",
            disk_format: str = "raw", do_delete: bool = True, **kwargs: Any) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(size, **self.volume_args(image, kwargs))
        glance = Image(self.iteration_clients(), self, self.generate_random_name)
        with ActionTimer(self, "cinder_v3.upload_volume_to_image"):
            body = {"os-volume_upload_image": {"force": force, "image_name": self.generate_random_name(),
                                               "container_format": container_format, "disk_format": disk_format}}
            answer = cinder.request("POST", f"/volumes/{volume['id']}/action", json=body)
            cinder.wait_volume(volume["id"], "available")
            uploaded = glance.wait_active(answer["os-volume_upload_image"]["image_id"])
        if do_delete:
            cinder.delete_volume(volume)
            glance.delete_image(uploaded["id"])
