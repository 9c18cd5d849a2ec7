"""squall vs Rally 5.1.1 + rally-openstack 4.1.0 on servers and volumes, same Nova + Cinder.

The test suite's cloud: Keystone 30, Neutron 29, Glance 33, Nova 34 with
Placement 16 (fake compute driver) and Cinder 29 (fake volume driver) from
PyPI, on RabbitMQ and PostgreSQL, one gunicorn worker per API, on 127.0.0.1.
Both tools run the same Rally task files in the same run, and so does the
least any client can do (raw requests with one token, polling as squall
does). Requests counted: the lines of the Nova, Cinder and Keystone access
logs during the task (Nova's own calls to Keystone for its service token
count for every tool alike).

    python bench/bench_nova_cinder.py [--times 100] [--concurrency 4] [--no-rally]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from bench_keystone import admin_connection, cloud_bench_parser, keystone_port, run_rally, run_squall  # noqa: E402
from bench_neutron_glance import cloud, table, task_file  # noqa: E402
from results import write_section  # noqa: E402

from tests import cloud_services  # noqa: E402

SCENARIOS: dict[str, tuple[dict[str, Any], int]] = {
    # The fewest requests: create, one poll that sees the end state, delete, one poll that sees it gone.
    "NovaServers.boot_and_delete_server": ({"flavor": {"name": "m1.tiny"}, "image": {"name": "^cirros.*-disk$"}}, 4),
    "CinderVolumes.create_and_delete_volume": ({"size": 1}, 4),
}


@contextmanager
def compute_cloud(work: Path) -> Iterator[tuple[dict[str, str], list[Path]]]:
    """The cloud of ``bench_neutron_glance`` plus RabbitMQ, Nova and Cinder, a flavor and an image; yields
    (admin ``OS_*`` variables, the Keystone, Nova and Cinder access logs)."""
    from tests.cinder import CinderCloud
    from tests.glance import create_database
    from tests.nova import NovaCloud
    from tests.postgres import PostgresServer
    from tests.rabbitmq import RabbitServer

    for name, probe in (("nova", "nova-manage"), ("cinder", "cinder-manage")):
        if not cloud_services.installed(name, probe):
            cloud_services.install(name)
    with cloud(work) as (creds, logs):
        root = creds["OS_AUTH_URL"].removesuffix("/v3")
        pg = PostgresServer(keystone_port())
        rabbit = RabbitServer(keystone_port(), keystone_port(), keystone_port())
        parts: list[Any] = [rabbit]
        try:
            pg.start()
            rabbit.start()
            nova = NovaCloud(keystone_port(), keystone_port(), root, f"postgresql+psycopg2://squall@127.0.0.1:{pg.port}",
                             rabbit.transport_url)
            cinder = CinderCloud(keystone_port(), root, create_database(pg.port, "cinder"), rabbit.transport_url)
            parts += [nova, cinder]
            with ThreadPoolExecutor(max_workers=2) as pool:
                for started in [pool.submit(nova.serve, creds, lambda n: create_database(pg.port, n)),
                                pool.submit(cinder.serve, creds)]:
                    started.result()
            _flavor_and_image(creds, work)
            yield creds, [logs[0], nova.dir / "nova-api-access.log", cinder.dir / "cinder-access.log"]
        finally:
            for part in parts[::-1]:
                part.stop()
            pg.stop()


def _flavor_and_image(creds: dict[str, str], work: Path) -> None:
    admin = admin_connection(creds)
    admin.compute.post("/flavors", json={"flavor": {"name": "m1.tiny", "ram": 512, "vcpus": 1, "disk": 1}})
    image = admin.image.post("/images", json={"name": "cirros-0.5.2-x86_64-disk", "disk_format": "raw",
                                              "container_format": "bare", "visibility": "public"}).json()
    admin.image.put(f"/images/{image['id']}/file", data=os.urandom(64 * 1024),
                    headers={"Content-Type": "application/octet-stream"}).raise_for_status()


def _poll(fetch: Callable[[], Any], done: Callable[[Any], bool]) -> None:
    """squall's schedule: at once, then 0.1 s doubling up to 1 s."""
    pause = 0.1
    while not done(fetch()):
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def ceiling(creds: dict[str, str], scenario: str, times: int, concurrency: int) -> float:
    """Iterations per second with raw requests and one admin token."""
    import httpx

    conn = admin_connection(creds)
    token = conn.session.get_token()
    nova = conn.session.get_endpoint(service_type="compute", interface="public").rstrip("/")
    cinder = conn.session.get_endpoint(service_type="volumev3", interface="public").rstrip("/")
    flavor = conn.compute.get("/flavors").json()["flavors"][0]["id"]
    image = next(i["id"] for i in conn.image.get("/images").json()["images"] if i["status"] == "active")
    with httpx.Client(timeout=300, headers={"X-Auth-Token": token},
                      limits=httpx.Limits(max_keepalive_connections=concurrency)) as client:
        def server(_: int) -> None:
            made = client.post(f"{nova}/servers", json={"server": {"name": uuid.uuid4().hex, "imageRef": image,
                                                                   "flavorRef": flavor}})
            made.raise_for_status()
            url = f"{nova}/servers/{made.json()['server']['id']}"
            _poll(lambda: client.get(url).json()["server"], lambda s: s["status"] == "ACTIVE")
            client.delete(url).raise_for_status()
            _poll(lambda: client.get(url).status_code, lambda code: code == 404)

        def volume(_: int) -> None:
            made = client.post(f"{cinder}/volumes", json={"volume": {"name": uuid.uuid4().hex, "size": 1}})
            made.raise_for_status()
            url = f"{cinder}/volumes/{made.json()['volume']['id']}"
            _poll(lambda: client.get(url).json()["volume"], lambda v: v["status"] == "available")
            client.delete(url).raise_for_status()
            _poll(lambda: client.get(url).status_code, lambda code: code == 404)

        iteration = server if scenario.startswith("Nova") else volume
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(iteration, range(times)))
        return times / (time.monotonic() - started)


def main() -> None:
    parser = cloud_bench_parser()
    parser.set_defaults(times=100)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="squall-bench-nova-"))
    rows: list[str] = []
    with compute_cloud(work) as (creds, logs):
        for scenario, (args, fewest) in SCENARIOS.items():
            folder = work / scenario
            folder.mkdir()
            task = task_file(folder, scenario, args, opts.times, opts.concurrency)
            results = [("squall", run_squall(folder, task, creds, logs))]
            if not opts.no_rally:
                results.append(("Rally 5.1.1 + rally-openstack 4.1.0", run_rally(folder, task, creds, logs)))
            cap = ceiling(creds, scenario, opts.times, opts.concurrency)
            rows += table(scenario, results, cap, fewest, opts.times)
    head = [f"constant runner, times {opts.times}, concurrency {opts.concurrency}, users context (1 tenant, 1 user), "
            "against Nova 34.0.0 + Placement 16.0.0 (fake compute driver) and Cinder 29.0.0 (fake volume driver) "
            "on RabbitMQ and PostgreSQL, with Keystone 30, Neutron 29 and Glance 33, one gunicorn worker per API, "
            "on 127.0.0.1. Requests: the lines of the Keystone, Nova and Cinder access logs during the task "
            "(users context included; Nova's service-token requests to Keystone too, alike for every tool). "
            "Rally waits a fixed second before its first poll and polls every second; squall polls at once, then "
            "after 0.1 s doubling up to 1 s, which the ceiling does too.", ""]
    print(write_section("bench/bench_nova_cinder.py", "\n".join(head + rows)))


if __name__ == "__main__":
    main()
