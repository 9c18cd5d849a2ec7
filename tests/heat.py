"""A real Heat (27.0.1) behind the tests' Keystone: heat-api and heat-api-cfn under gunicorn, one heat-engine,
over the tests' RabbitMQ, on the tests' PostgreSQL. Registered as ``heat`` (type ``orchestration``) and
``heat-cfn`` (type ``cloudformation``). Stacks of the templates Rally's samples use (random strings, resource
groups, servers, volumes, scaling policies) build against the package's Nova, Cinder and Neutron; deferred
authentication by trusts, as Heat's default; stack users (servers' metadata, webhooks) live in a ``heat``
domain, as devstack sets it up, and sign their requests to the CloudFormation API with EC2 keys."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

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
heat_metadata_server_url = {cfn}
heat_waitcondition_server_url = {cfn}/v1/waitcondition
stack_user_domain_name = heat
stack_domain_admin = heat_domain_admin
stack_domain_admin_password = {password}
[paste_deploy]
api_paste_config = {dir}/api-paste.ini
[heat_api]
workers = 1
[heat_api_cfn]
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
# Keystone lets only a service user or an admin check an EC2 signature (identity:ec2tokens_validate); the
# middleware appends /v3/ec2tokens to the endpoint itself.
endpoint_override = {keystone_root}
auth_type = password
auth_url = {keystone}
username = heat
password = {password}
user_domain_name = Default
project_name = service
project_domain_name = Default
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
from heat.wsgi.{api} import application  # noqa: E402
"""


def stack_user_domain(admin: Any) -> None:
    """The ``heat`` domain with its admin ``heat_domain_admin`` and the ``heat_stack_user`` role (what
    ``heat-manage`` and devstack make)."""
    ident = admin.identity
    domain = ident.find_domain("heat") or ident.create_domain(name="heat", description="Heat's stack users")
    user = (ident.find_user("heat_domain_admin", domain_id=domain.id)
            or ident.create_user(name="heat_domain_admin", password=PASSWORD, domain_id=domain.id))
    ident.update_user(user, password=PASSWORD)
    role = ident.find_role("admin") or ident.create_role(name="admin")
    ident.assign_domain_role_to_user(domain, user, role)
    if ident.find_role("heat_stack_user") is None:
        ident.create_role(name="heat_stack_user")


class HeatCloud:
    """heat-api, heat-api-cfn and heat-engine."""

    def __init__(self, port: int, cfn_port: int, keystone_root: str, db_url: str, transport_url: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="squall-heat-"))
        self.keystone_root = keystone_root
        self.db_url = db_url
        self.transport_url = transport_url
        self.api = WsgiServer("heat", port, self.dir, "squall_heat_wsgi:application", {})
        self.cfn = WsgiServer("heat-cfn", cfn_port, self.dir, "squall_heat_cfn_wsgi:application", {}, venv="heat")
        self.engine = Daemon("heat", "heat-engine", self.dir / "heat.conf", self.dir)

    def setup(self) -> None:
        """Config, paste file, the schema."""
        (self.dir / "lock").mkdir()
        (self.dir / "heat.conf").write_text(CONFIG.format(
            dir=self.dir, transport_url=self.transport_url, db_url=self.db_url, venv=venv_of("heat"), cfn=self.cfn.url,
            keystone=f"{self.keystone_root}/v3", keystone_root=self.keystone_root, password=PASSWORD))
        shutil.copy(venv_of("heat") / "etc" / "heat" / "api-paste.ini", self.dir / "api-paste.ini")
        (self.dir / "policy.yaml").write_text(POLICY)
        for module, api in (("squall_heat_wsgi", "api"), ("squall_heat_cfn_wsgi", "cfn")):
            (self.dir / f"{module}.py").write_text(WSGI_MODULE.format(config=str(self.dir / "heat.conf"), api=api))
        self.api.run("heat-manage", "--config-file", str(self.dir / "heat.conf"), "db_sync")

    def serve(self, keystone: dict[str, str], timeout: float = 180) -> None:
        """Set up, register, start, and wait until the engine is up (``keystone``: the admin's ``OS_*``)."""
        self.setup()
        admin = admin_connection(keystone)
        register(admin, "heat", "orchestration", f"{self.api.url}/v1/%(project_id)s", PASSWORD)
        register(admin, "heat-cfn", "cloudformation", f"{self.cfn.url}/v1", PASSWORD)
        stack_user_domain(admin)
        admin.close()
        self.api.start()
        self.cfn.start()
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
        """Stop the three processes and remove the folder."""
        self.engine.stop()
        self.cfn.stop()
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
