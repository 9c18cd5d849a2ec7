"""``images``: Rally's context that uploads images into every tenant before the workload."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from squall.platforms.openstack import image as image_api
from squall.platforms.openstack.image import Image
from squall.platforms.openstack.network_contexts import TenantContext
from squall.plugin_api.context import configure
from squall.registry import JSON_SCHEMA


@configure(name="images", order=410, platform="openstack")
class ImagesContext(TenantContext):
    """``images_per_tenant`` images from ``image_url`` (a file or an http(s) URL) in every tenant, as its first
    user; their ids in ``tenant["images"]``; deleted at clean-up."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "object", "additionalProperties": False,
        "required": ["image_url"],
        # Rally's names before 0.10 (image_type, image_container) still count.
        "allOf": [{"anyOf": [{"required": ["disk_format"]}, {"required": ["image_type"]}]},
                  {"anyOf": [{"required": ["container_format"]}, {"required": ["image_container"]}]}],
        "properties": {
            "image_url": {"type": "string"}, "disk_format": {"type": "string"}, "image_type": {"type": "string"},
            "container_format": {"type": "string"}, "image_container": {"type": "string"},
            "image_name": {"type": "string"},
            "min_ram": {"type": "integer", "minimum": 0}, "min_disk": {"type": "integer", "minimum": 0},
            "visibility": {"enum": ["public", "private", "shared", "community"]},
            "images_per_tenant": {"type": "integer", "minimum": 1}, "image_args": {"type": "object"},
        },
    }
    DEFAULT_CONFIG: ClassVar[dict[str, Any]] = {"images_per_tenant": 1, "visibility": "private", "min_ram": 0,
                                                "min_disk": 0}

    @classmethod
    def host_files(cls, config: Any) -> list[str]:
        """``image_url`` when it is a local file."""
        return image_api.host_files(config.get("image_url")) if isinstance(config, dict) else []

    def setup(self) -> None:
        self._steps: list[Callable[[], None]] = []
        cfg = self.config
        container_format = cfg.get("container_format") or cfg["image_container"]
        disk_format = cfg.get("disk_format") or cfg["image_type"]
        for tenant, glance in self.tenants(Image):
            tenant["images"] = []
            for _ in range(cfg["images_per_tenant"]):
                image = glance.create_image(container_format, cfg["image_url"], disk_format,
                                            visibility=cfg["visibility"], min_disk=cfg["min_disk"],
                                            min_ram=cfg["min_ram"], properties=cfg.get("image_args"))
                self._steps.append(functools.partial(glance.delete_image, image["id"]))
                tenant["images"].append(image["id"])

    def cleanup(self) -> None:
        self.undo(getattr(self, "_steps", []))
