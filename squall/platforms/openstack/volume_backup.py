"""Cinder's volume backups timed as Rally's atomic actions (``cinder_v3.create_backup`` ...).

A backup is waited for until ``available``, its deletion until Cinder answers
404. A restore makes a new volume, which squall names (Rally leaves Cinder's
``restore_backup_ID``), so that cleanup finds it.
"""

from __future__ import annotations

from typing import Any

from squall.platforms.openstack import waiting
from squall.platforms.openstack.block_storage import FAILED, TIMEOUT, BlockStorage
from squall.plugin_api.atomic import ActionTimer

BACKUP_FAILED = (*FAILED, "error_deleting")


class VolumeBackups:
    """The backups of one :class:`BlockStorage` (its connection, holder and names)."""

    def __init__(self, cinder: BlockStorage) -> None:
        self.cinder = cinder

    def _get(self, backup_id: str) -> dict[str, Any]:
        return self.cinder.request("GET", f"/backups/{backup_id}")["backup"]  # type: ignore[no-any-return]

    def create_backup(self, volume_id: str, container: str | None = None, description: str | None = None,
                      incremental: bool = False, force: bool = False,
                      snapshot_id: str | None = None) -> dict[str, Any]:
        """Back a volume up, until the backup is available (``cinder_v3.create_backup``)."""
        body = {"volume_id": volume_id, "name": self.cinder.new_name(), "incremental": incremental,
                "force": force, **{k: v for k, v in {"container": container, "description": description,
                                                      "snapshot_id": snapshot_id}.items() if v is not None}}
        with ActionTimer(self.cinder.holder, "cinder_v3.create_backup"):
            backup = self.cinder.request("POST", "/backups", json={"backup": body})["backup"]
            return waiting.wait_for_status(lambda: self._get(backup["id"]), ("available",), f"backup {backup['id']}",
                                           TIMEOUT, failed=BACKUP_FAILED)

    def delete_backup(self, backup: dict[str, Any]) -> None:
        """Delete a backup, until gone (``cinder_v3.delete_backup``)."""
        with ActionTimer(self.cinder.holder, "cinder_v3.delete_backup"):
            self.cinder.request("DELETE", f"/backups/{backup['id']}")
            waiting.wait_for_deletion(lambda: self._get(backup["id"]), f"backup {backup['id']}", TIMEOUT,
                                      failed=("error_deleting",))

    def restore_backup(self, backup_id: str, volume_id: str | None = None) -> dict[str, Any]:
        """Restore a backup (into a new volume unless ``volume_id``), until the volume is available
        (``cinder_v3.restore_backup``)."""
        body: dict[str, Any] = {"volume_id": volume_id}
        if volume_id is None:
            body["name"] = self.cinder.new_name()
        with ActionTimer(self.cinder.holder, "cinder_v3.restore_backup"):
            restore = self.cinder.request("POST", f"/backups/{backup_id}/restore", json={"restore": body})["restore"]
            return self.cinder.wait_volume(restore["volume_id"], "available")

    def list_backups(self, detailed: bool = True) -> list[dict[str, Any]]:
        """``cinder_v3.list_backups``."""
        with ActionTimer(self.cinder.holder, "cinder_v3.list_backups"):
            return self.cinder.request("GET", "/backups/detail" if detailed else "/backups")["backups"]  # type: ignore[no-any-return]
