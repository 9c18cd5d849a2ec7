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
OPENSTACK_VENV = HOME / "venv-openstack"  # Rally with rally-openstack: `rally verify`, OpenStack scenarios


def installed() -> str | None:
    """None when the oracle is ready, else what is missing."""
    if not (VENV / "bin" / "rally").exists():
        return f"Rally {RALLY_VERSION} is not installed in {VENV} (run scripts/install-rally.sh)"
    if not (RALLY_SOURCE / "samples").is_dir() or not (RALLY_OPENSTACK_SOURCE / "samples").is_dir():
        return f"the rally and rally-openstack sources are not in {SOURCES} (run scripts/install-rally.sh)"
    return None


class Rally:
    """A Rally 5.1.1 with a database and an environment of its own, under ``work``: empty, or the cloud of
    the ``OS_*`` variables given (then Rally runs from the venv with rally-openstack)."""

    def __init__(self, work: Path, os_vars: dict[str, str] | None = None) -> None:
        work.mkdir(parents=True, exist_ok=True)
        self.work = work
        conf = work / "rally.conf"
        conf.write_text(f"[database]\nconnection = sqlite:///{work / 'rally.sqlite'}\n")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "RALLY_", "SQUALL_"))}
        self.env["HOME"] = str(work)
        venv = OPENSTACK_VENV if os_vars else VENV
        self.base = [str(venv / "bin" / "rally"), "--config-file", str(conf)]
        self("db", "recreate", check=True)
        self.env.update(os_vars or {})
        self("env", "create", "--name", "oracle", *(["--from-sysenv"] if os_vars else []), check=True)
        for var in os_vars or {}:
            self.env.pop(var)

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


TEMPEST_SOURCE = HOME / "tempest-source"  # Tempest 47.0.0's source release as a git repository
TEMPEST_VERSION = "47.0.0"
VERIFY_HOME = HOME / "verify-home"  # Rally's database and its Tempest verifier, made once and reused


def verify_installed() -> str | None:
    """None when Rally's ``verify`` can run here, else what is missing."""
    if not (OPENSTACK_VENV / "bin" / "rally").exists() or not (OPENSTACK_VENV / "bin" / "virtualenv").exists():
        return f"rally-openstack is not installed in {OPENSTACK_VENV} (run scripts/install-rally.sh)"
    if not (TEMPEST_SOURCE / ".git").is_dir():
        return f"Tempest's source repository is not in {TEMPEST_SOURCE} (run scripts/install-rally.sh)"
    return None


class RallyVerify(Rally):
    """Rally 5.1.1 with rally-openstack and its Tempest verifier (created from the local Tempest source once,
    in :data:`VERIFY_HOME`, then reused), against the environment of the ``OS_*`` variables given."""

    VERIFIER = "rally-tempest"

    def __init__(self, os_vars: dict[str, str]) -> None:
        VERIFY_HOME.mkdir(parents=True, exist_ok=True)
        self.work = VERIFY_HOME
        conf = VERIFY_HOME / "rally.conf"
        conf.write_text(f"[database]\nconnection = sqlite:///{VERIFY_HOME / 'rally.sqlite'}\n")
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "RALLY_", "SQUALL_"))}
        self.env = {**base_env, "HOME": str(VERIFY_HOME),
                    "PATH": f"{OPENSTACK_VENV / 'bin'}:{base_env.get('PATH', '/usr/bin:/bin')}"}
        self.base = [str(OPENSTACK_VENV / "bin" / "rally"), "--config-file", str(conf)]
        if not (VERIFY_HOME / "rally.sqlite").exists():
            self("db", "create", check=True)
        if self.VERIFIER not in self("verify", "list-verifiers").stdout:
            self("verify", "create-verifier", "--type", "tempest", "--name", self.VERIFIER, "--source",
                 str(TEMPEST_SOURCE), "--version", TEMPEST_VERSION, check=True, timeout=1200)
        self.deployment = f"keystone-{os.getpid()}-{os_vars['OS_AUTH_URL'].rsplit(':', 1)[1].split('/')[0]}"
        self.env.update(os_vars)
        if self.deployment not in self("env", "list").stdout:
            self("env", "create", "--name", self.deployment, "--from-sysenv", check=True)
        for var in os_vars:
            self.env.pop(var)

    def verify(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """``rally verify ARGS`` with this verifier and deployment."""
        return self("verify", *args, "--id", self.VERIFIER, "--deployment-id", self.deployment, timeout=timeout)
