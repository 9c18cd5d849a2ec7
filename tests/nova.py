"""A real Nova (34.0.0) with Placement (16.0.0) and the fake compute driver, behind the tests' Keystone.

From one venv (``scripts/install-openstack-service.sh nova``): Placement and
nova-api under gunicorn (one worker), nova-conductor, nova-scheduler and
nova-compute with the fake compute driver (its snapshots upload a little data, so that
they become active) as plain processes,
talking over the tests' RabbitMQ. Nova's three databases are on the tests'
PostgreSQL (on SQLite Nova fails with "database is locked" at concurrency 1);
Placement's is SQLite. Quotas are unlimited. Nova reaches Neutron and Glance
through the catalog, as the ``nova`` service user.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from tests.cloud_services import WsgiServer, admin_connection, register, venv_of
from tests.daemons import Daemon, wait_ready

PASSWORD = "squall-nova-secret"  # noqa: S105 - a throwaway test server's password

_AUTH = """auth_type = password
auth_url = {keystone}
project_domain_name = Default
user_domain_name = Default
project_name = service
username = nova
password = {password}
region_name = RegionOne
"""

# The fake driver's snapshot uploads nothing: the image would stay queued. This one uploads 64 KiB of zeros.
# Nova loads drivers from nova.virt only: sitecustomize (on the daemons' PYTHONPATH) maps the module there.
SNAPSHOT_DRIVER = """import io

from nova.image import glance
from nova.virt import fake


class SnapshotDriver(fake.FakeDriver):
    def snapshot(self, context, instance, image_id, update_task_state):
        super().snapshot(context, instance, image_id, update_task_state)
        glance.API().update(context, image_id, {"disk_format": "raw", "container_format": "bare"},
                            io.BytesIO(bytes(64 * 1024)), purge_props=False)
"""

SITECUSTOMIZE = """import importlib.abc
import importlib.util
import os
import sys

NAME = "nova.virt.squall_fake_compute"


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != NAME:
            return None
        return importlib.util.spec_from_file_location(
            NAME, os.path.join(os.path.dirname(__file__), "squall_fake_compute.py"))


sys.meta_path.insert(0, _Finder())
"""

NOVA_CONFIG = """[DEFAULT]
debug = false
use_stderr = true
host = squall-compute
my_ip = 127.0.0.1
state_path = {dir}/state
instances_path = {dir}/state/instances
compute_driver = squall_fake_compute.SnapshotDriver
transport_url = {transport_url}
vif_plugging_timeout = 0
vif_plugging_is_fatal = false
heal_instance_info_cache_interval = -1
# one compute host: a resize stays on it
allow_resize_to_same_host = true
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = {dir}/api-paste.ini
[api_database]
connection = {db}/{prefix}_api
[database]
connection = {db}/{prefix}_cell1
[keystone_authtoken]
www_authenticate_uri = {keystone}
memcached_servers =
{auth}[service_user]
send_service_user_token = true
{auth}[placement]
valid_interfaces = public
{auth}[glance]
valid_interfaces = public
{auth}[neutron]
valid_interfaces = public
{auth}[cinder]
os_region_name = RegionOne
{auth}[scheduler]
discover_hosts_in_cells_interval = 2
workers = 1
[conductor]
workers = 1
[oslo_concurrency]
lock_path = {dir}/lock
[oslo_messaging_notifications]
driver = noop
[oslo_policy]
enforce_new_defaults = true
enforce_scope = true
[quota]
instances = -1
cores = -1
ram = -1
key_pairs = -1
server_groups = -1
server_group_members = -1
metadata_items = -1
"""

PLACEMENT_CONFIG = """[DEFAULT]
debug = false
use_stderr = true
[api]
auth_strategy = keystone
[placement_database]
connection = sqlite:///{dir}/placement.db
[keystone_authtoken]
www_authenticate_uri = {keystone}
memcached_servers =
{auth}[oslo_policy]
enforce_new_defaults = true
enforce_scope = true
"""

# oslo.config would parse gunicorn's command line otherwise.
NOVA_WSGI = """import os, sys
sys.argv = sys.argv[:1]
os.environ.setdefault("OS_NOVA_CONFIG_DIR", {dir!r})
os.environ.setdefault("OS_NOVA_CONFIG_FILES", "api-paste.ini;nova.conf")
from nova.wsgi.osapi_compute import application  # noqa: E402
"""

PLACEMENT_WSGI = """import os, sys
sys.argv = sys.argv[:1]
os.environ.setdefault("OS_PLACEMENT_CONFIG_DIR", {dir!r})
from placement.wsgi.api import application  # noqa: E402
"""


class NovaCloud:
    """Placement, nova-api and the three Nova services, registered as ``placement`` and ``compute``."""

    def __init__(self, api_port: int, placement_port: int, keystone_root: str, db_root: str,
                 transport_url: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="squall-nova-"))
        self.keystone_root = keystone_root
        self.db_root = db_root
        self.transport_url = transport_url
        self.prefix = f"nova_{self.dir.name[-8:].lower().replace('-', '_')}"
        auth = _AUTH.format(keystone=keystone_root, password=PASSWORD)
        (self.dir / "placement").mkdir()
        self.placement = WsgiServer("placement", placement_port, self.dir / "placement",
                                    "squall_placement_wsgi:application", {}, venv="nova")
        self.api = WsgiServer("nova-api", api_port, self.dir, "squall_nova_wsgi:application", {}, venv="nova")
        self.daemons = [Daemon("nova", name, self.dir / "nova.conf", self.dir, {"PYTHONPATH": str(self.dir)})
                        for name in ("nova-conductor", "nova-scheduler", "nova-compute")]
        self._auth = auth

    def setup(self, create_database: Any) -> None:
        """Configs and schemas: Placement's, Nova's api, cell0 and cell1 (``create_database(name)`` makes one
        on the tests' PostgreSQL)."""
        for sub in ("state/instances", "lock"):
            (self.dir / sub).mkdir(parents=True)
        for suffix in ("api", "cell0", "cell1"):
            create_database(f"{self.prefix}_{suffix}")
        (self.dir / "nova.conf").write_text(NOVA_CONFIG.format(
            dir=self.dir, transport_url=self.transport_url, db=self.db_root, prefix=self.prefix,
            keystone=self.keystone_root, auth=self._auth))
        shutil.copy(venv_of("nova") / "etc" / "nova" / "api-paste.ini", self.dir / "api-paste.ini")
        (self.dir / "squall_fake_compute.py").write_text(SNAPSHOT_DRIVER)
        (self.dir / "sitecustomize.py").write_text(SITECUSTOMIZE)
        (self.dir / "squall_nova_wsgi.py").write_text(NOVA_WSGI.format(dir=str(self.dir)))
        place = self.dir / "placement"
        (place / "placement.conf").write_text(PLACEMENT_CONFIG.format(dir=place, keystone=self.keystone_root,
                                                                      auth=self._auth))
        (place / "squall_placement_wsgi.py").write_text(PLACEMENT_WSGI.format(dir=str(place)))
        self.placement.run("placement-manage", "--config-file", str(place / "placement.conf"), "db", "sync")
        manage = ("nova-manage", "--config-file", str(self.dir / "nova.conf"))
        self.api.run(*manage, "api_db", "sync")
        self.api.run(*manage, "cell_v2", "map_cell0", "--database_connection", f"{self.db_root}/{self.prefix}_cell0")
        self.api.run(*manage, "cell_v2", "create_cell", "--name", "cell1")
        self.api.run(*manage, "db", "sync")

    def serve(self, keystone: dict[str, str], create_database: Any, timeout: float = 240) -> None:
        """Set up, register, start everything and wait until the compute host is mapped to cell1
        (``keystone``: the admin's ``OS_*`` variables)."""
        self.setup(create_database)
        admin = admin_connection(keystone)
        register(admin, "placement", "placement", self.placement.url, PASSWORD)
        register(admin, "nova", "compute", f"{self.api.url}/v2.1", PASSWORD)
        admin.close()
        admin = admin_connection(keystone)  # a catalog with Nova and Placement
        self.placement.start()
        self.api.start()
        for daemon in self.daemons:
            daemon.start()
        try:
            self._wait_ready(admin, timeout)
        finally:
            admin.close()
        self.api.run("nova-manage", "--config-file", str(self.dir / "nova.conf"), "cell_v2", "discover_hosts")

    def _wait_ready(self, admin: Any, timeout: float) -> None:
        """Three services up and the compute node in Placement."""
        def probe() -> tuple[bool, str]:
            up = sum(s.state == "up" for s in admin.compute.services())
            providers = len(list(admin.placement.resource_providers()))
            return up == 3 and providers == 1, f"{up} services up, {providers} resource providers"

        wait_ready("Nova", self.daemons, probe, timeout)

    def stop(self) -> None:
        """Stop every process and remove the folder."""
        for daemon in self.daemons:
            daemon.stop()
        self.api.stop()
        self.placement.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
