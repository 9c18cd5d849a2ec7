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
from squall.task.atomic import ActionTimer, AtomicActionsHolder

if TYPE_CHECKING:
    from openstack.connection import Connection

ACTIVE_TIMEOUT = 120.0
POLL_SECONDS = 0.5


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
        body = {**(properties or {}), "name": self.new_name(), "container_format": container_format,
                "disk_format": disk_format, "min_disk": min_disk, "min_ram": min_ram}
        if visibility:
            body["visibility"] = visibility
        with ActionTimer(self.holder, "glance_v2.create_image"):
            image: dict[str, Any] = self._request("POST", "/images", json=body)
            with ActionTimer(self.holder, "glance_v2.upload_data"), image_data(image_location) as data:
                clients.api(self.conn, "image").request(f"/images/{image['id']}/file", "PUT", data=data,
                                        headers={"Content-Type": "application/octet-stream"})
            return self._wait_active(image["id"])

    def _wait_active(self, image_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + ACTIVE_TIMEOUT
        while True:
            image = self.get_image(image_id)
            if image["status"] == "active":
                return image
            if image["status"] in ("killed", "deleted") or time.monotonic() > deadline:
                raise RuntimeError(f"image {image_id} is {image['status']}, not active")
            time.sleep(POLL_SECONDS)

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
