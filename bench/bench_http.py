"""squall vs Rally 5.1.1, Locust 2.47 and wrk on plain GETs against a local nginx, with CPU per request.

nginx (Debian package, installed if missing) answers ``return 200`` on a free
port of 127.0.0.1. squall and Rally run the same v1 task file; Locust
(FastHttpUser, 2 processes, its own venv) and wrk (``-t1 -c10``, the limit)
hit the same nginx in the same run. squall runs three ways: rows (the default),
``--results aggregate``, and aggregate with one load process (``max_cpu_count:
1``: on a 2-core machine the other core is nginx's, as it is with wrk -t1).
The table goes to stdout and into bench/RESULTS.md.

A second table runs the user journey of bench_journey.py on its nginx.

    python bench/bench_http.py [--times 100000] [--rally-times 10000] [--repeat 3] [--journey-rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dummy import Rally, Squall, rate_of  # noqa: E402
from procmem import children_cpu  # noqa: E402
from results import write_section  # noqa: E402

HERE = Path(__file__).resolve().parent


def ensure_nginx() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(path).exists():
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raise_open_files(wanted: int = 65536) -> int:
    """Raise this process's open-file limit (inherited by what it starts) as far as allowed; the new limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return max(soft, target)


def start_nginx(work: Path, connections: int = 1024) -> tuple[subprocess.Popen[bytes], int]:
    """nginx answering ``return 200`` on a free port; ``connections`` at once.

    nginx closes idle keep-alive connections (32 at a time, a connection
    waiting for its first request included) once fewer than 1/16 of its
    ``worker_connections`` are free, and says so only at the warn level: with
    10,000 clients and 80 to spare, 9,171 requests met a closed connection.
    An eighth more than asked for keeps every client's connection open; the
    error log's warn level shows it if that ever stops being enough.
    """
    files = raise_open_files(2 * connections + 64)
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
worker_rlimit_nofile {files};
events {{ worker_connections {connections + connections // 8 + 16}; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    server {{ listen 127.0.0.1:{port} backlog=4096; location / {{ return 200 "ok"; }} }}
}}
""")
    proc = subprocess.Popen([ensure_nginx(), "-c", str(conf), "-p", str(work)])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            import time

            time.sleep(0.05)
    raise SystemExit("nginx did not start")


LOCUST_VENV = HERE / ".locust-venv"
LOCUSTFILE = """
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser


class Check(FastHttpUser):
    wait_time = constant(0)

    @task
    def check(self):
        self.client.get("/")
"""


def locust_run(port: int, work: Path, seconds: int = 15) -> dict[str, float]:
    """Locust 2.47 FastHttpUser, 10 users, 2 processes, in its own venv: requests/s, requests, failures, CPU s."""
    exe = LOCUST_VENV / "bin" / "locust"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        subprocess.run([str(LOCUST_VENV / "bin" / "pip"), "install", "-q", "locust==2.47.*"], check=True)
    (work / "locustfile.py").write_text(LOCUSTFILE)
    cpu = children_cpu()
    subprocess.run([str(exe), "-f", str(work / "locustfile.py"), "--headless", "-u", "10", "-r", "10",
                    "--run-time", f"{seconds}s", "--processes", "2", "-H", f"http://127.0.0.1:{port}",
                    "--csv", str(work / "locust"), "--only-summary"], check=True, capture_output=True, cwd=work)
    cpu = children_cpu() - cpu
    import csv

    with open(work / "locust_stats.csv") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == "Aggregated":
                return {"rate": float(row["Requests/s"]), "requests": float(row["Request Count"]),
                        "failures": float(row["Failure Count"]), "cpu": cpu}
    raise SystemExit("locust wrote no aggregated stats")


def wrk_run(port: int, seconds: int = 10) -> dict[str, float] | None:
    """wrk -t1 -c10 (Debian's, installed if missing): the machine's limit for this nginx."""
    exe = shutil.which("wrk")
    if exe is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        exe = shutil.which("wrk")
    if exe is None:
        return None
    cpu = children_cpu()
    out = subprocess.run([exe, "-t1", "-c10", f"-d{seconds}s", f"http://127.0.0.1:{port}/"], capture_output=True,
                         text=True, check=True).stdout
    cpu = children_cpu() - cpu
    import re

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if not rate or not count:
        return None
    return {"rate": float(rate.group(1)), "requests": float(count.group(1)), "cpu": cpu}


def median_of(runs: list[Any]) -> Any:
    """The run (measures, workload, wrk beside it) whose share of its wrk run is the median."""
    def share(run: Any) -> float:
        return rate_of(run[1]) / run[2]["rate"] if run[2] else rate_of(run[1])

    return sorted(runs, key=share)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=100000)
    parser.add_argument("--rally-times", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3, help="squall and Locust runs; the median counts")
    parser.add_argument("--journey-rounds", type=int, default=3,
                        help="rounds of the journey rows (bench_journey.py's journey on nginx); 0: none")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        nginx, port = start_nginx(work)
        try:
            def task(times: int, **runner: Any) -> Path:
                path = work / f"http-{times}-{len(runner)}.json"
                path.write_text(json.dumps({"HttpRequests.check_request": [{
                    "args": {"url": f"http://127.0.0.1:{port}/", "method": "GET", "status_code": 200},
                    "runner": {"type": "constant", "times": times, "concurrency": 10, **runner},
                    "sla": {"failure_rate": {"max": 0}},
                }]}))
                return path

            squall = Squall(work)
            # This machine is shared and noisy (wrk alone moves by a third within minutes): each squall run has a
            # wrk run just before it, and its share of wrk is taken against that one; the median run counts.
            rows_runs, aggregate_runs, one_runs = [], [], []
            for _ in range(opts.repeat):
                limit_now = wrk_run(port, 5)
                rows_runs.append((*squall.run(task(opts.times)), limit_now))
                limit_now = wrk_run(port, 5)
                aggregate_runs.append((*squall.run(task(opts.times), "--results", "aggregate"), limit_now))
                limit_now = wrk_run(port, 5)
                one_runs.append((*squall.run(task(opts.times, max_cpu_count=1), "--results", "aggregate"),
                                 limit_now))
            s_meas, s_wl, s_wrk = median_of(rows_runs)
            a_meas, a_wl, a_wrk = median_of(aggregate_runs)
            o_meas, o_wl, o_wrk = median_of(one_runs)
            r_meas, r_wl = Rally(work).run(task(opts.rally_times))
            locust = sorted((locust_run(port, work) for _ in range(opts.repeat)),
                            key=lambda run: run["rate"])[opts.repeat // 2]
            wrk = wrk_run(port)
        finally:
            nginx.terminate()
            nginx.wait()
    s_rate, r_rate, a_rate, o_rate = rate_of(s_wl), rate_of(r_wl), rate_of(a_wl), rate_of(o_wl)
    lines = [f"nginx (`return 200`, one worker) on 127.0.0.1; 10 connections or users each. squall {opts.times:,} "
             f"requests, Rally {opts.rally_times:,}, Locust 15 s, wrk 10 s; squall and Locust: the median of "
             f"{opts.repeat} runs. CPU: user + system seconds of the "
             "tool's whole process tree (command start-up and result storage included for squall and Rally) per "
             "request.", "",
             "| tool | requests/s | of wrk | CPU µs / request | failed | peak memory (MB) |",
             "|---|---:|---:|---:|---:|---:|"]
    limit = wrk["rate"] if wrk else None
    wrk_rates = sorted(run[2]["rate"] for run in (*rows_runs, *aggregate_runs, *one_runs) if run[2])

    def row(name: str, rate: float, cpu_us: float, failed: Any, mem: str,
            beside: dict[str, float] | None = None) -> str:
        against = beside["rate"] if beside else limit
        share = f"{rate / against:.0%}" if against else "n/a"
        return f"| {name} | {rate:,.0f} | {share} | {cpu_us:,.1f} | {failed} | {mem} |"

    lines.append(row("squall (HttpRequests.check_request, constant c=10)", s_rate,
                     s_meas["cpu"] / s_wl["total_iteration_count"] * 1e6, s_wl["failed_iteration_count"],
                     f"{s_meas['peak_mb']:,.1f}", s_wrk))
    lines.append(row("squall, --results aggregate (figures a second per worker, no rows)", a_rate,
                     a_meas["cpu"] / a_wl["total_iteration_count"] * 1e6, a_wl["failed_iteration_count"],
                     f"{a_meas['peak_mb']:,.1f}", a_wrk))
    lines.append(row("squall, --results aggregate, runner max_cpu_count 1 (one load process, as wrk -t1)", o_rate,
                     o_meas["cpu"] / o_wl["total_iteration_count"] * 1e6, o_wl["failed_iteration_count"],
                     f"{o_meas['peak_mb']:,.1f}", o_wrk))
    lines.append(row("Rally 5.1.1 (the same task file)", r_rate, r_meas["cpu"] / r_wl["total_iteration_count"] * 1e6,
                     r_wl["failed_iteration_count"], f"{r_meas['peak_mb']:,.1f}"))
    lines.append(row("Locust 2.47 FastHttpUser, --processes 2", locust["rate"],
                     locust["cpu"] / max(locust["requests"], 1) * 1e6, int(locust["failures"]), "-"))
    if wrk:
        lines.append(row("wrk -t1 -c10 (the limit)", wrk["rate"], wrk["cpu"] / wrk["requests"] * 1e6, 0, "-"))
    if wrk_rates:
        lines += ["", f"wrk just before each squall run: {wrk_rates[0]:,.0f} to {wrk_rates[-1]:,.0f} requests/s; a "
                  "squall row's share of wrk is against the wrk run just before it (the rest: against the wrk row)."]
    lines += ["", f"squall / Locust: {s_rate / locust['rate']:.2f}x with rows, {a_rate / locust['rate']:.2f}x with "
              f"--results aggregate (Locust and wrk keep no per-request rows either), {o_rate / locust['rate']:.2f}x "
              "with one load process; squall / Rally: "
              f"{s_rate / r_rate:.2f}x."]
    if opts.journey_rounds:
        lines += ["", *journey_rows(opts.journey_rounds)]
    print(write_section("bench/bench_http.py", "\n".join(lines)))


def journey_rows(rounds: int) -> list[str]:
    """The user journey of bench/bench_journey.py on its nginx, squall then Locust in each round: its table rows."""
    import bench_journey  # it takes nginx and Locust's runner from here

    with tempfile.TemporaryDirectory() as tmp:
        rows = bench_journey.measure("nginx, fixed JSON answers", bench_journey.start_nginx_shop, Path(tmp),
                                     argparse.Namespace(times=80000, seconds=10, repeat=rounds))
    return [f"The journey (bench/bench_journey.py's: login once per user, then list, create, read back by the id "
            f"answered, whoami, each checked; 10 users; {rounds} rounds of squall then Locust):", "",
            "| target | tool | requests/s: median (each round) | CPU µs / request (median) | failed (all rounds) |",
            "|---|---|---:|---:|---:|", *rows]


if __name__ == "__main__":
    main()
