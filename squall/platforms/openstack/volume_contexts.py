"""Rally's Cinder contexts: ``volume_types`` (by the admin) and ``volumes`` (in every tenant).

Volume types keep the names the task file gives them, as Rally's: each
carries a squall name in its description (:func:`squall.naming.tag`), by
which cleanup finds it after a kill.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from squall import exceptions, naming
from squall.platforms.openstack import clients
from squall.platforms.openstack.block_storage import BlockStorage
from squall.platforms.openstack.credential import admin_of
from squall.platforms.openstack.network_contexts import TenantContext
from squall.plugin_api.atomic import ActionsRecorder
from squall.plugin_api.context import configure
from squall.registry import JSON_SCHEMA


@configure(name="volume_types", order=410, platform="openstack")
class VolumeTypesContext(TenantContext):
    """Volume types with the names given, made by the admin; ``context["volume_types"]``: ``[{id, name}]``."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"$schema": JSON_SCHEMA, "type": "array",
                                               "items": {"type": "string"}}

    def setup(self) -> None:
        self._steps: list[Callable[[], None]] = []
        admin = admin_of(self.context)
        if admin is None:
            raise exceptions.InvalidConfigError("the volume_types context needs an environment with admin "
                                                "credentials")
        cinder = BlockStorage(clients.connect(admin), ActionsRecorder(), self._name)
        self.context["volume_types"] = []
        for name in self.config:
            body = {"name": name, "description": naming.tag(self._name())}
            found = cinder.request("POST", "/types", json={"volume_type": body})["volume_type"]
            self._steps.append(functools.partial(cinder.request, "DELETE", f"/types/{found['id']}"))
            self.context["volume_types"].append({"id": found["id"], "name": found["name"]})

    def cleanup(self) -> None:
        self.undo(getattr(self, "_steps", []))


@configure(name="volumes", order=420, platform="openstack")
class VolumesContext(TenantContext):
    """``volumes_per_tenant`` volumes of ``size`` GiB (and ``type``) in every tenant; ``tenant["volumes"]``:
    ``[{id, size, volume_type}]``; deleted at clean-up."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "object", "additionalProperties": False, "required": ["size"],
        "properties": {"size": {"type": "integer", "minimum": 1}, "type": {"type": ["string", "null"]},
                       "volumes_per_tenant": {"type": "integer", "minimum": 1}},
    }
    DEFAULT_CONFIG: ClassVar[dict[str, Any]] = {"volumes_per_tenant": 1}

    def setup(self) -> None:
        self._steps: list[Callable[[], None]] = []
        cfg = self.config
        for tenant, cinder in self.tenants(BlockStorage):
            tenant.setdefault("volumes", [])
            for _ in range(cfg["volumes_per_tenant"]):
                volume = cinder.create_volume(cfg["size"], volume_type=cfg.get("type"))
                self._steps.append(functools.partial(cinder.delete_volume, volume))
                tenant["volumes"].append({"id": volume["id"], "size": volume["size"],
                                          "volume_type": volume.get("volume_type")})

    def cleanup(self) -> None:
        self.undo(getattr(self, "_steps", []))
