"""What Neutron and Glance share in the tests: a gunicorn-served WSGI app and its entry in Keystone's catalog.

Each server lives in a virtual environment of its own
(``scripts/install-openstack-service.sh``, cached in ``~/.cache/squall-tests``),
is served on 127.0.0.1 by gunicorn with one worker, and is registered in the
suite's Keystone: a service user (admin and service roles in the ``service``
project), a service and its public, internal and admin endpoints.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path.home() / ".cache" / "squall-tests"


def venv_of(name: str) -> Path:
    """The venv of one service (``SQUALL_NEUTRON_VENV`` / ``SQUALL_GLANCE_VENV`` to use another)."""
    return Path(os.environ.get(f"SQUALL_{name.upper()}_VENV", CACHE / f"{name}-venv"))


def installed(name: str, probe: str) -> bool:
    """Whether the service's venv is ready."""
    return (venv_of(name) / "bin" / probe).exists() and (venv_of(name) / "bin" / "gunicorn").exists()


def install(name: str) -> None:
    """Create the service's venv (about 60 to 75 s)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "install-openstack-service.sh"), name, str(venv_of(name))],
                   check=True)


def register(admin: Any, name: str, service_type: str, url: str, password: str) -> None:
    """The service's user, service and endpoints in Keystone (``admin``: an openstacksdk connection)."""
    ident = admin.identity
    project = ident.find_project("service") or ident.create_project(name="service", domain_id="default")
    user = ident.find_user(name) or ident.create_user(name=name, password=password, domain_id="default")
    ident.update_user(user, password=password)
    for role_name in ("admin", "service"):
        role = ident.find_role(role_name) or ident.create_role(name=role_name)
        ident.assign_project_role_to_user(project, user, role)
    service = ident.find_service(name) or ident.create_service(name=name, type=service_type)
    have = {e.interface for e in ident.endpoints(service_id=service.id)}
    for interface in ("public", "internal", "admin"):
        if interface not in have:
            ident.create_endpoint(service_id=service.id, interface=interface, url=url, region_id="RegionOne")


def admin_connection(keystone: dict[str, str]) -> Any:
    """A fresh openstacksdk connection of the Keystone admin (a new one sees a changed catalog)."""
    import openstack

    return openstack.connect(auth_url=keystone["OS_AUTH_URL"], username=keystone["OS_USERNAME"],
                             password=keystone["OS_PASSWORD"], project_name=keystone["OS_PROJECT_NAME"],
                             user_domain_name="Default", project_domain_name="Default", region_name="RegionOne")


def unregister(admin: Any, names: tuple[str, ...]) -> None:
    """Take the services (their endpoints) and their users out of Keystone."""
    ident = admin.identity
    for name in names:
        service = ident.find_service(name)
        if service is not None:
            for endpoint in list(ident.endpoints(service_id=service.id)):
                ident.delete_endpoint(endpoint)
            ident.delete_service(service)
        user = ident.find_user(name)
        if user is not None:
            ident.delete_user(user)


class WsgiServer:
    """gunicorn serving one WSGI application from a service's venv, in a folder of its own."""

    def __init__(self, name: str, port: int, directory: Path, app: str, env: dict[str, str],
                 venv: str | None = None) -> None:
        self.name = name
        self.venv = venv or name
        self.port = port
        self.dir = directory
        self.app = app
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | env
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def run(self, *argv: str) -> None:
        """A command of the service's venv, in its folder; its output in the error when it fails."""
        done = subprocess.run([str(venv_of(self.venv) / "bin" / argv[0]), *argv[1:]], capture_output=True,
                              text=True, env=self.env, cwd=self.dir, timeout=600)
        if done.returncode:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")

    def start(self, timeout: float = 120) -> str:
        """Serve, and wait until the root answers (any HTTP status); returns the URL."""
        log = open(self.dir / f"{self.name}-gunicorn.log", "ab")  # noqa: SIM115 - kept open for the server's life
        self.proc = subprocess.Popen(
            [str(venv_of(self.venv) / "bin" / "gunicorn"), "--no-control-socket", "--workers", "1", "--threads",
             "1", "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "--timeout", "300",
             "--access-logfile", str(self.dir / f"{self.name}-access.log"), "--chdir", str(self.dir), self.app],
            stdout=log, stderr=log, env=self.env, cwd=self.dir, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5):  # noqa: S310 - our own server
                    return self.url
            except urllib.error.HTTPError:
                return self.url  # it answered
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.dir / f"{self.name}-gunicorn.log").read_text(errors="replace")[-4000:]
                self.stop()
                raise RuntimeError(f"{self.name} did not start on port {self.port}:\n{tail}")
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop gunicorn and its worker."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
