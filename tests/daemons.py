"""A non-WSGI OpenStack service process of the tests' cloud (nova-compute, cinder-volume...).

Each runs in a session of its own from its service's venv; stopping sends
SIGTERM to the group, then SIGKILL after a grace (nova-compute and
cinder-scheduler sometimes ignore SIGTERM for over 10 s).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
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


def wait_ready(what: str, daemons: list[Daemon], probe: Callable[[], tuple[bool, str]], timeout: float) -> None:
    """Until ``probe()`` says ready (it returns ``(ready, state)``; an exception is a state too); a daemon that
    exits, or the timeout, raises with the logs' ends."""
    deadline = time.monotonic() + timeout
    state = "nothing asked yet"
    while time.monotonic() < deadline:
        dead = [d for d in daemons if not d.alive()]
        if dead:
            raise RuntimeError(f"{dead[0].name} exited:\n{dead[0].log_tail()}")
        try:
            ready, state = probe()
            if ready:
                return
        except Exception as exc:
            state = f"{type(exc).__name__}: {exc}"
        time.sleep(0.5)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s: {state}\n"
                       + "\n".join(d.log_tail()[-800:] for d in daemons))
