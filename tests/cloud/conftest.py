"""The cloud of ``tests/cloud``: Neutron and Glance behind the session's Keystone, started once for the package;
Nova and Cinder beside them (``compute``) when a test asks."""

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


def _serve_compute(keystone: dict[str, str], postgres_server: Any) -> tuple[Any, ...]:
    """RabbitMQ, then Nova, Cinder and Heat side by side; every part stopped again if one fails."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.cinder import CinderCloud
    from tests.glance import create_database
    from tests.heat import HeatCloud
    from tests.nova import NovaCloud
    from tests.rabbitmq import RabbitServer

    root = keystone["OS_AUTH_URL"].removesuffix("/v3")
    rabbit = RabbitServer(free_port(), free_port(), free_port())
    db_root = f"postgresql+psycopg2://squall@127.0.0.1:{postgres_server.port}"
    nova = NovaCloud(free_port(), free_port(), root, db_root, rabbit.transport_url)
    cinder = CinderCloud(free_port(), root, create_database(postgres_server.port, f"cinder_{os.urandom(4).hex()}"),
                         rabbit.transport_url)
    heat = HeatCloud(free_port(), free_port(), root,
                     create_database(postgres_server.port, f"heat_{os.urandom(4).hex()}"), rabbit.transport_url)
    try:
        rabbit.start()
        with ThreadPoolExecutor(max_workers=3) as pool:
            started = [pool.submit(nova.serve, keystone, lambda name: create_database(postgres_server.port, name)),
                       pool.submit(cinder.serve, keystone), pool.submit(heat.serve, keystone)]
            for future in started:
                future.result()
    except BaseException:
        for part in (heat, nova, cinder, rabbit):
            part.stop()
        raise
    return rabbit, nova, cinder, heat


@pytest.fixture(scope="package")
def compute(cloud: dict[str, str], postgres_server: Any, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[dict[str, str]]:
    """Nova 34 (fake compute driver) with Placement 16, Cinder 29 (fake volume driver) and Heat 27, next to the
    package's Neutron and Glance, with what Rally's samples expect: flavors m1.tiny and m1.small, the volume
    type lvmdriver-1 and an
    active image named like CirrOS's (``cirros-0.5.2-x86_64-disk``). Stopped and out of the catalog at the end."""
    from tests import cloud_services, rabbitmq

    if not rabbitmq.available():
        if IN_CI:
            pytest.fail("rabbitmq-server is not installed; scripts/install-test-deps.sh installs it")
        pytest.skip("rabbitmq-server is not installed (make test installs it)")
    for name, probe in (("nova", "nova-manage"), ("cinder", "cinder-manage"), ("heat", "heat-manage")):
        if not cloud_services.installed(name, probe):
            if IN_CI:
                pytest.fail(f"{name} is not installed; scripts/install-test-deps.sh installs it")
            cloud_services.install(name)
    parts = _serve_compute(cloud, postgres_server)
    admin = admin_connection(cloud)
    image_file = tmp_path_factory.mktemp("cirros") / "cirros.raw"
    image_file.write_bytes(os.urandom(64 * 1024))
    image: dict[str, Any] = {}
    try:
        for flavor, ram in (("m1.tiny", 512), ("m1.small", 2048)):
            admin.compute.post("/flavors", json={"flavor": {"name": flavor, "ram": ram, "vcpus": 1, "disk": 1}})
        # devstack's volume type, which rally-openstack's samples name
        admin.block_storage.post("/types", json={"volume_type": {"name": "lvmdriver-1"}}).raise_for_status()
        image = admin.image.post("/images", json={"name": "cirros-0.5.2-x86_64-disk", "disk_format": "raw",
                                                  "container_format": "bare", "visibility": "public"}).json()
        with image_file.open("rb") as data:
            admin.image.put(f"/images/{image['id']}/file", data=data,
                            headers={"Content-Type": "application/octet-stream"}).raise_for_status()
        yield cloud
    finally:
        for part in parts[::-1]:
            part.stop()
        if image:
            admin.image.delete(f"/images/{image['id']}")
        cloud_services.unregister(admin, ("nova", "placement", "cinderv3", "heat", "heat-cfn"))
        admin.close()


@pytest.fixture
def compute_cli(cli: CLI, compute: dict[str, str]) -> CLI:
    """The CLI with an environment of the cloud's admin in use (Keystone, Neutron, Glance, Nova, Cinder, Heat)."""
    return with_openstack_env(cli, compute)


@pytest.fixture(scope="package")
def compute_admin(compute: dict[str, str]) -> Iterator[Any]:
    """An admin connection made after Nova, Cinder and Heat joined the catalog (``admin`` may predate them)."""
    conn = admin_connection(compute)
    yield conn
    conn.close()
