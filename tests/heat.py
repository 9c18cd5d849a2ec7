"""A real Heat (27.0.1) behind the tests' Keystone: heat-api under gunicorn, one heat-engine, over the tests'
RabbitMQ, on the tests' PostgreSQL. Registered as ``heat`` (type ``orchestration``). Stacks of the
templates Rally's samples use (random strings, resource groups, servers, volumes) build against the
package's Nova, Cinder and Neutron; deferred authentication by trusts, as Heat's default."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.cloud_services import WsgiServer, admin_connection, register, venv_of
from tests.daemons import Daemon, wait_ready

PASSWORD = "squall-heat-secret"  # noqa: S105 - a throwaway test server's password

CONFIG = """[DEFAULT]
debug = false
use_stderr = true
host = squall-heat
transport_url = {transport_url}
num_engine_workers = 1
environment_dir = {venv}/etc/heat/environment.d
template_dir = {venv}/etc/heat/templates
max_stacks_per_tenant = -1
[paste_deploy]
api_paste_config = {dir}/api-paste.ini
[heat_api]
workers = 1
[database]
connection = {db_url}
[keystone_authtoken]
www_authenticate_uri = {keystone}
auth_url = {keystone}
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = heat
password = {password}
memcached_servers =
[trustee]
auth_type = password
auth_url = {keystone}
username = heat
password = {password}
user_domain_name = Default
[clients_keystone]
auth_uri = {keystone_root}
[ec2authtoken]
auth_uri = {keystone}
[oslo_messaging_notifications]
driver = noop
[oslo_concurrency]
lock_path = {dir}/lock
[oslo_policy]
policy_file = {dir}/policy.yaml
"""

# Heat denies every project's stack listing (global_tenant) to everybody by default; a cloud whose admin
# cleans up after its users allows it to the admin, as this one does.
POLICY = '"stacks:global_index": "role:admin"\n'


WSGI_MODULE = """import sys
sys.argv = sys.argv[:1] + ["--config-file", {config!r}]
from heat.wsgi.api import application  # noqa: E402
"""


class HeatCloud:
    """heat-api and heat-engine."""

    def __init__(self, port: int, keystone_root: str, db_url: str, transport_url: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="squall-heat-"))
        self.keystone_root = keystone_root
        self.db_url = db_url
        self.transport_url = transport_url
        self.api = WsgiServer("heat", port, self.dir, "squall_heat_wsgi:application", {})
        self.engine = Daemon("heat", "heat-engine", self.dir / "heat.conf", self.dir)

    def setup(self) -> None:
        """Config, paste file, the schema."""
        (self.dir / "lock").mkdir()
        (self.dir / "heat.conf").write_text(CONFIG.format(
            dir=self.dir, transport_url=self.transport_url, db_url=self.db_url, venv=venv_of("heat"),
            keystone=f"{self.keystone_root}/v3", keystone_root=self.keystone_root, password=PASSWORD))
        shutil.copy(venv_of("heat") / "etc" / "heat" / "api-paste.ini", self.dir / "api-paste.ini")
        (self.dir / "policy.yaml").write_text(POLICY)
        (self.dir / "squall_heat_wsgi.py").write_text(WSGI_MODULE.format(config=str(self.dir / "heat.conf")))
        self.api.run("heat-manage", "--config-file", str(self.dir / "heat.conf"), "db_sync")

    def serve(self, keystone: dict[str, str], timeout: float = 180) -> None:
        """Set up, register, start, and wait until the engine is up (``keystone``: the admin's ``OS_*``)."""
        self.setup()
        admin = admin_connection(keystone)
        register(admin, "heat", "orchestration", f"{self.api.url}/v1/%(project_id)s", PASSWORD)
        admin.close()
        self.api.start()
        self.engine.start()
        admin = admin_connection(keystone)
        def probe() -> tuple[bool, str]:
            engines = admin.orchestration.get("/services").json()["services"]
            up = sum(e["status"] == "up" for e in engines)
            return up > 0, f"{up} engines up"

        try:
            wait_ready("Heat", [self.engine], probe, timeout)
        finally:
            admin.close()

    def stop(self) -> None:
        """Stop both processes and remove the folder."""
        self.engine.stop()
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
