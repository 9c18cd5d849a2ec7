"""``CinderVolumes.*``: Rally's volume scenarios, with Rally's names, arguments and atomic actions.

``size`` is GiB or ``{min, max}``; ``image`` a Rally spec (the volume is made
from it); ``**kwargs`` are Rally's ``create_volume`` arguments. Scenarios that
pick a volume use the ``volumes`` context's.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from squall import exceptions
from squall.platforms.openstack import resource_args
from squall.platforms.openstack.api_versions_context import microversion
from squall.platforms.openstack.block_storage import VOLUME_ARGUMENTS, BlockStorage
from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugin_api.scenario import configure

CLEANUP = {"cleanup@openstack": ["cinder"]}


class CinderScenario(OpenStackScenario):
    """A scenario on Cinder as the iteration's user (or the admin when there are no users)."""

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = VOLUME_ARGUMENTS

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """``image`` is a Rally spec; ``size`` a number or {min, max}."""
        errors = resource_args.spec_errors(args["image"], f"{path}.image") if args.get("image") else []
        for key in ("size", "new_size", "volume_size"):
            size = args.get(key)
            if isinstance(size, dict) and not ({"min", "max"} <= set(size) and size["min"] <= size["max"]):
                errors.append(f"{path}.{key}: give {{min, max}} with min <= max, not {size!r}")
        return errors

    @property
    def cinder(self) -> BlockStorage:
        """Cinder as this iteration's user."""
        return BlockStorage(self.iteration_clients(), self, self.generate_random_name,
                            microversion(self.context, "cinder"))

    def volume_args(self, image: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        """``kwargs`` with ``imageRef`` for ``image``, and ``volume_type`` resolved when it is a spec."""
        out = dict(kwargs)
        if image:
            out["imageRef"] = resource_args.image_id(self.iteration_clients(), image)
        return out

    def context_volume(self) -> dict[str, Any]:
        """A random volume of the tenant's (the ``volumes`` context)."""
        volumes = (self.context.get("tenant") or {}).get("volumes")
        if not volumes:
            raise exceptions.InvalidConfigError(f"{self.plugin_name} needs the volumes context")
        return random.choice(volumes)  # type: ignore[no-any-return]


@configure(name="CinderVolumes.create_volume", platform="openstack", context=CLEANUP)
class CreateVolume(CinderScenario):
    """Create a volume (cleanup deletes it)."""

    def run(self, size: Any, image: Any = None, **kwargs: Any) -> None:
        self.cinder.create_volume(size, **self.volume_args(image, kwargs))


@configure(name="CinderVolumes.create_and_delete_volume", platform="openstack", context=CLEANUP)
class CreateAndDeleteVolume(CinderScenario):
    """Create a volume, sleep between ``min_sleep`` and ``max_sleep`` (idle), delete it."""

    def run(self, size: Any, image: Any = None, min_sleep: float = 0, max_sleep: float = 0, **kwargs: Any) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(size, **self.volume_args(image, kwargs))
        self.sleep_between(min_sleep, max_sleep)
        cinder.delete_volume(volume)


@configure(name="CinderVolumes.create_and_list_volume", platform="openstack", context=CLEANUP)
class CreateAndListVolume(CinderScenario):
    """Create a volume, then list volumes."""

    def run(self, size: Any, detailed: bool = True, image: Any = None, **kwargs: Any) -> None:
        cinder = self.cinder
        cinder.create_volume(size, **self.volume_args(image, kwargs))
        cinder.list_volumes(detailed)


@configure(name="CinderVolumes.create_and_get_volume", platform="openstack", context=CLEANUP)
class CreateAndGetVolume(CinderScenario):
    """Create a volume, then get it."""

    def run(self, size: Any, image: Any = None, **kwargs: Any) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(size, **self.volume_args(image, kwargs))
        cinder.timed_get_volume(volume["id"])


@configure(name="CinderVolumes.list_volumes", platform="openstack")
class ListVolumes(CinderScenario):
    """List volumes (``search_opts``, ``marker``, ``limit``, ``sort`` as Cinder's filters)."""

    def run(self, detailed: bool = True, search_opts: dict[str, Any] | None = None, marker: str | None = None,
            limit: int | None = None, sort: str | None = None) -> None:
        self.cinder.list_volumes(detailed, marker=marker, limit=limit, sort=sort, **(search_opts or {}))


@configure(name="CinderVolumes.list_types", platform="openstack")
class ListTypes(CinderScenario):
    """List volume types."""

    def run(self, search_opts: dict[str, Any] | None = None, is_public: bool | None = None) -> None:
        self.cinder.list_types(is_public=is_public, **(search_opts or {}))


@configure(name="CinderVolumes.create_and_update_volume", platform="openstack", context=CLEANUP)
class CreateAndUpdateVolume(CinderScenario):
    """Create a volume, then update it (a new name; ``update_volume_kwargs.description``)."""

    RESTRICTED = {"create_volume_kwargs": ("name", "display_name"),
                  "update_volume_kwargs": ("name", "display_name")}

    def run(self, size: Any, image: Any = None, create_volume_kwargs: dict[str, Any] | None = None,
            update_volume_kwargs: dict[str, Any] | None = None) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(size, **self.volume_args(image, create_volume_kwargs or {}))
        fields = {k: v for k, v in (update_volume_kwargs or {}).items() if k != "update_name"}
        cinder.update_volume(volume["id"], **fields)


@configure(name="CinderVolumes.create_and_extend_volume", platform="openstack", context=CLEANUP)
class CreateAndExtendVolume(CinderScenario):
    """Create a volume, extend it to ``new_size``, sleep, delete it."""

    def run(self, size: Any, new_size: Any, min_sleep: float = 0, max_sleep: float = 0, **kwargs: Any) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(size, **kwargs)
        cinder.extend_volume(volume, new_size)
        self.sleep_between(min_sleep, max_sleep)
        cinder.delete_volume(volume)


@configure(name="CinderVolumes.create_from_volume_and_delete_volume", platform="openstack", context=CLEANUP)
class CreateFromVolumeAndDeleteVolume(CinderScenario):
    """Clone a volume of the ``volumes`` context, sleep, delete the clone."""

    def run(self, size: Any, min_sleep: float = 0, max_sleep: float = 0, **kwargs: Any) -> None:
        cinder = self.cinder
        volume = cinder.create_volume(size, source_volid=self.context_volume()["id"], **kwargs)
        self.sleep_between(min_sleep, max_sleep)
        cinder.delete_volume(volume)


@configure(name="CinderVolumes.create_and_delete_snapshot", platform="openstack", context=CLEANUP)
class CreateAndDeleteSnapshot(CinderScenario):
    """Snapshot a volume of the ``volumes`` context, sleep, delete the snapshot."""

    KNOWN_EXTRA_ARGUMENTS = frozenset({"description", "metadata"})

    def run(self, force: bool = False, min_sleep: float = 0, max_sleep: float = 0, **kwargs: Any) -> None:
        cinder = self.cinder
        snapshot = cinder.create_snapshot(self.context_volume()["id"], force=force, **kwargs)
        self.sleep_between(min_sleep, max_sleep)
        cinder.delete_snapshot(snapshot)


@configure(name="CinderVolumes.create_and_list_snapshots", platform="openstack", context=CLEANUP)
class CreateAndListSnapshots(CinderScenario):
    """Snapshot a volume of the ``volumes`` context, then list snapshots."""

    KNOWN_EXTRA_ARGUMENTS = frozenset({"description", "metadata"})

    def run(self, force: bool = False, detailed: bool = True, **kwargs: Any) -> None:
        cinder = self.cinder
        cinder.create_snapshot(self.context_volume()["id"], force=force, **kwargs)
        cinder.list_snapshots(detailed)


@configure(name="CinderVolumes.modify_volume_metadata", platform="openstack", context=CLEANUP)
class ModifyVolumeMetadata(CinderScenario):
    """Set metadata on a volume of the ``volumes`` context (``sets`` x ``set_size`` keys), then delete some."""

    KNOWN_EXTRA_ARGUMENTS = frozenset()

    def run(self, sets: int = 10, set_size: int = 3, deletes: int = 5, delete_size: int = 3) -> None:
        cinder = self.cinder
        volume = self.context_volume()
        keys = cinder.set_metadata(volume["id"], sets=sets, set_size=set_size)
        cinder.delete_metadata(volume["id"], keys, deletes=deletes, delete_size=delete_size)

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """Enough keys set for the deletions."""
        sets, set_size = args.get("sets", 10), args.get("set_size", 3)
        deletes, delete_size = args.get("deletes", 5), args.get("delete_size", 3)
        if all(isinstance(v, int) for v in (sets, set_size, deletes, delete_size)) and \
                sets * set_size < deletes * delete_size:
            return [f"{path}: sets x set_size ({sets * set_size}) must be at least deletes x delete_size "
                    f"({deletes * delete_size})"]
        return []
