"""Glance v2 calls timed as Rally's atomic actions (``glance_v2.create_image`` with its ``upload_data``).

An image's data comes from ``image_location``: a local file or an http(s)
URL, streamed to Glance without being held in memory.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from squall import exceptions
from squall.platforms.openstack import clients
from squall.plugin_api.atomic import ActionTimer, AtomicActionsHolder

if TYPE_CHECKING:
    from openstack.connection import Connection

ACTIVE_TIMEOUT = 120.0
POLL_SECONDS = 0.5
CHUNK_BYTES = 1 << 20
FAILED = ("killed", "deleted", "pending_delete", "error")


def is_url(location: str) -> bool:
    """True for an http(s) URL; anything else is a path on squall's machine."""
    return location.startswith(("http://", "https://"))


def host_files(*locations: Any) -> list[str]:
    """The locations that are files on squall's machine (a service refuses them without --allow-exec)."""
    return [loc for loc in locations if isinstance(loc, str) and not is_url(loc)]


@contextmanager
def image_data(location: str) -> Iterator[IO[bytes]]:
    """The bytes at ``location`` (a path, ``~`` expanded, or an http/https URL), as a stream."""
    if is_url(location):
        with urllib.request.urlopen(location, timeout=60) as response:  # noqa: S310 - http(s) only, checked above
            yield response
        return
    path = Path(location).expanduser()
    if not path.is_file():
        raise exceptions.InvalidArgumentsError(f"image_location {location!r} is neither a file nor an http(s) URL")
    with path.open("rb") as f:
        yield f


class Image:
    """Glance v2 for one connection; each method times itself under ``holder``."""

    def __init__(self, conn: Connection, holder: AtomicActionsHolder, name_generator: Callable[[], str]) -> None:
        self.conn = conn
        self.holder = holder
        self.new_name = name_generator

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = clients.api(self.conn, "image").request(path, method, **kwargs)
        return resp.json() if resp.content else None

    def create_image(self, container_format: str, image_location: str, disk_format: str,
                     visibility: str | None = "private", min_disk: int = 0, min_ram: int = 0,
                     properties: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create an image, upload its data, and wait until it is active (Rally's ``glance_v2.create_image``)."""
        body = self._body(container_format, disk_format, visibility, min_disk, min_ram, properties)
        with ActionTimer(self.holder, "glance_v2.create_image"):
            image: dict[str, Any] = self._request("POST", "/images", json=body)
            with ActionTimer(self.holder, "glance_v2.upload_data"), image_data(image_location) as data:
                clients.api(self.conn, "image").request(f"/images/{image['id']}/file", "PUT", data=data,
                                        headers={"Content-Type": "application/octet-stream"})
            return self._wait_active(image["id"])

    def _body(self, container_format: str, disk_format: str, visibility: str | None, min_disk: int, min_ram: int,
              properties: dict[str, Any] | None) -> dict[str, Any]:
        body = {**(properties or {}), "name": self.new_name(), "container_format": container_format,
                "disk_format": disk_format, "min_disk": min_disk, "min_ram": min_ram}
        if visibility:
            body["visibility"] = visibility
        return body

    def wait_active(self, image_id: str) -> dict[str, Any]:
        """Until the image is active (polled with ``glance_v2.get_image``); an error if it fails or times out."""
        return self._wait_active(image_id)

    def _wait_active(self, image_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + ACTIVE_TIMEOUT
        while True:
            image = self.get_image(image_id)
            if image["status"] == "active":
                return image
            if image["status"] in FAILED or time.monotonic() > deadline:
                raise RuntimeError(f"image {image_id} is {image['status']}, not active")
            time.sleep(POLL_SECONDS)

    def create_image_for_import(self, container_format: str, disk_format: str, visibility: str | None = "private",
                                min_disk: int = 0, min_ram: int = 0,
                                properties: dict[str, Any] | None = None) -> dict[str, Any]:
        """An image record without data, ``queued`` (Rally's ``glance_v2.create_image_for_import``)."""
        body = self._body(container_format, disk_format, visibility, min_disk, min_ram, properties)
        with ActionTimer(self.holder, "glance_v2.create_image_for_import"):
            return self._request("POST", "/images", json=body)  # type: ignore[no-any-return]

    def stage_image_data(self, image_id: str, image_location: str) -> None:
        """PUT the data into Glance's staging area, streamed (``glance_v2.stage_image_data``)."""
        with ActionTimer(self.holder, "glance_v2.stage_image_data"), image_data(image_location) as data:
            clients.api(self.conn, "image").request(f"/images/{image_id}/stage", "PUT", data=data,
                                                    headers={"Content-Type": "application/octet-stream"})

    def import_image(self, image_id: str, import_method: str = "glance-direct", import_uri: str | None = None,
                     stores: list[str] | None = None, all_stores: bool = True) -> dict[str, Any]:
        """POST /v2/images/ID/import, then wait until the image is active (``glance_v2.import_image``)."""
        method: dict[str, Any] = {"name": import_method}
        if import_method in ("web-download", "glance-download"):
            if not import_uri:
                raise exceptions.InvalidArgumentsError(f"the {import_method} import needs an http(s) image_location")
            method["uri"] = import_uri
        body: dict[str, Any] = {"method": method}
        if stores:
            body["stores"] = stores
        elif all_stores:
            body["all_stores"] = True
        with ActionTimer(self.holder, "glance_v2.import_image"):
            self._request("POST", f"/images/{image_id}/import", json=body)
            return self._wait_active(image_id)

    def download_image(self, image_id: str) -> int:
        """GET /v2/images/ID/file, read to its end inside the timer; returns the bytes read.

        Rally's ``glance_v2.download_image`` stops its timer once the
        response starts; squall's includes the transfer.
        """
        with ActionTimer(self.holder, "glance_v2.download_image"):
            resp = clients.api(self.conn, "image").get(f"/images/{image_id}/file", stream=True)
            try:
                return sum(len(chunk) for chunk in resp.iter_content(CHUNK_BYTES))
            finally:
                resp.close()

    def get_image(self, image_id: str) -> dict[str, Any]:
        """GET /v2/images/ID."""
        with ActionTimer(self.holder, "glance_v2.get_image"):
            return self._request("GET", f"/images/{image_id}")  # type: ignore[no-any-return]

    def list_images(self, status: str | None = "active", visibility: str | None = None,
                    owner: str | None = None) -> list[dict[str, Any]]:
        """GET /v2/images (the first page), filtered as Rally filters."""
        params = {k: v for k, v in (("status", status), ("visibility", visibility), ("owner", owner)) if v}
        with ActionTimer(self.holder, "glance_v2.list_images"):
            return self._request("GET", "/images", params=params or None)["images"]  # type: ignore[no-any-return]

    def update_image(self, image_id: str, min_disk: int = 0, min_ram: int = 0,
                     remove_props: list[str] | None = None) -> dict[str, Any]:
        """A new squall name, min disk and RAM, and ``remove_props`` removed (JSON patch)."""
        ops: list[dict[str, Any]] = [{"op": "replace", "path": "/name", "value": self.new_name()},
                                     {"op": "replace", "path": "/min_disk", "value": min_disk},
                                     {"op": "replace", "path": "/min_ram", "value": min_ram}]
        ops += [{"op": "remove", "path": f"/{prop}"} for prop in remove_props or []]
        with ActionTimer(self.holder, "glance_v2.update_image"):
            return self._request("PATCH", f"/images/{image_id}", json=ops,  # type: ignore[no-any-return]
                                 headers={"Content-Type": "application/openstack-images-v2.1-json-patch"})

    def deactivate_image(self, image_id: str) -> None:
        """POST /v2/images/ID/actions/deactivate."""
        with ActionTimer(self.holder, "glance_v2.deactivate_image"):
            self._request("POST", f"/images/{image_id}/actions/deactivate")

    def delete_image(self, image_id: str) -> None:
        """DELETE /v2/images/ID."""
        with ActionTimer(self.holder, "glance_v2.delete_image"):
            self._request("DELETE", f"/images/{image_id}")
