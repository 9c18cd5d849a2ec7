"""A/B of squall's HTTP load: two squall checkouts (or two sets of flags) in alternating rounds on one nginx.

On a shared machine a single run moves by a third within minutes; alternating
the variants round by round, with wrk between rounds, keeps the comparison
fair. Each variant reports its median rate and the CPU per request of its
load processes (user and system apart) and of squall's own process (its
start-up included: use 200,000 requests or more), read from /proc.

    python bench/ab_http.py --variant new= --variant base=PYTHONPATH=/path/to/other/checkout \\
        [--flags new='--results aggregate'] [--runner new='{"max_cpu_count": 1}'] [--rounds 4] [--times 200000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_http import start_nginx, wrk_run  # noqa: E402
from procmem import _children  # noqa: E402

SQUALL = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "squall")
TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> tuple[float, float] | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) / TICK, int(fields[12]) / TICK  # utime, stime


def run(port: int, work: Path, times: int, runner: dict[str, Any], flags: list[str],
        env_extra: dict[str, str]) -> tuple[float, float, float, float]:
    """One squall run: (requests/s, load processes' user and system µs per request, squall's µs per request)."""
    task = work / "ab.json"
    task.write_text(json.dumps({"HttpRequests.check_request": [{
        "args": {"url": f"http://127.0.0.1:{port}/", "method": "GET", "status_code": 200},
        "runner": {"type": "constant", "times": times, "concurrency": 10, **runner}}]}))
    env = dict(os.environ, SQUALL_HOME=str(work / "home"), **env_extra)
    proc = subprocess.Popen([SQUALL, "task", "start", "-q", str(task), *flags], env=env, stdout=subprocess.DEVNULL)
    seen: dict[int, tuple[float, float]] = {}
    while proc.poll() is None:
        for pid in [proc.pid, *_children(proc.pid)]:
            cpu = _cpu(pid)
            if cpu is not None:
                seen[pid] = cpu
        time.sleep(0.1)
    out = subprocess.run([SQUALL, "task", "detailed", "--json"], env=env, capture_output=True, text=True,
                         check=True).stdout
    wl = json.loads(out)["subtasks"][0]["workloads"][0]
    workers = [cpu for pid, cpu in seen.items() if pid != proc.pid]
    parent = seen.get(proc.pid, (0.0, 0.0))
    per = 1e6 / times
    return (wl["total_iteration_count"] / wl["load_duration"], sum(u for u, _ in workers) * per,
            sum(s for _, s in workers) * per, sum(parent) * per)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", action="append", required=True, help="NAME=ENV (ENV: K=V,K=V or empty)")
    parser.add_argument("--flags", action="append", default=[], help="NAME=FLAGS for `task start`")
    parser.add_argument("--runner", action="append", default=[], help="NAME=JSON merged into the runner")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--times", type=int, default=200000)
    opts = parser.parse_args()
    variants = {}
    for spec in opts.variant:
        name, _, env = spec.partition("=")
        variants[name] = dict(pair.split("=", 1) for pair in env.split(",") if pair)
    flags = {name: value.split() for name, _, value in (f.partition("=") for f in opts.flags)}
    runners = {name: json.loads(value) for name, _, value in (r.partition("=") for r in opts.runner)}
    results: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in variants}
    wrk: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        nginx, port = start_nginx(work)
        try:
            for _ in range(opts.rounds):
                limit = wrk_run(port, 5)
                wrk += [limit["rate"]] if limit else []
                for name, env in variants.items():
                    results[name].append(run(port, work, opts.times, runners.get(name, {}), flags.get(name, []), env))
        finally:
            nginx.terminate()
            nginx.wait()
    print("wrk -t1 -c10 between rounds:", ", ".join(f"{rate:,.0f}" for rate in wrk))
    for name, rows in results.items():
        rate, user, system, parent = (statistics.median(column) for column in zip(*rows, strict=True))
        print(f"{name:12s} {rate:9,.0f} req/s (min {min(r[0] for r in rows):,.0f}, max {max(r[0] for r in rows):,.0f})"
              f"  load processes {user:.2f} µs user + {system:.2f} µs system, squall {parent:.2f} µs per request")


if __name__ == "__main__":
    main()
