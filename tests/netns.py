"""Several test hosts on one machine: network namespaces on a bridge, each with its own sshd.

Each host is a network namespace with a veth pair to a bridge in the root
namespace (10.231.N.0/24: the bridge is .1, host i is .(10+i)). A host's
commands see only its own address, so a test can tell where a command ran;
taking a host's link down makes it unreachable, as a dead node is.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from tests import sshd
from tests.sshd import SSHServer


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def refused_reason() -> str | None:
    """Why this machine refuses network namespaces (None when it allows them)."""
    name = "sqprobe" + secrets.token_hex(3)
    probe = _ip("netns", "add", name, check=False)
    if probe.returncode != 0:
        return f"'ip netns add' refused: {probe.stderr.strip()}"
    _ip("netns", "del", name, check=False)
    return None


def kill_namespace(name: str, grace: float = 5.0) -> None:
    """Stop every process in network namespace ``name``: SIGTERM, then SIGKILL after ``grace`` seconds."""
    def pids() -> list[int]:
        found = _ip("netns", "pids", name, check=False)
        return [int(p) for p in found.stdout.split()] if found.returncode == 0 else []

    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        if not pids():
            return


@dataclass
class Host:
    """One namespace host."""

    netns: str
    address: str
    host_link: str
    sshd: SSHServer | None = None
    connection: dict[str, Any] = field(default_factory=dict)

    def set_link(self, up: bool) -> None:
        """Plug or unplug the host's cable (its veth end in the root namespace)."""
        _ip("link", "set", self.host_link, "up" if up else "down")


class NetnsHosts:
    """``count`` hosts, each running sshd on port 22 of its own address."""

    def __init__(self, count: int, user: str = sshd.USER) -> None:
        self.user = user
        self.tag = secrets.token_hex(2)
        self.subnet = 200 + secrets.randbelow(50)
        self.bridge = f"sqbr{self.tag}"
        self.hosts: list[Host] = []
        self.count = count

    def start(self) -> list[Host]:
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"10.231.{self.subnet}.1/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for i in range(self.count):
            ns, outer, inner = f"sqh{self.tag}{i}", f"sqv{self.tag}{i}", f"sqi{self.tag}{i}"
            address = f"10.231.{self.subnet}.{10 + i}"
            _ip("netns", "add", ns)
            host = Host(netns=ns, address=address, host_link=outer)
            self.hosts.append(host)
            _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
            _ip("link", "set", inner, "netns", ns)
            _ip("link", "set", outer, "master", self.bridge)
            _ip("link", "set", outer, "up")
            _ip("netns", "exec", ns, "ip", "addr", "add", f"{address}/24", "dev", inner)
            _ip("netns", "exec", ns, "ip", "link", "set", inner, "up")
            _ip("netns", "exec", ns, "ip", "link", "set", "lo", "up")
            host.sshd = SSHServer(22, address=address, netns=ns, user=self.user)
            host.connection = host.sshd.start()
        return self.hosts

    def stop(self) -> None:
        for host in self.hosts:
            if host.sshd is not None:
                host.sshd.stop()
            # A command started over SSH without a terminal outlives its session (no SIGHUP) and is
            # re-parented to init, out of sshd's tree: whatever still runs in the namespace is stopped here.
            kill_namespace(host.netns)
            _ip("link", "del", host.host_link, check=False)
            _ip("netns", "del", host.netns, check=False)
        _ip("link", "del", self.bridge, check=False)
