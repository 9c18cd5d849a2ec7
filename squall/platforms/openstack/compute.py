"""Nova servers over the compute API, each call timed as Rally's atomic action (``nova.boot_server``...).

A server is a dict as Nova returns it. Boot arguments are novaclient's, as
Rally task files give them (``nics``, ``security_groups`` by name,
``key_name``, ``block_device_mapping_v2``...), translated to the REST body.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from squall import exceptions
from squall.platforms.openstack import clients, waiting
from squall.plugin_api.atomic import ActionTimer, AtomicActionsHolder

if TYPE_CHECKING:
    from openstack.connection import Connection

BOOT_TIMEOUT = 300.0
ACTION_TIMEOUT = 300.0
DELETE_TIMEOUT = 300.0
FAILED = ("ERROR",)
# novaclient's ``servers.create`` keyword arguments squall translates (anything else is refused at validation).
BOOT_ARGUMENTS = frozenset({
    "nics", "security_groups", "key_name", "availability_zone", "min_count", "max_count", "userdata",
    "user_data", "config_drive", "scheduler_hints", "meta", "metadata", "description", "block_device_mapping",
    "block_device_mapping_v2", "admin_pass", "disk_config", "tags", "files"})


def _networks(nics: list[dict[str, Any]]) -> list[dict[str, Any]] | str:
    """novaclient's ``nics`` as the API's ``networks``."""
    if nics in ("auto", "none"):
        return nics  # type: ignore[return-value]
    out = []
    for nic in nics:
        entry: dict[str, Any] = {}
        if nic.get("net-id"):
            entry["uuid"] = nic["net-id"]
        if nic.get("port-id"):
            entry["port"] = nic["port-id"]
        fixed = nic.get("v4-fixed-ip") or nic.get("v6-fixed-ip")
        if fixed:
            entry["fixed_ip"] = fixed
        if nic.get("tag"):
            entry["tag"] = nic["tag"]
        out.append(entry)
    return out


def _legacy_mapping(mapping: dict[str, str]) -> list[dict[str, Any]]:
    """novaclient's ``{"vda": "ID:TYPE:SIZE:DELETE"}`` as the API's ``block_device_mapping``."""
    found = []
    for device, spec in mapping.items():
        parts = spec.split(":")
        entry: dict[str, Any] = {"device_name": device, "volume_id": parts[0]}
        if len(parts) > 1 and parts[1] == "snap":
            entry = {"device_name": device, "snapshot_id": parts[0]}
        if len(parts) > 2 and parts[2]:
            entry["volume_size"] = parts[2]
        if len(parts) > 3:
            entry["delete_on_termination"] = parts[3] in ("1", "true", "True")
        found.append(entry)
    return found


def server_body(name: str, image: str | None, flavor: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The ``POST /servers`` body for novaclient-style arguments."""
    unknown = sorted(set(kwargs) - BOOT_ARGUMENTS)
    if unknown:
        raise exceptions.InvalidArgumentsError(f"unknown server argument(s): {', '.join(unknown)}")
    server: dict[str, Any] = {"name": name, "flavorRef": flavor, "imageRef": image or ""}
    simple = {"key_name": "key_name", "availability_zone": "availability_zone", "min_count": "min_count",
              "max_count": "max_count", "config_drive": "config_drive", "description": "description",
              "admin_pass": "adminPass", "disk_config": "OS-DCF:diskConfig", "tags": "tags"}
    for arg, field in simple.items():
        if kwargs.get(arg) is not None:
            server[field] = kwargs[arg]
    if kwargs.get("nics"):
        server["networks"] = _networks(kwargs["nics"])
    if kwargs.get("security_groups"):
        server["security_groups"] = [{"name": g} for g in kwargs["security_groups"]]
    metadata = kwargs.get("meta") or kwargs.get("metadata")
    if metadata:
        server["metadata"] = metadata
    user_data = kwargs.get("userdata") or kwargs.get("user_data")
    if user_data:
        raw = user_data.encode() if isinstance(user_data, str) else user_data
        server["user_data"] = base64.b64encode(raw).decode()
    if kwargs.get("block_device_mapping_v2"):
        server["block_device_mapping_v2"] = kwargs["block_device_mapping_v2"]
    elif kwargs.get("block_device_mapping"):
        server["block_device_mapping"] = _legacy_mapping(kwargs["block_device_mapping"])
    body: dict[str, Any] = {"server": server}
    if kwargs.get("scheduler_hints"):
        body["os:scheduler_hints"] = kwargs["scheduler_hints"]
    return body


class Compute:
    """Nova for one connection; each method times itself under ``holder``."""

    def __init__(self, conn: Connection, holder: AtomicActionsHolder, name_generator: Callable[[], str],
                 microversion: str | None = None) -> None:
        self.conn = conn
        self.holder = holder
        self.new_name = name_generator
        self.microversion = microversion

    def request(self, method: str, path: str, microversion: str | None = None, **kwargs: Any) -> Any:
        """One compute API call (at ``microversion``, else the workload's default); the JSON body, or None."""
        microversion = microversion or self.microversion
        if microversion:
            kwargs["microversion"] = microversion
        resp = clients.api(self.conn, "compute").request(path, method, **kwargs)
        return resp.json() if resp.content else None

    def get_server(self, server_id: str) -> dict[str, Any]:
        """The server as Nova shows it now."""
        return self.request("GET", f"/servers/{server_id}")["server"]  # type: ignore[no-any-return]

    def _wait(self, server_id: str, *ready: str, timeout: float = ACTION_TIMEOUT) -> dict[str, Any]:
        # A status is reached only once no task runs on the server (SHELVED, then offloading: not yet).
        return waiting.wait_for_status(lambda: self.get_server(server_id), ready, f"server {server_id}", timeout,
                                       failed=FAILED, busy=lambda s: bool(s.get("OS-EXT-STS:task_state")))

    def boot_server(self, image: str | None, flavor: str, **kwargs: Any) -> dict[str, Any]:
        """Boot a server and wait until it is ACTIVE (``nova.boot_server``)."""
        with ActionTimer(self.holder, "nova.boot_server"):
            (server_id,) = self._request_boot(image, flavor, 1, kwargs)
            return self._wait(server_id, "ACTIVE", timeout=BOOT_TIMEOUT)

    def _request_boot(self, image: str | None, flavor: str, count: int, kwargs: dict[str, Any]) -> list[str]:
        """One boot request of ``count`` servers under a new squall name (Nova names several NAME-1, NAME-2...);
        the ids of the servers it made."""
        extra = {"min_count": count, "max_count": count} if count > 1 else {}
        body = server_body(self.new_name(), image, flavor, {**kwargs, **extra})
        if count == 1:
            return [self.request("POST", "/servers", json=body)["server"]["id"]]
        body["server"]["return_reservation_id"] = True
        reservation = self.request("POST", "/servers", json=body)["reservation_id"]
        return [s["id"] for s in self.request("GET", "/servers", params={"reservation_id": reservation})["servers"]]

    def boot_servers(self, image: str | None, flavor: str, count: int, **kwargs: Any) -> list[dict[str, Any]]:
        """Boot ``count`` servers in one request and wait until all are ACTIVE (``nova.boot_servers``)."""
        return self.boot_server_requests(image, flavor, 1, count, **kwargs)

    def boot_server_requests(self, image: str | None, flavor: str, requests: int, instances_amount: int = 1,
                             **kwargs: Any) -> list[dict[str, Any]]:
        """``requests`` boot requests of ``instances_amount`` servers each (Rally's ``_boot_servers``), then
        wait until all are ACTIVE, all in ``nova.boot_servers``. Each request has a squall name of its own
        (Rally's PREFIX_0, PREFIX_1... would not be squall's to clean up)."""
        with ActionTimer(self.holder, "nova.boot_servers"):
            made = [sid for _ in range(requests) for sid in self._request_boot(image, flavor, instances_amount, kwargs)]
            return [self._wait(server_id, "ACTIVE", timeout=BOOT_TIMEOUT) for server_id in made]

    def _gone(self, server_id: str) -> None:
        waiting.wait_for_deletion(lambda: self.get_server(server_id), f"server {server_id}", DELETE_TIMEOUT,
                                  gone=("deleted", "soft_deleted"))

    def delete_server(self, server: dict[str, Any], force: bool = False) -> None:
        """Delete a server and wait until it is gone (``nova.delete_server`` or ``nova.force_delete_server``)."""
        with ActionTimer(self.holder, "nova.force_delete_server" if force else "nova.delete_server"):
            self._send_delete(server["id"], force)
            self._gone(server["id"])

    def delete_servers(self, servers: list[dict[str, Any]], force: bool = False) -> None:
        """Delete servers, then wait until all are gone (``nova.delete_servers``)."""
        with ActionTimer(self.holder, "nova.force_delete_servers" if force else "nova.delete_servers"):
            for server in servers:
                self._send_delete(server["id"], force)
            for server in servers:
                self._gone(server["id"])

    def _send_delete(self, server_id: str, force: bool) -> None:
        if force:
            self.request("POST", f"/servers/{server_id}/action", json={"forceDelete": None})
        else:
            self.request("DELETE", f"/servers/{server_id}")

    def list_servers(self, detailed: bool = True) -> list[dict[str, Any]]:
        """The user's servers (``nova.list_servers``)."""
        with ActionTimer(self.holder, "nova.list_servers"):
            return self.request("GET", "/servers/detail" if detailed else "/servers")["servers"]  # type: ignore[no-any-return]

    def show_server(self, server: dict[str, Any]) -> dict[str, Any]:
        """``nova.show_server``."""
        with ActionTimer(self.holder, "nova.show_server"):
            return self.get_server(server["id"])

    def action(self, name: str, server: dict[str, Any], body: dict[str, Any], *ready: str,
               microversion: str | None = None) -> dict[str, Any] | None:
        """POST one server action timed as ``name``; waits for a ``ready`` status when given."""
        with ActionTimer(self.holder, name):
            answer = self.request("POST", f"/servers/{server['id']}/action", microversion=microversion, json=body)
            if ready:
                return self._wait(server["id"], *ready)
            return answer  # type: ignore[no-any-return]
