"""squall vs Rally 5.1.1 + rally-openstack 4.1.0 on networks and images, same Keystone + Neutron + Glance.

Keystone 30, Neutron 29 (API only, SQLite) and Glance 33 (file store,
PostgreSQL) from PyPI, the test suite's servers, serve on 127.0.0.1 under
gunicorn with one worker each; their access logs count the HTTP requests each
tool spends. Both tools run the same Rally task files in the same run, on the
same servers, and so does the least any client can do (raw requests with one
token): the servers' ceiling. Then squall cleans up leaked networks, ports
(unnamed, on those networks) and images of one task (Rally has no cleanup
command).

    python bench/bench_neutron_glance.py [--times 200] [--concurrency 4] [--leaked 1000] [--no-rally]
"""

from __future__ import annotations

import json
import os
import subprocess
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
from bench_dummy import SQUALL, rate_of  # noqa: E402
from bench_keystone import admin_connection, cloud_bench_parser, keystone_port, run_rally, run_squall  # noqa: E402
from results import write_section  # noqa: E402

from tests import cloud_services, keystone  # noqa: E402

IMAGE_BYTES = 64 * 1024


def scenarios(image: Path) -> dict[str, tuple[dict[str, Any], int]]:
    """Each benchmarked scenario: its arguments and the fewest raw requests one iteration needs."""
    return {
        "NeutronNetworks.create_and_delete_networks": ({}, 2),
        "GlanceImages.create_and_delete_image": ({"container_format": "bare", "disk_format": "raw",
                                                  "image_location": str(image)}, 3),
    }


def task_file(work: Path, scenario: str, args: dict[str, Any], times: int, concurrency: int) -> Path:
    path = work / f"{scenario}.json"
    path.write_text(json.dumps({scenario: [{
        "args": args, "runner": {"type": "constant", "times": times, "concurrency": concurrency},
        "context": {"users": {"tenants": 1, "users_per_tenant": 1}}, "sla": {"failure_rate": {"max": 0}}}]}))
    return path


@contextmanager
def cloud(work: Path) -> Iterator[tuple[dict[str, str], list[Path]]]:
    """Keystone + Neutron + Glance on 127.0.0.1; yields (admin OS_* variables, the three access logs)."""
    from tests.glance import GlanceServer, create_database
    from tests.neutron import NeutronServer
    from tests.postgres import PostgresServer

    for name, probe in (("neutron", "neutron-db-manage"), ("glance", "glance-manage")):
        if not cloud_services.installed(name, probe):
            cloud_services.install(name)
    if not keystone.installed():
        keystone.install()
    access = work / "access-keystone.log"
    pg = PostgresServer(keystone_port())
    ks = keystone.KeystoneServer(keystone_port(), work / "keystone")
    servers: list[Any] = []
    try:
        pg.start()
        ks.start(access_log=access)
        creds = ks.credentials()
        admin = cloud_services.admin_connection(creds)
        root = creds["OS_AUTH_URL"].removesuffix("/v3")
        servers = [NeutronServer(keystone_port(), root),
                   GlanceServer(keystone_port(), root, create_database(pg.port))]
        for server in servers:
            server.serve(admin)
        yield creds, [access] + [s.dir / f"{s.name}-access.log" for s in servers]
    finally:
        for server in servers:
            server.stop()
        ks.stop()
        pg.stop()


def ceiling(creds: dict[str, str], scenario: str, image: Path, times: int, concurrency: int) -> float:
    """Iterations per second with raw requests and one admin token: POST + DELETE a network, or POST, PUT the
    data and DELETE an image."""
    import httpx

    conn = admin_connection(creds)
    token = conn.session.get_token()
    urls = {kind: conn.session.get_endpoint(service_type=kind, interface="public").rstrip("/")
            for kind in ("network", "image")}
    data = image.read_bytes()
    headers = {"X-Auth-Token": token}
    with httpx.Client(timeout=120, headers=headers,
                      limits=httpx.Limits(max_keepalive_connections=concurrency)) as client:
        def network(_: int) -> None:
            net = client.post(f"{urls['network']}/v2.0/networks", json={"network": {"name": uuid.uuid4().hex}})
            net.raise_for_status()
            client.delete(f"{urls['network']}/v2.0/networks/{net.json()['network']['id']}").raise_for_status()

        def glance_image(_: int) -> None:
            made = client.post(f"{urls['image']}/v2/images", json={
                "name": uuid.uuid4().hex, "container_format": "bare", "disk_format": "raw"})
            made.raise_for_status()
            image_id = made.json()["id"]
            client.put(f"{urls['image']}/v2/images/{image_id}/file", content=data,
                       headers={"Content-Type": "application/octet-stream"}).raise_for_status()
            client.delete(f"{urls['image']}/v2/images/{image_id}").raise_for_status()

        iteration: Callable[[int], None] = network if scenario.startswith("Neutron") else glance_image
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(iteration, range(times)))
        return times / (time.monotonic() - started)


def leak(creds: dict[str, str], count: int, image: Path) -> tuple[str, dict[str, int]]:
    """One (fake) squall task's leftovers: named networks, an unnamed port on each, named images, ``count`` in
    all; returns the task UUID and how many of each were made."""
    from squall import naming

    task_uuid = str(uuid.uuid4())
    conn = admin_connection(creds)
    project = conn.current_project_id
    conn.network.update_quota(project, networks=-1, ports=-1, subnets=-1)
    networks = count * 2 // 5
    images = count - 2 * networks
    with ThreadPoolExecutor(max_workers=4) as pool:
        nets = list(pool.map(lambda _: conn.network.create_network(name=naming.generate(task_uuid)).id,
                             range(networks)))
        list(pool.map(lambda net: conn.network.create_port(network_id=net), nets))
        list(pool.map(lambda _: conn.image.post("/images", json={
            "name": naming.generate(task_uuid), "container_format": "bare", "disk_format": "raw"}), range(images)))
    return task_uuid, {"networks": networks, "ports": networks, "images": images}


def left_of(creds: dict[str, str], task_uuid: str) -> int:
    """The task's networks, ports on them and images still listed."""
    from squall import naming

    conn = admin_connection(creds)
    nets = {n.id for n in conn.network.networks() if naming.belongs_to(n.name, task_uuid)}
    ports = [p for p in conn.network.ports() if p.network_id in nets]
    images = [i for i in conn.image.images() if naming.belongs_to(i.name, task_uuid)]
    return len(nets) + len(ports) + len(images)


def main() -> None:
    opts = cloud_bench_parser().parse_args()
    work = Path(tempfile.mkdtemp(prefix="squall-bench-net-"))
    image = work / "disk.raw"
    image.write_bytes(os.urandom(IMAGE_BYTES))
    rows: list[str] = []
    with cloud(work) as (creds, logs):
        for scenario, (args, fewest) in scenarios(image).items():
            folder = work / scenario
            folder.mkdir()
            task = task_file(folder, scenario, args, opts.times, opts.concurrency)
            results = [("squall", run_squall(folder, task, creds, logs))]
            if not opts.no_rally:
                results.append(("Rally 5.1.1 + rally-openstack 4.1.0",
                                run_rally(folder, task, creds, logs)))
            cap = ceiling(creds, scenario, image, opts.times, opts.concurrency)
            rows += table(scenario, results, cap, fewest, opts.times)
        env = dict(os.environ, SQUALL_HOME=str(work / scenario / "squall"), **creds)
        leaked_task, made = leak(creds, opts.leaked, image)
        started = time.monotonic()
        done = subprocess.run([*SQUALL, "cleanup", "--task", leaked_task, "--yes", "--json"], env=env,
                              capture_output=True, text=True, cwd=ROOT, check=True)
        cleanup_s = time.monotonic() - started
        report = json.loads(done.stdout)["platforms"][0]
        left = left_of(creds, leaked_task)
    head = [f"constant runner, times {opts.times}, concurrency {opts.concurrency}, users context (1 tenant, 1 user), "
            "against Keystone 30.0.0, Neutron 29.0.0 (API only, ML2, SQLite) and Glance 33.0.0 (file store, "
            f"PostgreSQL), one gunicorn worker each, on 127.0.0.1; images of {IMAGE_BYTES // 1024} KiB from a "
            "local file. Requests: every line of the three servers' access logs during the task (set-up and "
            "clean-up of the users context included). The ceiling runs last, on the same servers; where a tool "
            "reaches 100% or more of it, the servers (Neutron on SQLite with one worker) are the limit and the "
            "rates differ by noise.", ""]
    tail = ["", f"`squall cleanup --task` of {sum(made.values())} leaked resources ({made['networks']} networks, "
            f"{made['ports']} unnamed ports on them, found by their network, {made['images']} images): "
            f"{len(report['discovered'])} discovered, {len(report['deleted'])} deleted, {len(report['failed'])} "
            f"failed, {left} left, in {cleanup_s:.1f} s ({len(report['deleted']) / cleanup_s:.0f} per second, "
            "command included); Rally 5.1.1 has no cleanup command."]
    print(write_section("bench/bench_neutron_glance.py", "\n".join(head + rows + tail)))


def table(scenario: str, results: list[tuple[str, dict[str, Any]]], cap: float, fewest: int, n: int) -> list[str]:
    """The rows of one scenario: each tool, then the ceiling, then the ratios."""
    body = [f"**{scenario}**", "", "| tool | iterations/s | HTTP requests / iteration | failures | wall time (s) |",
            "|---|---:|---:|---:|---:|"]
    for name, res in results:
        wl = res["wl"]
        body.append(f"| {name} | {rate_of(wl):.2f} | {res['requests'] / n:.1f} | "
                    f"{wl.get('failed_iteration_count', '?')} | {res['wall']:.1f} |")
    body.append(f"| least any client can do: {fewest} raw requests, one token | {cap:.2f} | {fewest}.0 | 0 | "
                f"{n / cap:.1f} |")
    sq = results[0][1]
    if len(results) > 1:
        ra = results[1][1]
        body += ["", f"squall / Rally: {rate_of(sq['wl']) / rate_of(ra['wl']):.2f}x the iterations per second, "
                 f"{ra['requests'] / max(sq['requests'], 1):.1f}x fewer HTTP requests; squall reaches "
                 f"{rate_of(sq['wl']) / cap:.0%} of the servers' ceiling, Rally {rate_of(ra['wl']) / cap:.0%}."]
    return body + [""]


if __name__ == "__main__":
    main()
