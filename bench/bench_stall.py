"""Coordinated omission, shown: a server that stalls for 1 s in the middle of a run, open loop and closed loop.

A local HTTP server answers at once, except that from its 1,000th request on
it stops answering for ``--stall`` seconds. squall runs HttpRequests.check_request
open loop (``rps`` runner, 200/s, 10 slots) and closed loop (``constant``,
10 at once) against it. A closed loop, or a tool that times each request from
its send (Rally, Locust), sees the stall only in the requests in flight; the
latency from each request's due time shows what the users due during the
stall waited. The open-loop run's HTML report (with the "Latency from
schedule" chart) is written next to RESULTS.md as ``stall-report.html``.

    python bench/bench_stall.py [--rate 200] [--seconds 20] [--stall 1]
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
sys.path.insert(0, str(ROOT))
from bench_dummy import SQUALL  # noqa: E402
from results import write_section  # noqa: E402

from tests.stalling import serve  # noqa: E402

STALL_AT = 1000
SLOTS = 10


def run(env: dict[str, str], work: Path, url: str, runner: dict[str, Any]) -> list[dict[str, Any]]:
    task = work / "stall.json"
    task.write_text(json.dumps({"version": 2, "title": "stall", "subtasks": [{"title": "stall", "workloads": [{
        "scenario": {"HttpRequests.check_request": {"url": url, "method": "GET", "status_code": 200}},
        "runner": runner, "sla": {"failure_rate": {"max": 100}}}]}]}))
    subprocess.run([*SQUALL, "task", "start", "-q", str(task)], env=env, check=True, capture_output=True, cwd=ROOT)
    out = subprocess.run([*SQUALL, "task", "export", "--type", "squall-json"], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    wl = json.loads(out)["tasks"][0]["subtasks"][0]["workloads"][0]
    return sorted(wl["data"], key=lambda it: it["timestamp"])


def quantiles(values: list[float]) -> tuple[float, float, float]:
    import numpy as np

    arr = np.asarray(values or [0.0])
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99)), float(arr.max())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--stall", type=float, default=1.0)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="squall-bench-stall-"))
    env = dict(os.environ, SQUALL_HOME=str(work))
    env.pop("SQUALL_DB_URL", None)
    subprocess.run([*SQUALL, "db", "create"], env=env, check=True, capture_output=True, cwd=ROOT)
    times = opts.rate * opts.seconds
    rows = []
    for name, runner in (("open loop: rps", {"rps": {"times": times, "rps": opts.rate, "max_concurrency": SLOTS}}),
                         ("closed loop: constant", {"constant": {"times": times, "concurrency": SLOTS}})):
        server = serve(STALL_AT, opts.stall)
        its = run(env, work, server.url, runner)
        server.shutdown()
        server.server_close()
        start, end = server.stall
        durations = [it["duration"] for it in its]
        hit = sum(1 for it in its if it["timestamp"] < end and it["timestamp"] + it["duration"] > start)
        row = [name, len(its), *quantiles(durations), hit]
        if "start_lag" in its[0]:
            latency = [it["start_lag"] + it["duration"] for it in its]
            due = [it for it in its if start <= it["timestamp"] - it["start_lag"] < end]
            row += [*quantiles(latency), len(due)]
        else:
            row += ["-", "-", "-", "-"]
        rows.append(row)
        if name.startswith("open"):
            subprocess.run([*SQUALL, "task", "report", "--out", str(HERE / "stall-report.html")], env=env,
                           check=True, capture_output=True, cwd=ROOT)
    ms = lambda v: f"{v * 1000:,.1f}" if isinstance(v, float) else str(v)  # noqa: E731
    body = [f"HttpRequests.check_request against a local server that stops answering for {opts.stall:g} s at its "
            f"{STALL_AT:,}th request; {times:,} requests, {SLOTS} slots; open loop at {opts.rate}/s. Times in ms.",
            "", "| run | requests | duration p50 | duration p99 | duration max | requests overlapping the stall | "
            "from schedule p50 | from schedule p99 | from schedule max | requests due during the stall |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    body += ["| " + " | ".join(ms(v) for v in row) + " |" for row in rows]
    body += ["", "`duration` is what Rally and Locust report (from the send); a closed loop sends nothing while the "
             "server stalls, so only the requests in flight show it. `from schedule` (open loop) counts from "
             "when each request was due: every request due during the stall waited for it. The open-loop "
             "run's report is written to bench/stall-report.html (chart \"Latency from schedule\"; not kept in git)."]
    print(write_section("bench/bench_stall.py", "\n".join(body)))


if __name__ == "__main__":
    main()
