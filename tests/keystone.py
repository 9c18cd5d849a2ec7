"""A real OpenStack Keystone (30.0.0 from PyPI) on 127.0.0.1, for tests and benches.

Keystone lives in its own virtual environment (``scripts/install-keystone.sh``
makes it, once per machine) and is served by gunicorn with one worker and one
thread: on its SQLite database concurrent writes fail with "database is locked".
The in-memory dogpile cache keeps a token validation at tens of milliseconds
instead of hundreds of SQL queries.

Run ``python tests/keystone.py [PORT]`` to start one by hand; it prints the
``OS_*`` variables to use it and serves until interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("SQUALL_KEYSTONE_VENV", Path.home() / ".cache" / "squall-tests" / "keystone-venv"))
TEST_LIST_LIMIT = 300  # the tests' Keystone lists at most this many items (Keystone's default: 1,000)
ADMIN_PASSWORD = "squall-admin-secret"  # noqa: S105 - a throwaway test server's password

CONFIG = """[DEFAULT]
debug = false
use_stderr = true
max_db_limit = {max_db_limit}
[database]
connection = {db_url}
[token]
provider = fernet
expiration = 86400
[fernet_tokens]
key_repository = {dir}/fernet-keys
[fernet_receipts]
key_repository = {dir}/fernet-keys
[credential]
key_repository = {dir}/credential-keys
[cache]
enabled = true
backend = dogpile.cache.memory
[identity]
password_hash_rounds = 4
max_password_length = 72
"""

# oslo.config parses the WSGI server's own command line unless it is cleared.
WSGI_MODULE = """import sys
sys.argv = sys.argv[:1]
from keystone.server import wsgi
application = wsgi.initialize_public_application()
"""


def installed() -> bool:
    """Whether the Keystone virtual environment is ready."""
    return (VENV / "bin" / "keystone-manage").exists() and (VENV / "bin" / "gunicorn").exists()


def install() -> None:
    """Create the Keystone virtual environment (about 40 s, 200 MB)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "install-keystone.sh"), str(VENV)], check=True)


class KeystoneServer:
    """keystone-manage set-up plus gunicorn on a given port, in a directory of its own."""

    def __init__(self, port: int, directory: Path | None = None, db_url: str | None = None,
                 workers: int = 1, max_db_limit: int = 1000) -> None:
        self.port = port
        self.max_db_limit = max_db_limit
        self.db_url = db_url
        self.workers = workers
        self.dir = directory or Path(tempfile.mkdtemp(prefix="squall-keystone-"))
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}/v3"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["OS_KEYSTONE_CONFIG_FILES"] = str(self.dir / "keystone.conf")
        env.pop("PYTHONPATH", None)
        return env

    def _manage(self, *args: str) -> None:
        subprocess.run([str(VENV / "bin" / "keystone-manage"), "--config-file", str(self.dir / "keystone.conf"),
                        *args], check=True, capture_output=True, env=self._env(), cwd=self.dir)

    def setup(self) -> None:
        """Write the config, create the database, keys and the admin user (about 15 s)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        db_url = self.db_url or f"sqlite:///{self.dir}/keystone.db"
        config = CONFIG.format(dir=self.dir, db_url=db_url, max_db_limit=self.max_db_limit)
        (self.dir / "keystone.conf").write_text(config)
        (self.dir / "squall_keystone_wsgi.py").write_text(WSGI_MODULE)
        if (self.dir / "bootstrapped").exists():
            return
        for keys in ("fernet-keys", "credential-keys"):
            (self.dir / keys).mkdir(mode=0o700, exist_ok=True)
        user = ["--keystone-user", "root", "--keystone-group", "root"] if os.geteuid() == 0 else []
        self._manage("db_sync")
        self._manage("fernet_setup", *user)
        self._manage("credential_setup", *user)
        self._manage("bootstrap", "--bootstrap-password", ADMIN_PASSWORD, "--bootstrap-admin-url", self.url,
                     "--bootstrap-public-url", self.url, "--bootstrap-internal-url", self.url,
                     "--bootstrap-region-id", "RegionOne")
        (self.dir / "bootstrapped").touch()

    def start(self, timeout: float = 60, access_log: Path | None = None) -> str:
        """Serve Keystone and wait until it answers; returns the auth URL.

        With ``access_log`` gunicorn writes one line per HTTP request there
        (the benches count requests per iteration with it).
        """
        self.setup()
        log = open(self.dir / "gunicorn.log", "ab")  # noqa: SIM115 - kept open for the server's life
        extra = ["--access-logfile", str(access_log)] if access_log else []
        self.proc = subprocess.Popen(
            [str(VENV / "bin" / "gunicorn"), "--no-control-socket", "--workers", str(self.workers), "--threads", "1",
             "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "--timeout", "120", *extra,
             "--chdir", str(self.dir), "squall_keystone_wsgi:application"],
            stdout=log, stderr=log, env=self._env(), cwd=self.dir, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=5) as resp:  # noqa: S310 - our own server
                    if resp.status == 200:
                        return self.url
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.dir / "gunicorn.log").read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"Keystone did not start on port {self.port}:\n{tail}")
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop gunicorn and its worker."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def credentials(self) -> dict[str, str]:
        """The admin credentials as ``OS_*`` variables."""
        return {"OS_AUTH_URL": self.url, "OS_USERNAME": "admin", "OS_PASSWORD": ADMIN_PASSWORD,
                "OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_NAME": "Default",
                "OS_PROJECT_DOMAIN_NAME": "Default", "OS_REGION_NAME": "RegionOne",
                "OS_IDENTITY_API_VERSION": "3", "OS_INTERFACE": "public"}


if __name__ == "__main__":
    if not installed():
        install()
    server = KeystoneServer(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
    print(f"starting Keystone in {server.dir}", flush=True)
    server.start()
    for key, value in server.credentials().items():
        print(f"export {key}={value}")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
