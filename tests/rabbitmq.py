"""A real RabbitMQ (Debian's package) for the tests' Nova and Cinder, started by hand on free ports.

Not the system service: its own HOME, node name, Erlang port mapper (epmd) port,
AMQP and distribution ports, all under a temporary folder that goes with it.
One scheduler thread keeps it small on a 2-core machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
USER, PASSWORD = "squall", "squall-rabbit-secret"  # a throwaway broker's account

CONFIG = """listeners.tcp.default = 127.0.0.1:{port}
loopback_users = none
default_user = {user}
default_pass = {password}
vm_memory_high_watermark.absolute = 512MiB
disk_free_limit.absolute = 50MB
"""


def available() -> bool:
    """Whether Debian's rabbitmq-server is installed."""
    return SERVER.exists()


class RabbitServer:
    """One RabbitMQ node on 127.0.0.1; :attr:`transport_url` is what oslo.messaging takes."""

    def __init__(self, port: int, epmd_port: int, dist_port: int) -> None:
        self.port = port
        self.epmd_port = epmd_port
        self.dist_port = dist_port
        self.dir = Path(tempfile.mkdtemp(prefix="squall-rabbit-"))
        self.proc: subprocess.Popen[bytes] | None = None
        self.transport_url = f"rabbit://{USER}:{PASSWORD}@127.0.0.1:{port}/"

    def _env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.dir), "ERL_EPMD_PORT": str(self.epmd_port),
                "RABBITMQ_NODENAME": f"squall{self.port}@localhost", "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"), "RABBITMQ_LOG_BASE": str(self.dir / "log"),
                "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
                "RABBITMQ_PID_FILE": str(self.dir / "rabbit.pid"),
                "RABBITMQ_SERVER_ERL_ARGS": "+S 1:1 +sbwt none +sbwtdcpu none +sbwtdio none"}

    def start(self, timeout: float = 90) -> str:
        """Start the node and wait for its AMQP port; returns the transport URL."""
        (self.dir / "rabbitmq.conf").write_text(CONFIG.format(port=self.port, user=USER, password=PASSWORD))
        (self.dir / "enabled_plugins").write_text("[].\n")
        log = open(self.dir / "server.log", "ab")  # noqa: SIM115 - kept open for the server's life
        self.proc = subprocess.Popen([str(SERVER)], stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                     env=self._env(), cwd=self.dir, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self.transport_url
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.dir / "server.log").read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"RabbitMQ did not start on port {self.port}:\n{tail}")
            time.sleep(0.3)

    def _epmd_pids(self) -> list[int]:
        """The node's own epmd: it daemonises out of the server's process group."""
        done = subprocess.run(["pgrep", "-f", f"epmd.*-port {self.epmd_port}"], capture_output=True, text=True)
        found = [int(p) for p in done.stdout.split()]
        if not found:
            done = subprocess.run(["pgrep", "-x", "epmd"], capture_output=True, text=True)
            found = [int(p) for p in done.stdout.split()
                     if f"ERL_EPMD_PORT={self.epmd_port}" in _environ(int(p))]
        return found

    def stop(self) -> None:
        """Stop the node (SIGKILL after 10 s), its epmd, and remove its folder."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for pid in self._epmd_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _environ(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
