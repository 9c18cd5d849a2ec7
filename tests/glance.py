"""A real Glance (33.0.0 from PyPI) API server on 127.0.0.1 behind the tests' Keystone, one file store.

Its database is on the tests' PostgreSQL server: on SQLite, Glance's import
tasks (a second thread) fail with "database is locked". One store only:
with two, Glance lists them in row order and clients that expect one order
wait. The ``copy-image`` and ``web-download`` import methods stay off.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.cloud_services import WsgiServer, register, venv_of

PASSWORD = "squall-glance-secret"  # noqa: S105 - a throwaway test server's password

CONFIG = """[DEFAULT]
debug = false
use_stderr = true
enabled_backends = fs:file
enabled_import_methods = [glance-direct]
worker_self_reference_url = {url}
[paste_deploy]
flavor = keystone
config_file = {dir}/glance-api-paste.ini
[database]
connection = {db_url}
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = {dir}/images
[os_glance_staging_store]
filesystem_store_datadir = {dir}/staging
[os_glance_tasks_store]
filesystem_store_datadir = {dir}/tasks
[keystone_authtoken]
www_authenticate_uri = {keystone}
auth_url = {keystone}
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = glance
password = {password}
memcached_servers =
[oslo_concurrency]
lock_path = {dir}/lock
[oslo_policy]
enforce_new_defaults = true
enforce_scope = true
"""


def create_database(pg_port: int, name: str = "glance") -> str:
    """A database of its own on the tests' PostgreSQL server; its SQLAlchemy URL for Glance (psycopg2)."""
    import glob

    createdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/createdb"))[-1]
    done = subprocess.run([createdb, "-h", "127.0.0.1", "-p", str(pg_port), "-U", "squall", name],
                          capture_output=True, text=True)
    if done.returncode and "already exists" not in done.stderr:
        raise RuntimeError(f"createdb {name}: {done.stderr}")
    return f"postgresql+psycopg2://squall@127.0.0.1:{pg_port}/{name}"


class GlanceServer(WsgiServer):
    """Glance's API on a port, registered in Keystone as the ``image`` service."""

    def __init__(self, port: int, keystone_root: str, db_url: str) -> None:
        directory = Path(tempfile.mkdtemp(prefix="squall-glance-"))
        super().__init__("glance", port, directory, "glance.wsgi.api:application",
                         {"OS_GLANCE_CONFIG_DIR": str(directory)})
        self.keystone_root = keystone_root
        self.db_url = db_url

    def setup(self) -> None:
        """Config, folders, the schema (``glance-manage db_sync``)."""
        for folder in ("images", "staging", "tasks", "lock"):
            (self.dir / folder).mkdir()
        (self.dir / "glance-api.conf").write_text(CONFIG.format(
            dir=self.dir, url=self.url, db_url=self.db_url, keystone=self.keystone_root, password=PASSWORD))
        shutil.copy(venv_of("glance") / "etc" / "glance" / "glance-api-paste.ini", self.dir / "glance-api-paste.ini")
        self.run("glance-manage", "--config-file", "glance-api.conf", "db_sync")

    def serve(self, admin: Any) -> str:
        """Set up, register in Keystone and start; returns the URL."""
        self.setup()
        register(admin, "glance", "image", self.url, PASSWORD)
        return self.start()

    def stop(self) -> None:
        """Stop serving and remove its folder."""
        super().stop()
        shutil.rmtree(self.dir, ignore_errors=True)
