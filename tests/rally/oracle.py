"""Rally 5.1.1 itself, the oracle of the compatibility tests (installed by scripts/install-rally.sh)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

RALLY_VERSION = "5.1.1"
RALLY_OPENSTACK_VERSION = "4.1.0"
HOME = Path(os.environ.get("SQUALL_RALLY_HOME", Path.home() / ".cache" / "squall-tests" / "rally"))
VENV = HOME / "venv"
SOURCES = HOME / "sources"
RALLY_SOURCE = SOURCES / f"rally-{RALLY_VERSION}"
RALLY_OPENSTACK_SOURCE = SOURCES / f"rally_openstack-{RALLY_OPENSTACK_VERSION}"
HELPERS = Path(__file__).parent / "in_rally"


def installed() -> str | None:
    """None when the oracle is ready, else what is missing."""
    if not (VENV / "bin" / "rally").exists():
        return f"Rally {RALLY_VERSION} is not installed in {VENV} (run scripts/install-rally.sh)"
    if not (RALLY_SOURCE / "samples").is_dir() or not (RALLY_OPENSTACK_SOURCE / "samples").is_dir():
        return f"the rally and rally-openstack sources are not in {SOURCES} (run scripts/install-rally.sh)"
    return None


class Rally:
    """A Rally 5.1.1 with a database and an empty environment of its own, under ``work``."""

    def __init__(self, work: Path) -> None:
        work.mkdir(parents=True, exist_ok=True)
        self.work = work
        conf = work / "rally.conf"
        conf.write_text(f"[database]\nconnection = sqlite:///{work / 'rally.sqlite'}\n")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "RALLY_", "SQUALL_"))}
        self.env["HOME"] = str(work)
        self.base = [str(VENV / "bin" / "rally"), "--config-file", str(conf)]
        self("db", "recreate", check=True)
        self("env", "create", "--name", "oracle", check=True)

    def __call__(self, *args: str, check: bool = False, timeout: float = 300,
                 cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``rally ARGS``; with ``check`` fail unless it exits 0."""
        proc = subprocess.run([*self.base, *args], capture_output=True, text=True, env=self.env,
                              cwd=cwd or self.work, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"rally {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def python(self, helper: str, *args: str, stdin: str | None = None, timeout: float = 300) -> Any:
        """Run a helper of ``in_rally/`` with Rally's interpreter; the last line of its stdout is its JSON answer."""
        proc = subprocess.run([str(VENV / "bin" / "python"), str(HELPERS / helper), *args], input=stdin,
                              capture_output=True, text=True, env=self.env, timeout=timeout)
        if proc.returncode != 0:
            raise AssertionError(f"{helper} failed in Rally's venv:\n{proc.stderr[-4000:]}")
        # The answer is the last line: Rally's table printers write to the stdout they bound at import.
        return json.loads(proc.stdout.strip().splitlines()[-1])
