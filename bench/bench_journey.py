"""squall's HttpJourney.run vs Locust 2.47 FastHttpUser on the same user journey, against the same target.

The journey: log in once per user (POST /login, the token taken from the
answer), then per iteration list a page of items (GET /items?page=1, its
JSON checked), create an item (POST /items, its id taken from the answer),
read it back (GET /items/ID, the id checked) and ask who is logged in
(GET /me). 10 users, no think time; Locust runs the same journey as a
FastHttpUser with the same checks, 2 processes. Two targets: nginx answering
each route with a fixed JSON body (the generators' ceiling: nginx is not the
limit), and the sample shop (samples/apps/shop.py) under uvicorn (one Python
process: the application is the limit, as it often is). Requests/s count
every request (logins included); CPU is the whole process tree's, per request.

    python bench/bench_journey.py [--times 20000] [--seconds 15] [--repeat 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_dummy import Squall  # noqa: E402
from bench_http import LOCUST_VENV, ensure_nginx, free_port, locust_run  # noqa: E402
from results import write_section  # noqa: E402

USERS = 10
STEPS = [
    {"name": "list items", "url": "/items", "params": {"page": 1}, "headers": {"Authorization": "Bearer ${token}"},
     "check": {"status": 200, "json": {"$.page": 1}}},
    {"name": "create item", "method": "POST", "url": "/items", "headers": {"Authorization": "Bearer ${token}"},
     "json": {"name": "bench"}, "check": {"status": 201}, "extract": {"item_id": {"json": "$.id"}}},
    {"name": "read item", "url": "/items/${item_id}", "headers": {"Authorization": "Bearer ${token}"},
     "check": {"status": 200, "json": {"$.id": "${item_id}"}}},
    {"name": "whoami", "url": "/me", "check": {"status": 200}},
]
LOGIN = {"name": "login", "method": "POST", "url": "/login", "json": {"username": "alice", "password": "ecila"},
         "check": {"status": 200}, "extract": {"token": {"json": "$.token"}}}
LOCUSTFILE = """
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser


class Shopper(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        with self.client.post("/login", json={"username": "alice", "password": "ecila"}, name="login",
                              catch_response=True) as answer:
            self.token = answer.json()["token"]
            self.auth = {"Authorization": "Bearer " + self.token}

    @task
    def journey(self):
        with self.client.get("/items", params={"page": 1}, headers=self.auth, name="list items",
                             catch_response=True) as answer:
            if answer.status_code != 200 or answer.json()["page"] != 1:
                answer.failure("bad page")
        with self.client.post("/items", json={"name": "bench"}, headers=self.auth, name="create item",
                              catch_response=True) as answer:
            if answer.status_code != 201:
                answer.failure("not created")
                return
            item = answer.json()["id"]
        with self.client.get(f"/items/{item}", headers=self.auth, name="read item", catch_response=True) as answer:
            if answer.status_code != 200 or answer.json()["id"] != item:
                answer.failure("wrong item")
        with self.client.get("/me", name="whoami", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure("not logged in")
"""


def start_nginx_shop(work: Path) -> tuple[subprocess.Popen[bytes], int]:
    """nginx answering the journey's routes with fixed JSON bodies, on a free port."""
    port = free_port()
    (work / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    default_type application/json;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location = /login {{ add_header Set-Cookie "sid=abc"; return 200 '{{"token": "abc"}}'; }}
        location = /items {{
            if ($request_method = POST) {{ return 201 '{{"id": 7, "name": "bench"}}'; }}
            return 200 '{{"page": 1, "items": [{{"id": 1, "name": "item 1"}}], "next": 2}}';
        }}
        location ~ ^/items/[0-9]+$ {{ return 200 '{{"id": 7, "name": "bench"}}'; }}
        location = /me {{ return 200 '{{"username": "alice"}}'; }}
    }}
}}
""")
    proc = subprocess.Popen([ensure_nginx(), "-c", str(work / "nginx.conf"), "-p", str(work)])
    _wait(f"http://127.0.0.1:{port}/me", proc)
    return proc, port


def start_shop(work: Path) -> tuple[subprocess.Popen[bytes], int]:
    """The sample shop under uvicorn (one process), on a free port."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "samples" / "apps" / "shop.py"), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(f"http://127.0.0.1:{port}/_stats", proc)
    return proc, port


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - our own target on 127.0.0.1
            return
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"the target exited: {url}") from None
            time.sleep(0.05)
    raise SystemExit(f"the target did not start: {url}")


def squall_task(work: Path, port: int, times: int) -> Path:
    path = work / f"journey-{port}-{times}.yaml"
    journey = {"base_url": f"http://127.0.0.1:{port}", "on_start": [LOGIN], "steps": STEPS}
    workload = {"scenario": {"HttpJourney.run": journey},
                "runner": {"constant": {"times": times, "concurrency": USERS}}, "sla": {"failure_rate": {"max": 0}}}
    path.write_text(yaml.safe_dump({"version": 2, "title": "journey", "subtasks": [
        {"title": "journey", "workloads": [workload]}]}))
    return path


def squall_run(squall: Squall, task: Path) -> dict[str, float]:
    """One squall run: requests/s (every request: logins too), requests, failed iterations, CPU seconds."""
    measured, wl = squall.run(task)
    requests = sum(row["data"]["iteration_count"] for row in wl["statistics"]["durations"]["atomics"])
    return {"rate": requests / wl["load_duration"], "requests": requests, "failures": wl["failed_iteration_count"],
            "cpu": measured["cpu"]}


def locust_journey(port: int, work: Path, seconds: int) -> dict[str, float]:
    """Locust's run of the same journey (bench_http's runner with this locustfile)."""
    import bench_http

    saved = bench_http.LOCUSTFILE
    bench_http.LOCUSTFILE = LOCUSTFILE
    try:
        return locust_run(port, work, seconds)
    finally:
        bench_http.LOCUSTFILE = saved


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def measure(target: str, start: Any, work: Path, opts: argparse.Namespace) -> list[str]:
    """Each round runs squall, then Locust, on the same target: the machine is shared and its speed drifts
    by more than a third within minutes, so each round's ratio is taken on like terms and the median counts."""
    proc, port = start(work)
    try:
        squall = Squall(work)
        rounds = [(squall_run(squall, squall_task(work, port, opts.times)), locust_journey(port, work, opts.seconds))
                  for _ in range(opts.repeat)]
    finally:
        proc.terminate()
        proc.wait()
    rows = []
    for column, name in ((0, "squall HttpJourney.run"), (1, "Locust 2.47 FastHttpUser, --processes 2")):
        runs = [pair[column] for pair in rounds]
        rates = ", ".join(f"{run['rate']:,.0f}" for run in runs)
        cpu = median([run["cpu"] / max(run["requests"], 1) * 1e6 for run in runs])
        rows.append(f"| {target} | {name} | {median([run['rate'] for run in runs]):,.0f} ({rates}) | {cpu:,.1f} "
                    f"| {int(sum(run['failures'] for run in runs))} |")
    ratios = [mine["rate"] / theirs["rate"] for mine, theirs in rounds]
    cpu_ratios = [(mine["cpu"] / mine["requests"]) / (theirs["cpu"] / max(theirs["requests"], 1))
                  for mine, theirs in rounds]
    rows.append(f"| {target} | squall / Locust, the median of each round's ratio | {median(ratios):.2f}x "
                f"({', '.join(f'{r:.2f}' for r in ratios)}) | {median(cpu_ratios):.2f}x | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=80000,
                        help="squall's iterations (5 requests the first, 4 after): about as long a load as Locust's")
    parser.add_argument("--seconds", type=int, default=10, help="Locust's run time")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (squall, then Locust); the median counts")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lines = [f"The journey (login once per user; then list, create, read back by the id answered, whoami: 4 "
                 f"requests an iteration, each checked), {USERS} users, no think time; squall {opts.times:,} "
                 f"iterations (a quarter of them on the shop), Locust {opts.seconds} s; {opts.repeat} rounds of "
                 "squall then Locust, the median and each round's figure. Requests/s count every request; CPU: "
                 "user + system seconds of the tool's whole process tree per request (squall's start-up and result "
                 "storage included).", "",
                 "| target | tool | requests/s: median (each round) | CPU µs / request (median) "
                 "| failed (all rounds) |", "|---|---|---:|---:|---:|"]
        lines += measure("nginx, fixed JSON answers", start_nginx_shop, work, opts)
        lines += measure("samples/apps/shop.py, uvicorn", start_shop, work,
                         argparse.Namespace(**{**vars(opts), "times": max(1000, opts.times // 4)}))
    print(write_section("bench/bench_journey.py", "\n".join(lines)))


if __name__ == "__main__":
    if not (LOCUST_VENV / "bin" / "locust").exists():
        print("Locust is installed into bench/.locust-venv on the first run.", file=sys.stderr)
    main()
