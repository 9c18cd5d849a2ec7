"""A non-WSGI OpenStack service process of the tests' cloud (nova-compute, cinder-volume...).

Each runs in a session of its own from its service's venv; stopping sends
SIGTERM to the group, then SIGKILL after a grace (nova-compute and
cinder-scheduler sometimes ignore SIGTERM for over 10 s).
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.cloud_services import venv_of


class Daemon:
    """``venv/bin/NAME --config-file CONFIG`` in ``directory``, its output in ``NAME.log`` there."""

    def __init__(self, venv: str, name: str, config: Path, directory: Path, env: dict[str, str] | None = None) -> None:
        self.venv = venv
        self.name = name
        self.config = config
        self.dir = directory
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | (env or {})
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process (readiness is the caller's to check: each service says it differently)."""
        log = open(self.dir / f"{self.name}.log", "ab")  # noqa: SIM115 - kept open for the process's life
        self.proc = subprocess.Popen([str(venv_of(self.venv) / "bin" / self.name), "--config-file", str(self.config)],
                                     stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=self.env, cwd=self.dir,
                                     start_new_session=True)

    def alive(self) -> bool:
        """Whether it still runs."""
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self) -> str:
        """The end of its log, for an error message."""
        path = self.dir / f"{self.name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self, grace: float = 5) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds."""
        if not self.alive():
            return
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
