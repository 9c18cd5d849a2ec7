"""``GlanceImages.*``: Rally's image scenarios, with Rally's names, arguments and atomic actions.

``image_location`` is a local file or an http(s) URL; the default
``cleanup@openstack`` context deletes the images a workload left.
"""

from __future__ import annotations

from typing import Any

from squall.platforms.openstack import image as image_api
from squall.platforms.openstack.image import Image
from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugin_api.scenario import configure

CLEANUP = {"cleanup@openstack": ["glance"]}
IMPORT_METHODS = ("glance-direct", "web-download")


class GlanceScenario(OpenStackScenario):
    """Base of the Glance scenarios: ``glance`` as the iteration's user (or the admin without users)."""

    @classmethod
    def host_files(cls, args: dict[str, Any]) -> list[str]:
        """``image_location`` when it is a local file."""
        return image_api.host_files(args.get("image_location"))

    @property
    def glance(self) -> Image:
        """Glance as this iteration's user, or the admin when there are no users."""
        conn = self.iteration_clients()
        return Image(conn, self, self.generate_random_name)

    def new_image(self, container_format: str, image_location: str, disk_format: str, visibility: str,
                  min_disk: int, min_ram: int, properties: dict[str, Any] | None) -> dict[str, Any]:
        """Create an image (Rally's arguments)."""
        return self.glance.create_image(container_format, image_location, disk_format, visibility=visibility,
                                        min_disk=min_disk, min_ram=min_ram, properties=properties)


@configure(name="GlanceImages.create_and_list_image", platform="openstack", context=CLEANUP)
class CreateAndListImage(GlanceScenario):
    """Create an image, then list images (it must be among them)."""

    def run(self, container_format: str, image_location: str, disk_format: str, visibility: str = "private",
            min_disk: int = 0, min_ram: int = 0, properties: dict[str, Any] | None = None) -> None:
        image = self.new_image(container_format, image_location, disk_format, visibility, min_disk, min_ram,
                               properties)
        if image["id"] not in {i["id"] for i in self.glance.list_images()}:
            raise AssertionError(f"image {image['id']} is not in the list of images")


@configure(name="GlanceImages.create_and_get_image", platform="openstack", context=CLEANUP)
class CreateAndGetImage(GlanceScenario):
    """Create an image, then get it."""

    def run(self, container_format: str, image_location: str, disk_format: str, visibility: str = "private",
            min_disk: int = 0, min_ram: int = 0, properties: dict[str, Any] | None = None) -> None:
        image = self.new_image(container_format, image_location, disk_format, visibility, min_disk, min_ram,
                               properties)
        if self.glance.get_image(image["id"])["id"] != image["id"]:
            raise AssertionError(f"getting image {image['id']} gave another image")


@configure(name="GlanceImages.create_and_delete_image", platform="openstack", context=CLEANUP)
class CreateAndDeleteImage(GlanceScenario):
    """Create an image and delete it."""

    def run(self, container_format: str, image_location: str, disk_format: str, visibility: str = "private",
            min_disk: int = 0, min_ram: int = 0, properties: dict[str, Any] | None = None) -> None:
        image = self.new_image(container_format, image_location, disk_format, visibility, min_disk, min_ram,
                               properties)
        self.glance.delete_image(image["id"])


@configure(name="GlanceImages.create_and_update_image", platform="openstack", context=CLEANUP)
class CreateAndUpdateImage(GlanceScenario):
    """Create an image, then update it (a new name, min disk and RAM, properties removed)."""

    def run(self, container_format: str, image_location: str, disk_format: str, remove_props: list[str] | None = None,
            visibility: str = "private", create_min_disk: int = 0, create_min_ram: int = 0,
            create_properties: dict[str, Any] | None = None, update_min_disk: int = 0,
            update_min_ram: int = 0) -> None:
        image = self.new_image(container_format, image_location, disk_format, visibility, create_min_disk,
                               create_min_ram, create_properties)
        self.glance.update_image(image["id"], min_disk=update_min_disk, min_ram=update_min_ram,
                                 remove_props=remove_props)


@configure(name="GlanceImages.create_and_deactivate_image", platform="openstack", context=CLEANUP)
class CreateAndDeactivateImage(GlanceScenario):
    """Create an image, then deactivate it."""

    def run(self, container_format: str, image_location: str, disk_format: str, visibility: str = "private",
            min_disk: int = 0, min_ram: int = 0) -> None:
        image = self.new_image(container_format, image_location, disk_format, visibility, min_disk, min_ram, None)
        self.glance.deactivate_image(image["id"])


@configure(name="GlanceImages.create_and_download_image", platform="openstack", context=CLEANUP)
class CreateAndDownloadImage(GlanceScenario):
    """Create an image, then download its data."""

    def run(self, container_format: str, image_location: str, disk_format: str, visibility: str = "private",
            min_disk: int = 0, min_ram: int = 0, properties: dict[str, Any] | None = None) -> None:
        image = self.new_image(container_format, image_location, disk_format, visibility, min_disk, min_ram,
                               properties)
        self.glance.download_image(image["id"])


@configure(name="GlanceImages.import_and_delete_image", platform="openstack", context=CLEANUP)
class ImportAndDeleteImage(GlanceScenario):
    """Glance's interoperable import: an image record, its data staged (``glance-direct``) or fetched by Glance
    (``web-download``: ``image_location`` is the URL), imported until active, then deleted."""

    def run(self, container_format: str, image_location: str, disk_format: str, visibility: str = "private",
            min_disk: int = 0, min_ram: int = 0, properties: dict[str, Any] | None = None,
            stores: list[str] | None = None, all_stores: bool = True, import_method: str = "glance-direct") -> None:
        glance = self.glance
        image = glance.create_image_for_import(container_format, disk_format, visibility, min_disk, min_ram,
                                               properties)
        uri = None
        if import_method == "glance-direct":
            glance.stage_image_data(image["id"], image_location)
        else:
            uri = image_location
        glance.import_image(image["id"], import_method, uri, stores, all_stores)
        glance.delete_image(image["id"])

    @classmethod
    def config_errors(cls, args: Any, path: str) -> list[str]:
        """``import_method`` is one of Rally's two."""
        method = args.get("import_method", "glance-direct") if isinstance(args, dict) else "glance-direct"
        if method not in IMPORT_METHODS:
            return [f"{path}.import_method: must be one of {', '.join(IMPORT_METHODS)}, not {method!r}"]
        return []

    @classmethod
    def host_files(cls, args: dict[str, Any]) -> list[str]:
        """``image_location`` when it is a local file staged by squall (web-download sends only a URL)."""
        if args.get("import_method") == "web-download":
            return []
        return super().host_files(args)


@configure(name="GlanceImages.list_images", platform="openstack")
class ListImages(GlanceScenario):
    """List the images the user can see (the ``images`` context makes some)."""

    def run(self) -> None:
        self.glance.list_images()


@configure(name="GlanceImages.create_image_and_boot_instances", platform="openstack",
           context={"cleanup@openstack": ["glance", "nova"]})
class CreateImageAndBootInstances(GlanceScenario):
    """Create an image, then boot ``number_instances`` servers from it (``nova.boot_servers``, one request each,
    as Rally's)."""

    RESTRICTED = {"boot_server_kwargs": ("name",)}

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """``flavor`` is a Rally spec."""
        from squall.platforms.openstack import resource_args

        return resource_args.spec_errors(args["flavor"], f"{path}.flavor") if args.get("flavor") is not None else []

    def run(self, container_format: str, image_location: str, disk_format: str, flavor: Any,
            number_instances: int, visibility: str = "private", min_disk: int = 0, min_ram: int = 0,
            properties: dict[str, Any] | None = None, boot_server_kwargs: dict[str, Any] | None = None) -> None:
        from squall.platforms.openstack import resource_args
        from squall.platforms.openstack.compute import Compute

        image = self.new_image(container_format, image_location, disk_format, visibility, min_disk, min_ram,
                               properties)
        conn = self.iteration_clients()
        nova = Compute(conn, self, self.generate_random_name)
        nova.boot_server_requests(image["id"], resource_args.flavor_id(conn, flavor), number_instances,
                                  **(boot_server_kwargs or {}))
