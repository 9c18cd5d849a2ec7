"""``NovaServers.*`` that need only Nova: Rally's names, arguments and atomic actions.

``image`` and ``flavor`` are Rally's specs (``{name: m1.tiny}``); ``**kwargs``
go to the boot as novaclient's ``servers.create`` arguments.
"""

from __future__ import annotations

from typing import Any

from squall.platforms.openstack import server_actions
from squall.platforms.openstack.nova_scenario import CLEANUP, NovaScenario
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure


@configure(name="NovaServers.boot_server", platform="openstack", context=CLEANUP)
class BootServer(NovaScenario):
    """Boot a server (cleanup deletes it)."""

    def run(self, image: Any, flavor: Any, auto_assign_nic: bool = False, **kwargs: Any) -> None:
        self.boot(image, flavor, auto_assign_nic=auto_assign_nic, **kwargs)


@configure(name="NovaServers.boot_and_delete_server", platform="openstack", context=CLEANUP)
class BootAndDeleteServer(NovaScenario):
    """Boot a server, sleep between ``min_sleep`` and ``max_sleep`` seconds (idle), delete it."""

    def run(self, image: Any, flavor: Any, min_sleep: float = 0, max_sleep: float = 0, force_delete: bool = False,
            **kwargs: Any) -> None:
        server = self.boot(image, flavor, **kwargs)
        self.sleep_between(min_sleep, max_sleep)
        self.nova.delete_server(server, force=force_delete)


@configure(name="NovaServers.boot_and_list_server", platform="openstack", context=CLEANUP)
class BootAndListServer(NovaScenario):
    """Boot a server, then list servers: it must be among them."""

    def run(self, image: Any, flavor: Any, detailed: bool = True, **kwargs: Any) -> None:
        server = self.boot(image, flavor, **kwargs)
        listed = self.nova.list_servers(detailed)
        if server["id"] not in {s["id"] for s in listed}:
            raise AssertionError(f"server {server['id']} is not in the list of {len(listed)} servers")


@configure(name="NovaServers.list_servers", platform="openstack", context=CLEANUP)
class ListServers(NovaScenario):
    """List the user's servers (the ``servers`` context makes some)."""

    def run(self, detailed: bool = True) -> None:
        self.nova.list_servers(detailed)


@configure(name="NovaServers.boot_and_show_server", platform="openstack", context=CLEANUP)
class BootAndShowServer(NovaScenario):
    """Boot a server, then show it."""

    def run(self, image: Any, flavor: Any, **kwargs: Any) -> None:
        self.nova.show_server(self.boot(image, flavor, **kwargs))


@configure(name="NovaServers.boot_and_delete_multiple_servers", platform="openstack", context=CLEANUP)
class BootAndDeleteMultipleServers(NovaScenario):
    """Boot ``count`` servers in one request (``nova.boot_servers``), sleep, delete them (``nova.delete_servers``)."""

    def run(self, image: Any, flavor: Any, count: int = 2, min_sleep: float = 0, max_sleep: float = 0,
            force_delete: bool = False, **kwargs: Any) -> None:
        nova = self.nova
        servers = nova.boot_servers(self.image_id(image), self.flavor_id(flavor), count, **kwargs)
        self.sleep_between(min_sleep, max_sleep)
        nova.delete_servers(servers, force=force_delete)


@configure(name="NovaServers.boot_and_bounce_server", platform="openstack", context=CLEANUP)
class BootAndBounceServer(NovaScenario):
    """Boot a server, run ``actions`` (``[{hard_reboot: 2}, {stop_start: 1}, ...]``) on it, delete it."""

    def run(self, image: Any, flavor: Any, force_delete: bool = False, actions: list[dict[str, int]] | None = None,
            **kwargs: Any) -> None:
        nova = self.nova
        server = self.boot(image, flavor, **kwargs)
        for item in actions or []:
            for kind, times in item.items():
                for _ in range(times):
                    server_actions.bounce(nova, kind, server)
        nova.delete_server(server, force=force_delete)

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """The actions are Rally's."""
        return super().argument_errors(args, path) + server_actions.bounce_errors(args.get("actions"),
                                                                                  f"{path}.actions")


@configure(name="NovaServers.boot_lock_unlock_and_delete", platform="openstack", context=CLEANUP)
class BootLockUnlockAndDelete(NovaScenario):
    """Boot a server, lock it, sleep, unlock it, delete it."""

    def run(self, image: Any, flavor: Any, min_sleep: float = 0, max_sleep: float = 0, force_delete: bool = False,
            **kwargs: Any) -> None:
        nova = self.nova
        server = self.boot(image, flavor, **kwargs)
        server_actions.run(nova, "lock", server)
        self.sleep_between(min_sleep, max_sleep)
        server_actions.run(nova, "unlock", server)
        nova.delete_server(server, force=force_delete)


class _BootActionsDelete(NovaScenario):
    """Boot, two actions, delete: the shape of suspend/resume, pause/unpause and shelve/unshelve."""

    STEPS: tuple[str, ...] = ()

    def run(self, image: Any, flavor: Any, force_delete: bool = False, **kwargs: Any) -> None:
        nova = self.nova
        server = self.boot(image, flavor, **kwargs)
        for step in self.STEPS:
            server_actions.run(nova, step, server)
        nova.delete_server(server, force=force_delete)


@configure(name="NovaServers.suspend_and_resume_server", platform="openstack", context=CLEANUP)
class SuspendAndResumeServer(_BootActionsDelete):
    """Boot a server, suspend it, resume it, delete it."""

    STEPS = ("suspend", "resume")


@configure(name="NovaServers.pause_and_unpause_server", platform="openstack", context=CLEANUP)
class PauseAndUnpauseServer(_BootActionsDelete):
    """Boot a server, pause it, unpause it, delete it."""

    STEPS = ("pause", "unpause")


@configure(name="NovaServers.shelve_and_unshelve_server", platform="openstack", context=CLEANUP)
class ShelveAndUnshelveServer(_BootActionsDelete):
    """Boot a server, shelve it, unshelve it, delete it."""

    STEPS = ("shelve", "unshelve")


@configure(name="NovaServers.boot_and_rebuild_server", platform="openstack", context=CLEANUP)
class BootAndRebuildServer(NovaScenario):
    """Boot a server from ``from_image``, rebuild it with ``to_image`` (``nova.rebuild_server``), delete it."""

    def run(self, from_image: Any, to_image: Any, flavor: Any, **kwargs: Any) -> None:
        nova = self.nova
        server = self.boot(from_image, flavor, **kwargs)
        nova.action("nova.rebuild_server", server, {"rebuild": {"imageRef": self.image_id(to_image)}}, "ACTIVE")
        nova.delete_server(server)


@configure(name="NovaServers.resize_server", platform="openstack", context=CLEANUP)
class ResizeServer(NovaScenario):
    """Boot a server, resize it to ``to_flavor``, confirm (or revert) the resize, delete it."""

    START_STOPPED = False

    def run(self, image: Any, flavor: Any, to_flavor: Any, confirm: bool = True, force_delete: bool = False,
            **kwargs: Any) -> None:
        nova = self.nova
        server = self.boot(image, flavor, **kwargs)
        status = "ACTIVE"
        if self.START_STOPPED:
            server_actions.run(nova, "stop", server)
            status = "SHUTOFF"
        self.resize(server, to_flavor, confirm, status)
        nova.delete_server(server, force=force_delete)


@configure(name="NovaServers.resize_shutoff_server", platform="openstack", context=CLEANUP)
class ResizeShutoffServer(ResizeServer):
    """Boot a server, stop it, resize it to ``to_flavor``, confirm (or revert), delete it."""

    START_STOPPED = True


@configure(name="NovaServers.boot_and_get_console_output", platform="openstack", context=CLEANUP)
class BootAndGetConsoleOutput(NovaScenario):
    """Boot a server, then get its console output (the last ``length`` lines)."""

    def run(self, image: Any, flavor: Any, length: int | None = None, **kwargs: Any) -> None:
        server = self.boot(image, flavor, **kwargs)
        self.nova.action("nova.get_console_output_server", server, {"os-getConsoleOutput": {"length": length}})


@configure(name="NovaServers.snapshot_server", platform="openstack", context=CLEANUP)
class SnapshotServer(NovaScenario):
    """Boot a server, snapshot it into an image (``nova.snapshot_server``), delete the server, boot another from
    the snapshot, delete it and the image (``nova.delete_image``)."""

    def run(self, image: Any, flavor: Any, force_delete: bool = False, **kwargs: Any) -> None:
        from squall.platforms.openstack.image import Image
        from squall.platforms.openstack.waiting import wait_for_deletion, wait_for_status

        nova, glance = self.nova, Image(self.iteration_clients(), self, self.generate_random_name)
        server = self.boot(image, flavor, **kwargs)
        with ActionTimer(self, "nova.snapshot_server"):
            answer = nova.request("POST", f"/servers/{server['id']}/action", microversion="2.45",
                                  json={"createImage": {"name": server["name"]}})
            snapshot = glance.get_image(answer["image_id"])
            with ActionTimer(self, "glance.wait_for_image"):
                snapshot = glance.wait_active(snapshot["id"])
            with ActionTimer(self, "nova.wait_for_server"):
                wait_for_status(lambda: nova.get_server(server["id"]), ("None",), f"server {server['id']}",
                                300.0, key="OS-EXT-STS:task_state")
        nova.delete_server(server, force=force_delete)
        server = self.boot({"id": snapshot["id"]}, flavor, **kwargs)
        nova.delete_server(server, force=force_delete)
        with ActionTimer(self, "nova.delete_image"):
            glance.delete_image(snapshot["id"])
            with ActionTimer(self, "glance.wait_for_delete"):
                wait_for_deletion(lambda: glance.get_image(snapshot["id"]), f"image {snapshot['id']}", 300.0,
                                  gone=("deleted", "pending_delete"))


@configure(name="NovaServers.boot_and_get_console_url", platform="openstack", context=CLEANUP)
class BootAndGetConsoleUrl(NovaScenario):
    """Boot a server, then get a URL of its console of ``console_type`` (novnc, xvpvnc, spice-html5, rdp-html5,
    serial; webmks at microversion 2.8), by the server action novaclient sends at Rally's default version (by
    ``remote-consoles`` when the workload's microversion is 2.6 or later, as novaclient then does)."""

    ACTIONS = {"novnc": "os-getVNCConsole", "xvpvnc": "os-getVNCConsole", "spice-html5": "os-getSPICEConsole",
               "rdp-html5": "os-getRDPConsole", "serial": "os-getSerialConsole"}
    PROTOCOLS = {"novnc": "vnc", "xvpvnc": "vnc", "spice-html5": "spice", "rdp-html5": "rdp", "serial": "serial",
                 "webmks": "mks"}

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """``console_type`` is one Nova knows."""
        kind = args.get("console_type")
        if kind is not None and kind not in (*cls.ACTIONS, "webmks"):
            return [f"{path}.console_type: {kind!r} is not one of {', '.join((*cls.ACTIONS, 'webmks'))}"]
        return NovaScenario.argument_errors(args, path)

    def run(self, image: Any, flavor: Any, console_type: str, **kwargs: Any) -> None:
        server = self.boot(image, flavor, **kwargs)
        nova = self.nova
        major, _, minor = (nova.microversion or "2.1").partition(".")
        with ActionTimer(self, "nova.get_console_url_server"):
            if console_type == "webmks" or (int(major), int(minor or 0)) >= (2, 6):
                body = {"remote_console": {"protocol": self.PROTOCOLS[console_type], "type": console_type}}
                nova.request("POST", f"/servers/{server['id']}/remote-consoles",
                             microversion=None if console_type != "webmks" else "2.8", json=body)
            else:
                nova.request("POST", f"/servers/{server['id']}/action",
                             json={self.ACTIONS[console_type]: {"type": console_type}})


@configure(name="NovaServers.boot_and_update_server", platform="openstack", context=CLEANUP)
class BootAndUpdateServer(NovaScenario):
    """Boot a server, then give it a new name (and ``description``)."""

    def run(self, image: Any, flavor: Any, description: str | None = None, **kwargs: Any) -> None:
        nova = self.nova
        server = self.boot(image, flavor, **kwargs)
        body: dict[str, Any] = {"name": self.generate_random_name()}
        if description:
            body["description"] = description
        with ActionTimer(self, "nova.update_server"):
            nova.request("PUT", f"/servers/{server['id']}", microversion="2.19" if description else None,
                         json={"server": body})


@configure(name="NovaServers.boot_server_and_list_interfaces", platform="openstack", context=CLEANUP)
class BootServerAndListInterfaces(NovaScenario):
    """Boot a server, then list its interfaces."""

    def run(self, image: Any, flavor: Any, **kwargs: Any) -> None:
        nova = self.nova
        server = self.boot(image, flavor, **kwargs)
        with ActionTimer(self, "nova.list_interfaces"):
            nova.request("GET", f"/servers/{server['id']}/os-interface")
