"""How well the ``rps`` runner holds its rate with HTTP requests against nginx: 1,000, 10,000 and 20,000 per second.

For each target squall runs HttpRequests.check_request open loop for
``--seconds`` against nginx (``return 200``, one worker) on 127.0.0.1 and
reports the achieved rate (iterations per second of their actual starts),
the start lag behind schedule (p50, p99, max), how many started more than
10 ms late, and the most in flight at once.

    python bench/bench_rps.py [--seconds 10] [--rates 1000,10000,20000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_dummy import SQUALL  # noqa: E402
from bench_http import start_nginx  # noqa: E402
from results import write_section  # noqa: E402


def run(env: dict[str, str], work: Path, port: int, rate: int, seconds: int) -> dict[str, Any]:
    task = work / f"rps-{rate}.json"
    task.write_text(json.dumps({"version": 2, "title": f"rps {rate}", "subtasks": [{"title": "rps", "workloads": [{
        "scenario": {"HttpRequests.check_request": {"url": f"http://127.0.0.1:{port}/", "method": "GET",
                                                    "status_code": 200}},
        "runner": {"rps": {"times": rate * seconds, "rps": rate}}, "sla": {"failure_rate": {"max": 100}}}]}]}))
    subprocess.run([*SQUALL, "task", "start", "-q", str(task)], env=env, check=True, capture_output=True, cwd=ROOT)
    out = subprocess.run([*SQUALL, "task", "export", "--type", "squall-json"], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    wl = json.loads(out)["tasks"][0]["subtasks"][0]["workloads"][0]
    starts = sorted(it["timestamp"] for it in wl["data"])
    span = starts[-1] - starts[0] if len(starts) > 1 else 0.0
    return {"wl": wl, "achieved": (len(starts) - 1) / span if span else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rates", default="1000,10000,20000")
    opts = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ, SQUALL_HOME=str(work / "home"))
        env.pop("SQUALL_DB_URL", None)
        subprocess.run([*SQUALL, "db", "create"], env=env, check=True, capture_output=True, cwd=ROOT)
        nginx, port = start_nginx(work)
        try:
            for rate in (int(r) for r in opts.rates.split(",")):
                res = run(env, work, port, rate, opts.seconds)
                sched = res["wl"]["statistics"]["schedule"]
                lag = sched["start_lag"]
                rows.append(f"| {rate:,} | {res['achieved']:,.0f} | {res['achieved'] / rate:.1%} | "
                            f"{lag['median'] * 1000:,.1f} | {lag['99%ile'] * 1000:,.1f} | {lag['max'] * 1000:,.1f} | "
                            f"{sched['late']:,} of {lag['iteration_count']:,} | {sched['max_concurrency']:,} | "
                            f"{res['wl']['failed_iteration_count']:,} |")
        finally:
            nginx.terminate()
            nginx.wait()
    body = [f"HttpRequests.check_request, `rps` runner, {opts.seconds} s at each rate, against nginx (`return 200`, "
            "one worker) on 127.0.0.1. Achieved: iterations per second of actual starts. Lag: how far each start was "
            "behind its due time (ms).", "",
            "| target/s | achieved/s | of target | lag p50 | lag p99 | lag max | started > 10 ms late | most at once "
            "| failures |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"] + rows
    print(write_section("bench/bench_rps.py", "\n".join(body)))


if __name__ == "__main__":
    main()
