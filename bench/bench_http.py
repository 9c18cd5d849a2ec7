"""squall vs Rally 5.1.1 on HttpRequests.check_request against a local nginx.

nginx (Debian package, installed if missing) answers ``return 200`` on a free
port of 127.0.0.1. Both tools run the same v1 task file in the same run; the
table goes to stdout and into bench/RESULTS.md.

    python bench/bench_http.py [--times 20000]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dummy import Rally, Squall, rate_of  # noqa: E402
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


def start_nginx(work: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    server {{ listen 127.0.0.1:{port}; location / {{ return 200 "ok"; }} }}
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


def locust_rate(port: int, work: Path, seconds: int = 15) -> float:
    """Locust 2.47 FastHttpUser, 10 users, 2 processes, in its own venv: requests per second."""
    exe = LOCUST_VENV / "bin" / "locust"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        subprocess.run([str(LOCUST_VENV / "bin" / "pip"), "install", "-q", "locust==2.47.*"], check=True)
    (work / "locustfile.py").write_text(LOCUSTFILE)
    subprocess.run([str(exe), "-f", str(work / "locustfile.py"), "--headless", "-u", "10", "-r", "10",
                    "--run-time", f"{seconds}s", "--processes", "2", "-H", f"http://127.0.0.1:{port}",
                    "--csv", str(work / "locust"), "--only-summary"], check=True, capture_output=True, cwd=work)
    import csv

    with open(work / "locust_stats.csv") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == "Aggregated":
                return float(row["Requests/s"])
    raise SystemExit("locust wrote no aggregated stats")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=20000)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        nginx, port = start_nginx(work)
        try:
            task = work / "http.json"
            task.write_text(json.dumps({"HttpRequests.check_request": [{
                "args": {"url": f"http://127.0.0.1:{port}/", "method": "GET", "status_code": 200},
                "runner": {"type": "constant", "times": opts.times, "concurrency": 10},
                "sla": {"failure_rate": {"max": 0}},
            }]}))
            s_meas, s_wl = Squall(work).run(task)
            r_meas, r_wl = Rally(work).run(task)
            l_rate = locust_rate(port, work)
        finally:
            nginx.terminate()
            nginx.wait()
    s_rate, r_rate = rate_of(s_wl), rate_of(r_wl)
    rows = [
        (f"HttpRequests.check_request, {opts.times:,} requests, c=10: requests/s", f"{s_rate:,.0f}",
         f"{r_rate:,.0f}", f"{s_rate / r_rate:.2f}x"),
        ("Locust 2.47 FastHttpUser, 10 users, --processes 2, same nginx: requests/s", f"{s_rate:,.0f}",
         f"Locust: {l_rate:,.0f}", f"squall / Locust {s_rate / l_rate:.2f}x"),
        ("failed requests", str(s_wl["failed_iteration_count"]), str(r_wl["failed_iteration_count"]), ""),
        ("peak memory, PSS of the process tree (MB)", f"{s_meas['peak_mb']:,.1f}", f"{r_meas['peak_mb']:,.1f}",
         f"{s_meas['peak_mb'] / r_meas['peak_mb']:.2f}x"),
    ]
    lines = ["| measure | squall | Rally 5.1.1 | squall / Rally |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    print(write_section("bench/bench_http.py", "nginx on 127.0.0.1.\n\n" + "\n".join(lines)))

if __name__ == "__main__":
    main()
