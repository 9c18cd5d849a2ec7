"""squall vs Rally 5.1.1 + rally-openstack 4.1.0 on KeystoneBasic.create_delete_user, same Keystone.

Keystone 30.0.0 (its own venv, see tests/keystone.py) serves on 127.0.0.1
under gunicorn (one worker on SQLite, or --workers N on PostgreSQL), freshly
bootstrapped for each tool; its access log counts the HTTP requests each tool
spends. Both tools run the same Rally task file in the same run, and so does
the least any client can do (two raw requests with one token): Keystone's
ceiling. Then squall cleans up 1,000 leaked users of one task (Rally 5.1.1
has no cleanup command).

    python bench/bench_keystone.py [--times 200] [--concurrency 4] [--leaked 1000] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from bench_dummy import RALLY_VENV, SQUALL, ensure_rally, rate_of, workload_of  # noqa: E402
from results import write_section  # noqa: E402

from tests import keystone  # noqa: E402


def ensure_rally_openstack() -> Path:
    rally = ensure_rally()
    probe = subprocess.run([str(RALLY_VENV / "bin" / "python"), "-c", "import rally_openstack"],
                           capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(RALLY_VENV / "bin" / "pip"), "install", "-q", "rally==5.1.1",
                        "rally-openstack==4.1.0"], check=True)
    return rally


def lines(logs: Path | list[Path]) -> int:
    """Lines (requests) in one access log, or in several together."""
    return sum(len(p.read_text().splitlines()) for p in ([logs] if isinstance(logs, Path) else logs) if p.exists())


def task_file(work: Path, times: int, concurrency: int) -> Path:
    path = work / "create-delete-user.json"
    path.write_text(json.dumps({"KeystoneBasic.create_delete_user": [{
        "args": {}, "runner": {"type": "constant", "times": times, "concurrency": concurrency},
        "sla": {"failure_rate": {"max": 0}}}]}))
    return path


def run_squall(work: Path, task: Path, creds: dict[str, str], access: Path | list[Path]) -> dict[str, Any]:
    env = dict(os.environ, SQUALL_HOME=str(work / "squall"), **creds)
    env.pop("SQUALL_DB_URL", None)
    subprocess.run([*SQUALL, "db", "create"], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run([*SQUALL, "env", "create", "--name", "ks", "--from-sysenv"], env=env, check=True,
                   capture_output=True, cwd=ROOT)
    before = lines(access)
    started = time.monotonic()
    subprocess.run([*SQUALL, "task", "start", "-q", str(task)], env=env, check=True, capture_output=True, cwd=ROOT)
    wall = time.monotonic() - started
    requests = lines(access) - before
    out = subprocess.run([*SQUALL, "task", "export", "--type", "json"], env=env, check=True, capture_output=True,
                         text=True, cwd=ROOT).stdout
    wl = workload_of(json.loads(out))
    return {"wl": wl, "requests": requests, "wall": wall, "env": env}


def run_rally(work: Path, task: Path, creds: dict[str, str], access: Path | list[Path]) -> dict[str, Any]:
    rally = ensure_rally_openstack()
    conf = work / "rally.conf"
    conf.write_text(f"[database]\nconnection = sqlite:///{work / 'rally.sqlite'}\n")
    env = dict(os.environ, HOME=str(work), **creds)
    base = [str(rally), "--config-file", str(conf)]
    subprocess.run([*base, "db", "recreate"], env=env, check=True, capture_output=True)
    subprocess.run([*base, "env", "create", "--name", "ks", "--from-sysenv"], env=env, check=True,
                   capture_output=True)
    before = lines(access)
    started = time.monotonic()
    subprocess.run([*base, "task", "start", str(task)], env=env, check=True, capture_output=True)
    wall = time.monotonic() - started
    requests = lines(access) - before
    out = work / "rally-report.json"
    subprocess.run([*base, "task", "report", "--json", "--out", str(out)], env=env, check=True, capture_output=True)
    return {"wl": workload_of(json.loads(out.read_text())), "requests": requests, "wall": wall}


def admin_connection(creds: dict[str, str]) -> Any:
    import openstack

    return openstack.connect(auth_url=creds["OS_AUTH_URL"], username="admin", password=creds["OS_PASSWORD"],
                             project_name="admin", user_domain_name="Default", project_domain_name="Default")


def leak_users(creds: dict[str, str], count: int) -> tuple[str, int]:
    """Create users named as one (fake) squall task's scenario resources; return (task UUID, how many were made)."""
    from squall import naming

    task_uuid = str(uuid.uuid4())
    conn = admin_connection(creds)
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda _: conn.identity.post(
            "/users", json={"user": {"name": naming.generate(task_uuid), "domain_id": "default"}}).status_code,
            range(count)))
    return task_uuid, codes.count(201)


def remaining(creds: dict[str, str], task_uuid: str) -> int:
    """How many users of the task Keystone still lists (listings are capped at max_db_limit)."""
    from squall import naming

    users = admin_connection(creds).identity.get("/users").json()["users"]
    return sum(1 for u in users if naming.belongs_to(u["name"], task_uuid))


def ceiling(creds: dict[str, str], times: int, concurrency: int) -> tuple[float, dict[str, float]]:
    """Iterations per second of the least any client can do: one token, POST and DELETE a user, keep-alive.

    Whatever a tool adds on top, Keystone's own time for these two requests
    (and the token re-validation a user deletion forces) caps its rate. Also
    returns the median time of each kind of request, one at a time.
    """
    import statistics

    import httpx

    from squall import naming

    url = creds["OS_AUTH_URL"].rstrip("/")
    url = url if url.endswith("/v3") else f"{url}/v3"
    task_uuid = str(uuid.uuid4())
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"name": "Default"}, "password": creds["OS_PASSWORD"]}}},
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
    with httpx.Client(timeout=60, limits=httpx.Limits(max_keepalive_connections=concurrency)) as client:
        token = client.post(f"{url}/auth/tokens", json=auth).headers["X-Subject-Token"]
        headers = {"X-Auth-Token": token}

        def iteration(_: int) -> None:
            made = client.post(f"{url}/users", headers=headers, json={"user": {
                "name": naming.generate(task_uuid), "domain_id": "default", "password": uuid.uuid4().hex}})
            made.raise_for_status()
            client.delete(f"{url}/users/{made.json()['user']['id']}", headers=headers).raise_for_status()

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(iteration, range(times)))
        rate = times / (time.monotonic() - started)

        samples: dict[str, list[float]] = {}

        def timed(kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
            begun = time.perf_counter()
            response = client.request(method, f"{url}{path}", **kwargs)
            samples.setdefault(kind, []).append((time.perf_counter() - begun) * 1000)
            response.raise_for_status()
            return response

        for _ in range(20):
            timed("token issue", "POST", "/auth/tokens", json=auth)
            made = timed("user create", "POST", "/users", headers=headers, json={"user": {
                "name": naming.generate(task_uuid), "domain_id": "default", "password": uuid.uuid4().hex}})
            timed("user delete", "DELETE", f"/users/{made.json()['user']['id']}", headers=headers)
            timed("any request right after a delete", "GET", "/projects", headers=headers)
            timed("the same request again", "GET", "/projects", headers=headers)
        return rate, {kind: statistics.median(values) for kind, values in samples.items()}


def cloud_bench_parser() -> argparse.ArgumentParser:
    """The options every cloud bench takes: iterations, concurrency, leaked resources, and leaving Rally out."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--leaked", type=int, default=1000)
    parser.add_argument("--no-rally", action="store_true")
    return parser


def main() -> None:
    parser = cloud_bench_parser()
    parser.add_argument("--workers", type=int, default=1,
                        help="Keystone workers; more than 1 puts Keystone on PostgreSQL (SQLite locks)")
    opts = parser.parse_args()
    if not keystone.installed():
        keystone.install()
    work = Path(tempfile.mkdtemp(prefix="squall-bench-ks-"))
    task = task_file(work, opts.times, opts.concurrency)
    # Each tool gets a Keystone of its own, fresh from bootstrap: a user deletion
    # leaves a revocation event that every later token validation checks, so a
    # shared server would slow down whichever tool runs second.
    with fresh_keystone(work, "squall", opts.workers) as (creds, access):
        sq = run_squall(work, task, creds, access)
        leaked_task, leaked = leak_users(creds, opts.leaked)
        started = time.monotonic()
        cleaned = subprocess.run([*SQUALL, "cleanup", "--task", leaked_task, "--yes", "--json"], env=sq["env"],
                                 check=True, capture_output=True, text=True, cwd=ROOT)
        cleanup_s = time.monotonic() - started
        report = json.loads(cleaned.stdout)["platforms"][0]
        left = remaining(creds, leaked_task)
    ra = None
    if not opts.no_rally:
        with fresh_keystone(work, "rally", opts.workers) as (creds, access):
            ra = run_rally(work, task, creds, access)
    with fresh_keystone(work, "ceiling", opts.workers) as (creds, _):
        cap, request_ms = ceiling(creds, opts.times, opts.concurrency)
    n = opts.times
    rows = [("squall", sq)] + ([("Rally 5.1.1 + rally-openstack 4.1.0", ra)] if ra else [])
    backend = "SQLite" if opts.workers == 1 else "PostgreSQL"
    body = [f"KeystoneBasic.create_delete_user, constant runner, times {n}, concurrency {opts.concurrency}, "
            f"against Keystone 30.0.0 (gunicorn, {opts.workers} worker(s), {backend}, in-memory cache) on "
            "127.0.0.1, a freshly bootstrapped one for each row.", "",
            "| tool | iterations/s | HTTP requests / iteration | failures | wall time (s) |",
            "|---|---:|---:|---:|---:|"]
    for name, res in rows:
        wl = res["wl"]
        body.append(f"| {name} | {rate_of(wl):.2f} | {res['requests'] / n:.1f} | "
                    f"{wl['failed_iteration_count'] if 'failed_iteration_count' in wl else '?'} | {res['wall']:.1f} |")
    body.append(f"| least any client can do: 2 raw requests, one token | {cap:.2f} | 2.0 | 0 | {n / cap:.1f} |")
    if ra:
        body += ["", f"squall / Rally: {rate_of(sq['wl']) / rate_of(ra['wl']):.1f}x the iterations per second, "
                 f"{ra['requests'] / max(sq['requests'], 1):.1f}x fewer HTTP requests. squall reaches "
                 f"{rate_of(sq['wl']) / cap:.0%} of this Keystone's ceiling; the ceiling itself is "
                 f"{cap / rate_of(ra['wl']):.1f}x Rally, the most any client could be ahead of Rally here."]
    body += ["", f"`squall cleanup --task` of {leaked} leaked users (of {opts.leaked} asked for): "
             f"{len(report['discovered'])} discovered, {len(report['deleted'])} deleted, {len(report['failed'])} "
             f"failed, {left} left, in {cleanup_s:.1f} s ({len(report['deleted']) / cleanup_s:.0f} per second, "
             "command included); Rally 5.1.1 has no cleanup command.", "",
             "Keystone's own time bounds every client. Median time of each request, one at a time: "
             + ", ".join(f"{kind} {ms:.0f} ms" for kind, ms in request_ms.items())
             + ". A user deletion invalidates Keystone's token cache, so whatever request follows re-validates "
             "its token; " + ("one worker serves one request at a time." if opts.workers == 1 else
                              f"{opts.workers} workers share this machine's 2 cores with both tools.")]
    name = "bench/bench_keystone.py" if opts.workers == 1 else f"bench/bench_keystone.py:workers={opts.workers}"
    print(write_section(name, "\n".join(body)))


@contextmanager
def fresh_keystone(work: Path, name: str, workers: int) -> Iterator[tuple[dict[str, str], Path]]:
    """A newly bootstrapped Keystone (on its own PostgreSQL with several workers); yields (credentials, access log)."""
    access = work / f"access-{name}.log"
    pg = None
    db_url = None
    if workers > 1:
        from tests.postgres import PostgresServer

        pg = PostgresServer(keystone_port())
        db_url = pg.start().replace("postgresql+psycopg://", "postgresql+psycopg2://")
    server = keystone.KeystoneServer(keystone_port(), work / f"keystone-{name}", db_url=db_url, workers=workers)
    try:
        server.start(access_log=access)
        yield server.credentials(), access
    finally:
        server.stop()
        if pg is not None:
            pg.stop()


def keystone_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    main()
