"""Rally's volume backup scenarios (``CinderVolumes.*backup*``, ``CinderVolumeBackups.*``), with Rally's names,
arguments and atomic actions. They need a ``cinder-backup`` service in the cloud."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack.cinder_scenarios import CLEANUP, CinderScenario
from squall.platforms.openstack.volume_backup import VolumeBackups
from squall.plugin_api.scenario import configure


class BackupScenario(CinderScenario):
    """A volume of the iteration's user and its backups."""

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = frozenset()
    RESTRICTED = {"create_volume_kwargs": ("name", "display_name"), "create_backup_kwargs": ("name",)}

    def volume_and_backup(self, size: Any, create_volume_kwargs: dict[str, Any] | None,
                          create_backup_kwargs: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any],
                                                                                VolumeBackups]:
        cinder = self.cinder
        volume = cinder.create_volume(size, **(create_volume_kwargs or {}))
        backups = VolumeBackups(cinder)
        return volume, backups.create_backup(volume["id"], **(create_backup_kwargs or {})), backups


@configure(name="CinderVolumes.create_volume_backup", platform="openstack", context=CLEANUP)
class CreateVolumeBackup(BackupScenario):
    """Create a volume, back it up, then delete both."""

    def run(self, size: Any, do_delete: bool = True, create_volume_kwargs: dict[str, Any] | None = None,
            create_backup_kwargs: dict[str, Any] | None = None) -> None:
        volume, backup, backups = self.volume_and_backup(size, create_volume_kwargs, create_backup_kwargs)
        if do_delete:
            self.cinder.delete_volume(volume)
            backups.delete_backup(backup)


@configure(name="CinderVolumes.create_and_restore_volume_backup", platform="openstack", context=CLEANUP)
class CreateAndRestoreVolumeBackup(BackupScenario):
    """Create a volume, back it up, restore the backup into a new volume, then delete the volume and backup
    (cleanup deletes the restored volume, as Rally leaves it)."""

    def run(self, size: Any, do_delete: bool = True, create_volume_kwargs: dict[str, Any] | None = None,
            create_backup_kwargs: dict[str, Any] | None = None) -> None:
        volume, backup, backups = self.volume_and_backup(size, create_volume_kwargs, create_backup_kwargs)
        backups.restore_backup(backup["id"])
        if do_delete:
            self.cinder.delete_volume(volume)
            backups.delete_backup(backup)


@configure(name="CinderVolumes.create_and_list_volume_backups", platform="openstack", context=CLEANUP)
class CreateAndListVolumeBackups(BackupScenario):
    """Create a volume, back it up, list backups, then delete both."""

    def run(self, size: Any, detailed: bool = True, do_delete: bool = True,
            create_volume_kwargs: dict[str, Any] | None = None,
            create_backup_kwargs: dict[str, Any] | None = None) -> None:
        volume, backup, backups = self.volume_and_backup(size, create_volume_kwargs, create_backup_kwargs)
        backups.list_backups(detailed)
        if do_delete:
            self.cinder.delete_volume(volume)
            backups.delete_backup(backup)


@configure(name="CinderVolumeBackups.create_incremental_volume_backup", platform="openstack", context=CLEANUP)
class CreateIncrementalVolumeBackup(BackupScenario):
    """Create a volume, a full backup and an incremental one, then delete them all (newest first)."""

    def run(self, size: Any, do_delete: bool = True, create_volume_kwargs: dict[str, Any] | None = None,
            create_backup_kwargs: dict[str, Any] | None = None) -> None:
        volume, full, backups = self.volume_and_backup(size, create_volume_kwargs, create_backup_kwargs)
        incremental = backups.create_backup(volume["id"], incremental=True)
        if do_delete:
            backups.delete_backup(incremental)
            backups.delete_backup(full)
            self.cinder.delete_volume(volume)
