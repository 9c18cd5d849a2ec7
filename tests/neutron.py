"""A real Neutron (29.0.0 from PyPI) API server on 127.0.0.1 behind the tests' Keystone, without agents.

ML2 with the router and trunk service plugins, ``transport_url = fake://`` (no message
broker), every quota unlimited, SQLite. A mechanism driver of the tests'
binds every port a host asks for (Nova's fake compute host has no agent), so
that servers boot on tenant networks. Neutron's migrations cannot ALTER
constraints on SQLite, so the schema is built from its models and alembic is
stamped at heads. A flat external network ``public`` with a subnet is made
for floating IPs. Neutron tells Nova when a server's port changes (a
floating IP associated: Nova refreshes the server's addresses), as its
``neutron`` user; it looks Nova up in the catalog at its first such event,
which comes only once Nova has servers. No L2 agent runs: the state report
one Open vSwitch agent would send is stored in the database as Neutron stores
it (``agent_down_time`` keeps it alive), so that Neutron lists a live agent
whose host Rally's ``create_and_bind_ports`` binds ports to (the bind-all
driver binds them).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.cloud_services import WsgiServer, register, venv_of

PASSWORD = "squall-neutron-secret"  # noqa: S105 - a throwaway test server's password

# Neutron's own user, for Keystone's token checks and for its notifications to Nova.
AUTH = """auth_url = {keystone}
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = neutron
password = {password}
"""

CONFIG = """[DEFAULT]
core_plugin = ml2
service_plugins = router,trunk
auth_strategy = keystone
transport_url = fake://
api_paste_config = {dir}/api-paste.ini
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = true
debug = false
use_stderr = true
state_path = {dir}
host = squall-neutron
agent_down_time = 2000000
[database]
connection = sqlite:///{dir}/neutron.db
[keystone_authtoken]
www_authenticate_uri = {keystone}
memcached_servers =
{auth}[nova]
{auth}region_name = RegionOne
endpoint_type = public
[oslo_concurrency]
lock_path = {dir}/lock
[oslo_policy]
enforce_new_defaults = true
enforce_scope = true
[quotas]
quota_network = -1
quota_subnet = -1
quota_port = -1
quota_router = -1
quota_floatingip = -1
quota_security_group = -1
quota_security_group_rule = -1
"""

ML2 = """[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = squall_bind_all
extension_drivers = port_security
[ml2_type_vxlan]
vni_ranges = 1:1000
[ml2_type_flat]
flat_networks = public
[ml2_type_vlan]
network_vlan_ranges = public:100:200
"""

# oslo.config would parse gunicorn's command line otherwise.
WSGI_MODULE = """import os, sys
sys.argv = sys.argv[:1]
os.environ.setdefault("OS_NEUTRON_CONFIG_DIR", {dir!r})
os.environ.setdefault("OS_NEUTRON_CONFIG_FILES", "neutron.conf;plugins/ml2/ml2_conf.ini")
from neutron.wsgi.api import application  # noqa: E402
"""

# An ML2 mechanism driver that binds every port (as an OVS port) without an agent, and an agentless trunk
# driver for those ports, found by stevedore through the entry point of a small distribution on the server's
# PYTHONPATH.
BIND_ALL = """from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api
from neutron.services.trunk.drivers import base
from oslo_config import cfg


class TrunkDriver(base.DriverBase):
    @property
    def is_loaded(self):
        return "squall_bind_all" in cfg.CONF.ml2.mechanism_drivers


class BindAll(api.MechanismDriver):
    def initialize(self):
        # Agentless, VLAN subports, trunks on bound ports allowed: the trunk plugin starts with it.
        self.trunk_driver = TrunkDriver("squall_bind_all", (portbindings.VIF_TYPE_OVS,), ("vlan",),
                                        can_trunk_bound_port=True)

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OVS, {portbindings.CAP_PORT_FILTER: True},
                                status="ACTIVE")
            return
"""
BIND_ALL_ENTRY_POINT = "[neutron.ml2.mechanism_drivers]\nsquall_bind_all = squall_bind_all:BindAll\n"

CREATE_SCHEMA = """import sys
import sqlalchemy as sa
from neutron.db.migration.models import head
head.get_metadata().create_all(sa.create_engine(sys.argv[1]))
"""


class NeutronServer(WsgiServer):
    """Neutron's API on a port, registered in Keystone as the ``network`` service."""

    def __init__(self, port: int, keystone_root: str) -> None:
        directory = Path(tempfile.mkdtemp(prefix="squall-neutron-"))
        super().__init__("neutron", port, directory, "squall_neutron_wsgi:application",
                         {"PYTHONPATH": str(directory / "site")})
        self.keystone_root = keystone_root

    def setup(self) -> None:
        """Configs, the schema from the models, alembic stamped (about 10 s)."""
        (self.dir / "plugins" / "ml2").mkdir(parents=True)
        (self.dir / "lock").mkdir()
        auth = AUTH.format(keystone=self.keystone_root, password=PASSWORD)
        (self.dir / "neutron.conf").write_text(CONFIG.format(dir=self.dir, keystone=self.keystone_root, auth=auth))
        (self.dir / "plugins" / "ml2" / "ml2_conf.ini").write_text(ML2)
        shutil.copy(venv_of("neutron") / "etc" / "neutron" / "api-paste.ini", self.dir / "api-paste.ini")
        (self.dir / "squall_neutron_wsgi.py").write_text(WSGI_MODULE.format(dir=str(self.dir)))
        (self.dir / "create_schema.py").write_text(CREATE_SCHEMA)
        site = self.dir / "site"
        (site / "squall_bind_all-1.0.dist-info").mkdir(parents=True)
        (site / "squall_bind_all.py").write_text(BIND_ALL)
        (site / "squall_bind_all-1.0.dist-info" / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: squall-bind-all\nVersion: 1.0\n")
        (site / "squall_bind_all-1.0.dist-info" / "entry_points.txt").write_text(BIND_ALL_ENTRY_POINT)
        self.run("python", "create_schema.py", f"sqlite:///{self.dir}/neutron.db")
        self.run("neutron-db-manage", "--config-file", "neutron.conf", "--config-file",
                 "plugins/ml2/ml2_conf.ini", "stamp", "heads")
        self.report_l2_agent()

    def report_l2_agent(self) -> None:
        """An Open vSwitch agent on host ``squall-l2-host``, as its first state report leaves it."""
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        with sqlite3.connect(self.dir / "neutron.db") as db:
            db.execute('INSERT INTO agents (id, agent_type, "binary", topic, host, admin_state_up, created_at, '
                       "started_at, heartbeat_timestamp, configurations, load) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, "
                       "?, 0)", (str(uuid.uuid4()), "Open vSwitch agent", "neutron-openvswitch-agent", "N/A",
                                 "squall-l2-host", now, now, now, '{"bridge_mappings": {}}'))

    def serve(self, admin: Any) -> str:
        """Set up, register in Keystone and start; returns the URL."""
        self.setup()
        register(admin, "neutron", "network", self.url, PASSWORD)
        return self.start()

    @staticmethod
    def external_network(admin: Any) -> None:
        """``public``: a flat external network with a subnet, as clouds give for floating IPs (``admin``: a
        connection made after Neutron was registered, so its catalog has it)."""
        net = admin.network.create_network(name="public", is_router_external=True, provider_network_type="flat",
                                           provider_physical_network="public")
        admin.network.create_subnet(network_id=net.id, name="public-subnet", ip_version=4, cidr="172.24.4.0/24",
                                    is_dhcp_enabled=False)

    def stop(self) -> None:
        """Stop serving and remove its folder."""
        super().stop()
        shutil.rmtree(self.dir, ignore_errors=True)
