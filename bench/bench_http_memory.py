"""Memory of an HTTP load over time, and at 10,000 connections.

Two runs of HttpRequests.check_request against nginx (``return 200``, one
worker) on 127.0.0.1, each sampling the proportional set size (PSS) of
squall's process tree every second:

- ``constant_for_duration``, 10 at once, for ``--seconds`` (60): PSS over
  time, split into squall's own process and its workers, and the growth per
  million iterations once warm;
- ``constant_for_duration``, 10,000 at once (10,000 kept-alive connections;
  the open-file limit is raised for it), for ``--wide-seconds`` (20): peak
  PSS and PSS per connection.

    python bench/bench_http_memory.py [--seconds 60] [--wide-seconds 20] [--connections 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_dummy import SQUALL  # noqa: E402
from bench_http import raise_open_files, start_nginx  # noqa: E402
from procmem import _children, tree_pss_kb  # noqa: E402
from results import write_section  # noqa: E402

sys.path.insert(0, str(ROOT))
from squall.plugin_api.values import EXACT_LIMIT  # noqa: E402


def _uss_kb(pid: int) -> int:
    """Unique set size: the pages only this process maps (PSS moves between processes as shared pages are
    freed or copied; USS grows only with what the process itself allocates)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    except OSError:
        pass
    return total


def sampled_run(env: dict[str, str], task: Path) -> tuple[list[tuple[float, int, int, int]], dict[str, Any]]:
    """Run the task; every second (seconds since start, USS of squall's process KB, USS of its workers KB,
    PSS of the whole tree KB), and the workload as ``task detailed`` shows it."""
    proc = subprocess.Popen([*SQUALL, "task", "start", "-q", str(task)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    samples: list[tuple[float, int, int, int]] = []
    started = time.monotonic()
    done = threading.Event()

    def sample() -> None:
        while not done.wait(1.0):
            own = _uss_kb(proc.pid)
            workers = sum(_uss_kb(kid) for kid in _children(proc.pid))
            samples.append((time.monotonic() - started, own, workers, tree_pss_kb(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):  # 1: an SLA failed, which the table shows
        raise SystemExit(f"squall failed ({proc.returncode}): {err.decode()[-2000:]}")
    # The stored workload with its statistics, not every iteration: at 60,000 a second a minute's export is
    # over 2 GB of JSON.
    out = subprocess.run([*SQUALL, "task", "detailed", "--json"], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    return samples, json.loads(out)["subtasks"][0]["workloads"][0]


def task_file(work: Path, port: int, concurrency: int, seconds: int) -> Path:
    path = work / f"memory-{concurrency}.json"
    path.write_text(json.dumps({"HttpRequests.check_request": [{
        "args": {"url": f"http://127.0.0.1:{port}/", "method": "GET", "status_code": 200},
        "runner": {"type": "constant_for_duration", "concurrency": concurrency, "duration": seconds},
        "sla": {"failure_rate": {"max": 100}}}]}))
    return path


def wrk_socket_errors(port: int, connections: int) -> str | None:
    """wrk's socket errors with as many connections for 5 s against the same nginx: what the server itself drops."""
    import re
    import shutil

    exe = shutil.which("wrk")
    if exe is None:
        return None
    out = subprocess.run([exe, "-t2", f"-c{connections}", "-d5s", f"http://127.0.0.1:{port}/"], capture_output=True,
                         text=True).stdout
    found = re.search(r"Socket errors: (.*)", out)
    requests = re.search(r"(\d+) requests in", out)
    return f"{found.group(1) if found else 'none'} in {int(requests.group(1)) if requests else 0:,} requests"


def at(samples: list[tuple[float, int, int, int]], second: float) -> tuple[float, int, int, int]:
    """The sample nearest to ``second``."""
    return min(samples, key=lambda s: abs(s[0] - second))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--wide-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=10_000)
    opts = parser.parse_args()
    limit = raise_open_files(2 * opts.connections + 256)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ, SQUALL_HOME=str(work / "home"))
        env.pop("SQUALL_DB_URL", None)
        subprocess.run([*SQUALL, "db", "create"], env=env, check=True, capture_output=True, cwd=ROOT)
        nginx, port = start_nginx(work, connections=opts.connections + 64)
        try:
            long_samples, long_wl = sampled_run(env, task_file(work, port, 10, opts.seconds))
            wide_samples, wide_wl = sampled_run(env, task_file(work, port, opts.connections, opts.wide_seconds))
            wrk_errors = wrk_socket_errors(port, opts.connections)
        finally:
            nginx.terminate()
            nginx.wait()
    count = long_wl["total_iteration_count"]
    rate = count / long_wl["load_duration"] if long_wl["load_duration"] else 0.0
    lines = ["HttpRequests.check_request against nginx (`return 200`, one worker) on 127.0.0.1, "
             "`constant_for_duration`, sampled every second (MB). USS (the pages only it maps) of squall's "
             "process, which stores the results and keeps the statistics, and of its worker processes; PSS of the "
             "whole tree.", "",
             f"**{opts.seconds} s at concurrency 10** ({count:,} iterations, {rate:,.0f}/s):", "",
             "| second | iterations so far (about) | squall's process (USS) | workers (USS) | whole tree (PSS) |",
             "|---:|---:|---:|---:|---:|"]
    for second in sorted({s for s in (5, 15, 30, 45) if s < opts.seconds - 2} | {opts.seconds - 2}):
        t, own, workers, tree = at(long_samples, second)
        lines.append(f"| {t:.0f} | {min(count, int(rate * t)):,} | {own / 1024:,.1f} | {workers / 1024:,.1f} | "
                     f"{tree / 1024:,.1f} |")
    # Statistics keep every value up to a million per row (exact percentiles), then a histogram: measure the
    # growth once past it, when the run is long enough to show it.
    past_exact = 1.1 * EXACT_LIMIT / rate if rate else opts.seconds
    warm = at(long_samples, past_exact if past_exact < opts.seconds - 10 else 10)
    end = at(long_samples, opts.seconds - 2)
    grown_its = max(1.0, rate * (end[0] - warm[0]))
    lines += ["", f"From second {warm[0]:.0f} (about {min(count, int(rate * warm[0])):,} iterations) to "
              f"{end[0]:.0f}: squall's process grew {(end[1] - warm[1]) / 1024:,.1f} MB "
              f"({(end[1] - warm[1]) * 1024 / grown_its:,.1f} bytes per iteration), the workers "
              f"{(end[2] - warm[2]) / 1024:,.1f} MB. Up to {EXACT_LIMIT:,} iterations a statistics row keeps "
              "every value (8 bytes each: exact percentiles, as Rally's); past them, an HDR histogram."]
    wide_peak = max(tree for *_, tree in wide_samples) if wide_samples else 0
    errors = Counter[str]()
    for kind in wide_wl["statistics"].get("errors") or []:
        errors[kind["type"]] += kind["count"]
    wide_count = wide_wl["total_iteration_count"]
    lines += ["", f"**{opts.connections:,} connections** (concurrency {opts.connections:,}, {opts.wide_seconds} s, "
              f"open-file limit {limit:,}): {wide_count:,} iterations, "
              f"{wide_wl['failed_iteration_count']:,} failed "
              f"({', '.join(f'{kind} x{n:,}' for kind, n in errors.most_common(3)) or 'none'}), "
              f"{wide_count / wide_wl['load_duration'] if wide_wl['load_duration'] else 0:,.0f}/s; peak PSS "
              f"{wide_peak / 1024:,.1f} MB, {wide_peak * 1024 / opts.connections / 1024:,.1f} KB per connection."]
    if wrk_errors:
        lines += ["", f"For comparison, wrk -t2 with {opts.connections:,} connections for 5 s against the same nginx: "
                  f"socket errors {wrk_errors}."]
    lines += ["", "nginx is given an eighth more worker_connections than clients (bench_http.start_nginx): with 80 "
              "to spare, as before, it closed idle connections 32 at a time once fewer than 1/16 were free, a "
              "connection waiting for its first request included, and logged it only at the warn level (\"N "
              "worker_connections are not enough, reusing connections\"): 9,171 of 348,070 requests met a "
              "closed connection (ConnectionClosed)."]
    print(write_section("bench/bench_http_memory.py", "\n".join(lines)))


if __name__ == "__main__":
    main()
