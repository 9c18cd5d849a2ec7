"""The cloud of ``tests/cloud``: Neutron and Glance behind the session's Keystone, started once for the package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cloud_services import admin_connection
from tests.conftest import CLI, IN_CI, free_port, with_openstack_env


@pytest.fixture(scope="package")
def cloud(keystone: dict[str, str], postgres_server: Any) -> Iterator[dict[str, str]]:
    """Neutron 29 and Glance 33 behind the session's Keystone (its admin ``OS_*`` variables), for the tests
    of ``tests/cloud``: at the end they stop and leave the catalog, so other tests see a Keystone-only cloud."""
    from tests import cloud_services
    from tests.glance import GlanceServer, create_database
    from tests.neutron import NeutronServer

    for name, probe in (("neutron", "neutron-db-manage"), ("glance", "glance-manage")):
        if not cloud_services.installed(name, probe):
            if IN_CI:
                pytest.fail(f"{name} is not installed; scripts/install-test-deps.sh installs it")
            cloud_services.install(name)
    root = keystone["OS_AUTH_URL"].removesuffix("/v3")
    admin = cloud_services.admin_connection(keystone)
    neutron = NeutronServer(free_port(), root)
    glance = GlanceServer(free_port(), root, create_database(postgres_server.port, f"glance_{os.urandom(4).hex()}"))
    try:
        neutron.serve(admin)
        glance.serve(admin)
        NeutronServer.external_network(cloud_services.admin_connection(keystone))
        yield keystone
    finally:
        neutron.stop()
        glance.stop()
        cloud_services.unregister(admin, ("neutron", "glance"))
        admin.close()


@pytest.fixture(scope="package")
def admin(cloud: dict[str, str]) -> Iterator[Any]:
    """The test's own admin connection, seeing Neutron and Glance."""
    conn = admin_connection(cloud)
    yield conn
    conn.close()


@pytest.fixture
def cloud_cli(cli: CLI, cloud: dict[str, str]) -> CLI:
    """The CLI with an environment of the cloud's admin in use."""
    return with_openstack_env(cli, cloud)
