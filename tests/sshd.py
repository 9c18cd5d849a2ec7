"""A real OpenSSH server on 127.0.0.1 for the tests, with its own config and keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

USER = "squalltest"


def available() -> bool:
    return Path("/usr/sbin/sshd").exists() and shutil.which("ssh-keygen") is not None and os.geteuid() == 0


def _ensure_user() -> None:
    if subprocess.run(["id", USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", USER], check=True, capture_output=True)
    # A locked account ("!" as password) may not log in even with a key.
    subprocess.run(["usermod", "-p", "*", USER], check=True, capture_output=True)


class SSHServer:
    """sshd -D on a free port; key authentication for the test user only."""

    def __init__(self, port: int, address: str = "127.0.0.1", netns: str | None = None, user: str = USER) -> None:
        self.user = user  # root only where a test must run this machine's Python (under /root) over SSH
        self.port = port
        self.address = address
        self.netns = netns
        self.dir = Path(tempfile.mkdtemp(prefix="squall-sshd-"))
        self.key = self.dir / "client_key"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> dict[str, object]:
        if self.user == USER:
            _ensure_user()
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        host_key = self.dir / "host_key"
        for path in (host_key, self.key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
        authorized = self.dir / "authorized_keys"
        authorized.write_text(Path(str(self.key) + ".pub").read_text())
        self.dir.chmod(0o755)
        authorized.chmod(0o644)
        config = self.dir / "sshd_config"
        config.write_text(f"""Port {self.port}
ListenAddress {self.address}
HostKey {host_key}
PidFile {self.dir}/sshd.pid
AuthorizedKeysFile {authorized}
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers {self.user}
PermitRootLogin {"prohibit-password" if self.user == "root" else "no"}
MaxSessions 10
""")
        inside = ["ip", "netns", "exec", self.netns] if self.netns else []
        self.proc = subprocess.Popen([*inside, "/usr/sbin/sshd", "-D", "-f", str(config), "-E", str(self.dir / "log")])
        deadline = time.time() + 15
        import socket

        while True:
            try:
                socket.create_connection((self.address, self.port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    log = (self.dir / "log").read_text() if (self.dir / "log").exists() else ""
                    raise RuntimeError(f"sshd did not start: {log}") from None
                time.sleep(0.1)
        return {"type": "ssh", "host": self.address, "port": self.port, "user": self.user, "key": str(self.key)}

    def stop(self) -> None:
        """Stop the listener and every session it forked (they outlive it otherwise)."""
        from tests.processes import descendants, kill_all

        if self.proc is not None:
            sessions = descendants(self.proc.pid)
            self.proc.terminate()
            self.proc.wait(timeout=10)
            kill_all(sessions)
        shutil.rmtree(self.dir, ignore_errors=True)
