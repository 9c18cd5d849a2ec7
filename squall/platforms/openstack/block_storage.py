"""Cinder v3 calls timed as Rally's atomic actions (``cinder_v3.create_volume``, ``cinder_v3.delete_volume``...).

Volumes, snapshots and backups are dicts as Cinder returns them; creation
waits until ``available``, deletion until Cinder answers 404.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from squall.platforms.openstack import clients, waiting
from squall.plugin_api.atomic import ActionTimer, AtomicActionsHolder

if TYPE_CHECKING:
    from openstack.connection import Connection

TIMEOUT = 600.0
FAILED = ("error", "error_restoring", "error_extending")
# Rally's create_volume keyword arguments (besides size; the name is squall's).
VOLUME_ARGUMENTS = frozenset({"description", "volume_type", "availability_zone", "metadata", "imageRef",
                              "snapshot_id", "source_volid", "scheduler_hints", "backup_id",
                              "consistencygroup_id"})


ONLINE_EXTEND = "3.42"


def _older(version: str | None, than: str) -> bool:
    if not version:
        return True
    return tuple(int(p) for p in version.split(".")) < tuple(int(p) for p in than.split("."))


def volume_size(size: int | dict[str, int]) -> int:
    """Rally's size: a number of GiB or ``{min, max}`` (a random size between them)."""
    if isinstance(size, dict):
        return random.randint(int(size["min"]), int(size["max"]))
    return int(size)


class BlockStorage:
    """Cinder for one connection; each method times itself under ``holder``."""

    def __init__(self, conn: Connection, holder: AtomicActionsHolder, name_generator: Callable[[], str],
                 microversion: str | None = None) -> None:
        self.conn = conn
        self.holder = holder
        self.new_name = name_generator
        self.microversion = microversion

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One block-storage API call (at the workload's microversion, if it chose one); the JSON body, or None."""
        if self.microversion:
            kwargs.setdefault("microversion", self.microversion)
        resp = clients.api(self.conn, "block_storage").request(path, method, **kwargs)
        return resp.json() if resp.content else None

    def get_volume(self, volume_id: str) -> dict[str, Any]:
        """The volume as Cinder shows it now."""
        return self.request("GET", f"/volumes/{volume_id}")["volume"]  # type: ignore[no-any-return]

    def wait_volume(self, volume_id: str, *ready: str) -> dict[str, Any]:
        """Until the volume is in one of ``ready``."""
        return waiting.wait_for_status(lambda: self.get_volume(volume_id), ready, f"volume {volume_id}", TIMEOUT,
                                       failed=FAILED)

    def create_volume(self, size: int | dict[str, int], **kwargs: Any) -> dict[str, Any]:
        """Create a volume and wait until it is available (``cinder_v3.create_volume``)."""
        body = {"name": self.new_name(), "size": volume_size(size),
                **{k: v for k, v in kwargs.items() if v is not None}}
        with ActionTimer(self.holder, "cinder_v3.create_volume"):
            volume = self.request("POST", "/volumes", json={"volume": body})["volume"]
            return self.wait_volume(volume["id"], "available")

    def delete_volume(self, volume: dict[str, Any]) -> None:
        """Delete a volume and wait until it is gone (``cinder_v3.delete_volume``)."""
        with ActionTimer(self.holder, "cinder_v3.delete_volume"):
            self.request("DELETE", f"/volumes/{volume['id']}")
            waiting.wait_for_deletion(lambda: self.get_volume(volume["id"]), f"volume {volume['id']}", TIMEOUT)

    def list_volumes(self, detailed: bool = True, **params: Any) -> list[dict[str, Any]]:
        """``cinder_v3.list_volumes``."""
        with ActionTimer(self.holder, "cinder_v3.list_volumes"):
            return self.request("GET", "/volumes/detail" if detailed else "/volumes",  # type: ignore[no-any-return]
                                params={k: v for k, v in params.items() if v is not None})["volumes"]

    def timed_get_volume(self, volume_id: str) -> dict[str, Any]:
        """``cinder_v3.get_volume``."""
        with ActionTimer(self.holder, "cinder_v3.get_volume"):
            return self.get_volume(volume_id)

    def update_volume(self, volume_id: str, **fields: Any) -> dict[str, Any]:
        """A new squall name (and ``description``) (``cinder_v3.update_volume``)."""
        body = {"name": self.new_name(), **{k: v for k, v in fields.items() if k != "name"}}
        with ActionTimer(self.holder, "cinder_v3.update_volume"):
            return self.request("PUT", f"/volumes/{volume_id}", json={"volume": body})["volume"]  # type: ignore[no-any-return]

    def extend_volume(self, volume: dict[str, Any], new_size: int | dict[str, int]) -> dict[str, Any]:
        """Grow the volume and wait until it is back to its status (``cinder_v3.extend_volume``); an attached
        volume is extended online (microversion 3.42, which Rally's client does not ask for)."""
        online = {"microversion": ONLINE_EXTEND} if volume.get("status") == "in-use" and _older(
            self.microversion, ONLINE_EXTEND) else {}
        with ActionTimer(self.holder, "cinder_v3.extend_volume"):
            self.request("POST", f"/volumes/{volume['id']}/action",
                         json={"os-extend": {"new_size": volume_size(new_size)}}, **online)
            return self.wait_volume(volume["id"], "available", "in-use")

    def _get_snapshot(self, snapshot_id: str) -> dict[str, Any]:
        return self.request("GET", f"/snapshots/{snapshot_id}")["snapshot"]  # type: ignore[no-any-return]

    def create_snapshot(self, volume_id: str, force: bool = False, **kwargs: Any) -> dict[str, Any]:
        """Snapshot a volume, until available (``cinder_v3.create_snapshot``)."""
        body = {"volume_id": volume_id, "force": force, "name": self.new_name(),
                **{k: v for k, v in kwargs.items() if v is not None}}
        with ActionTimer(self.holder, "cinder_v3.create_snapshot"):
            snapshot = self.request("POST", "/snapshots", json={"snapshot": body})["snapshot"]
            return waiting.wait_for_status(lambda: self._get_snapshot(snapshot["id"]), ("available",),
                                           f"snapshot {snapshot['id']}", TIMEOUT, failed=FAILED)

    def delete_snapshot(self, snapshot: dict[str, Any]) -> None:
        """Delete a snapshot, until gone (``cinder_v3.delete_snapshot``)."""
        with ActionTimer(self.holder, "cinder_v3.delete_snapshot"):
            self.request("DELETE", f"/snapshots/{snapshot['id']}")
            waiting.wait_for_deletion(lambda: self._get_snapshot(snapshot["id"]), f"snapshot {snapshot['id']}",
                                      TIMEOUT)

    def list_snapshots(self, detailed: bool = True) -> list[dict[str, Any]]:
        """``cinder_v3.list_snapshots``."""
        with ActionTimer(self.holder, "cinder_v3.list_snapshots"):
            return self.request("GET", "/snapshots/detail" if detailed else "/snapshots")["snapshots"]  # type: ignore[no-any-return]

    def list_types(self, **params: Any) -> list[dict[str, Any]]:
        """``cinder_v3.list_types``."""
        with ActionTimer(self.holder, "cinder_v3.list_types"):
            return self.request("GET", "/types",  # type: ignore[no-any-return]
                                params={k: v for k, v in params.items() if v is not None})["volume_types"]

    def set_metadata(self, volume_id: str, sets: int = 10, set_size: int = 3) -> list[str]:
        """``sets`` metadata updates of ``set_size`` random keys each (``cinder_v3.set_SIZE_metadatas_SETS_times``)."""
        keys = []
        with ActionTimer(self.holder, f"cinder_v3.set_{set_size}_metadatas_{sets}_times"):
            for _ in range(sets):
                meta = {f"sq{random.getrandbits(40):010x}": "value" for _ in range(set_size)}
                self.request("POST", f"/volumes/{volume_id}/metadata", json={"metadata": meta})
                keys += list(meta)
        return keys

    def delete_metadata(self, volume_id: str, keys: list[str], deletes: int = 10, delete_size: int = 3) -> None:
        """``deletes`` rounds deleting ``delete_size`` of ``keys`` each
        (``cinder_v3.delete_SIZE_metadatas_DELETES_times``)."""
        if deletes * delete_size > len(keys):
            raise ValueError(f"cannot delete {deletes * delete_size} metadata keys: only {len(keys)} were set")
        pool = list(keys)
        with ActionTimer(self.holder, f"cinder_v3.delete_{delete_size}_metadatas_{deletes}_times"):
            for _ in range(deletes):
                for _ in range(delete_size):
                    key = pool.pop(random.randrange(len(pool)))
                    self.request("DELETE", f"/volumes/{volume_id}/metadata/{key}")
