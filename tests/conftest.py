"""Shared fixtures: an isolated squall home, the real CLI, real servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from squall.api import API

ROOT = Path(__file__).resolve().parent.parent
SQUALL = [sys.executable, "-m", "squall.cli.main"]
ServiceFactory = Callable[..., str]
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQUALL_HOME (so a fresh SQLite database) for one test."""
    monkeypatch.setenv("SQUALL_HOME", str(tmp_path / "squall-home"))
    monkeypatch.delenv("SQUALL_DB_URL", raising=False)
    return tmp_path / "squall-home"


@pytest.fixture
def api(home: Path) -> API:
    """The Python API over the test's own database."""
    return API()


class CLI:
    """Runs the real ``squall`` command in a subprocess."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd

    def __call__(self, *args: str, check: bool = False, timeout: float = 120,
                 sla_fails: bool = False) -> subprocess.CompletedProcess[str]:
        """Run squall; with ``check`` fail unless it exits 0 (2 with ``sla_fails``: a task whose SLA fails)."""
        proc = subprocess.run([*SQUALL, *args], capture_output=True, text=True, env=self.env, cwd=self.cwd,
                              timeout=timeout, stdin=subprocess.DEVNULL)  # no terminal: nothing waits on a prompt
        if check and proc.returncode != (2 if sla_fails else 0):
            raise AssertionError(f"squall {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([*SQUALL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env, cwd=self.cwd)


@pytest.fixture
def cli(home: Path, tmp_path: Path) -> CLI:
    env = dict(os.environ)
    env["SQUALL_HOME"] = str(home)
    env.pop("SQUALL_DB_URL", None)
    env["COLUMNS"] = "200"
    return CLI(env, tmp_path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status = 200
        if self.path.startswith("/status/"):
            status = int(self.path.split("/")[2])
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.hits.append((self.command, self.path))  # type: ignore[attr-defined]

    do_GET = do_POST = do_PUT = do_DELETE = _reply

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[ThreadingHTTPServer]:
    """A real HTTP server on 127.0.0.1: ``/status/N`` answers N, anything else 200."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.hits = []  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A real PostgreSQL server on 127.0.0.1 (the test command installs it)."""
    from tests.postgres import PostgresServer

    if not PostgresServer.available():
        if IN_CI:
            pytest.fail("PostgreSQL server binaries are missing; run scripts/install-test-deps.sh")
        pytest.skip("PostgreSQL server binaries are missing (make test installs them)")
    server = PostgresServer(free_port())
    server.url = server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: Any) -> str:
    """URL of a real PostgreSQL database."""
    return str(postgres_server.url)


@pytest.fixture
def start_service(tmp_path: Path) -> Iterator[ServiceFactory]:
    """Start services (with extra CLI options); each gets its own database."""
    import httpx

    procs: list[subprocess.Popen[bytes]] = []

    def start(*options: str, home: Path | None = None) -> str:
        port = free_port()
        env = dict(os.environ, SQUALL_HOME=str(home or tmp_path / f"service-{port}"))
        env.pop("SQUALL_DB_URL", None)
        env.pop("SQUALL_SERVICE_TOKEN", None)
        proc = subprocess.Popen([*SQUALL, "service", "start", "--port", str(port), *options], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise AssertionError(f"service did not start:\n{out}")
            time.sleep(0.1)

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def ssh_connection() -> Iterator[dict[str, object]]:
    """Connection settings of a real sshd on 127.0.0.1 (the test command installs it)."""
    from tests import sshd

    if not sshd.available():
        if IN_CI:
            pytest.fail("sshd, ssh-keygen or root is missing; scripts/install-test-deps.sh installs openssh-server")
        pytest.skip("sshd is missing (make test installs openssh-server)")
    server = sshd.SSHServer(free_port())
    conn = server.start()
    yield conn
    server.stop()


@pytest.fixture(scope="session")
def keystone() -> Iterator[dict[str, str]]:
    """A real Keystone on 127.0.0.1 (Keystone 30.0.0 in its own venv); yields its admin ``OS_*`` variables."""
    from tests import keystone as ks

    if not ks.installed():
        if IN_CI:
            pytest.fail("Keystone is not installed; scripts/install-test-deps.sh installs it")
        ks.install()
    # A low list cap, as big clouds have, so cleanup's handling of truncated listings is exercised.
    server = ks.KeystoneServer(free_port(), max_db_limit=ks.TEST_LIST_LIMIT)
    server.start()
    yield server.credentials()
    server.stop()
    import shutil

    shutil.rmtree(server.dir, ignore_errors=True)


def with_openstack_env(cli: CLI, creds: dict[str, str]) -> CLI:
    """The CLI with these admin ``OS_*`` variables and an ``openstack`` environment of them in use."""
    cli.env.update(creds)
    cli("db", "create", check=True)
    cli("env", "create", "--name", "keystone", "--from-sysenv", check=True)
    return cli


@pytest.fixture
def os_cli(cli: CLI, keystone: dict[str, str]) -> CLI:
    """The CLI with the Keystone admin's ``OS_*`` variables and an ``openstack`` environment in use."""
    return with_openstack_env(cli, keystone)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the Rally oracle's runs that need nothing from squall, when a collected test uses them."""
    if any("_dummy_run" in getattr(item, "fixturenames", ()) for item in session.items):
        from tests.rally import prefetch

        prefetch.begin()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a process the tests started is still alive at the end (then end it)."""
    from tests.processes import cmdline, descendants, kill_all, strays
    from tests.rally import prefetch

    prefetch.end()
    deadline = time.time() + 10
    while True:
        left = sorted(set(descendants(os.getpid()) + strays()))
        if not left or time.time() > deadline:
            break
        time.sleep(0.2)
    if left:
        lines = "\n".join(f"  {pid}: {cmdline(pid)}" for pid in left)
        sys.stderr.write(f"\nprocesses the tests started are still alive at the end:\n{lines}\n")
        kill_all(left)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
