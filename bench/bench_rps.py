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
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_dummy import SQUALL  # noqa: E402
from bench_http import start_nginx  # noqa: E402
from results import write_section  # noqa: E402

sys.path.insert(0, str(ROOT))
from squall.plugin_api.runner import RateSchedule, ramp_segments  # noqa: E402


def run(env: dict[str, str], work: Path, port: int, rps: Any, times: int) -> dict[str, Any]:
    """One open-loop run at ``rps`` (a rate or a ramp): the workload, and the achieved share of the schedule."""
    name = rps if not isinstance(rps, dict) else f"{rps['start']}-{rps['end']}"
    task = work / f"rps-{name}.json"
    task.write_text(json.dumps({"version": 2, "title": f"rps {name}", "subtasks": [{"title": "rps", "workloads": [{
        "scenario": {"HttpRequests.check_request": {"url": f"http://127.0.0.1:{port}/", "method": "GET",
                                                    "status_code": 200}},
        "runner": {"rps": {"times": times, "rps": rps}}, "sla": {"failure_rate": {"max": 100}}}]}]}))
    subprocess.run([*SQUALL, "task", "start", "-q", str(task)], env=env, check=True, capture_output=True, cwd=ROOT)
    out = subprocess.run([*SQUALL, "task", "export", "--type", "squall-json"], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    wl = json.loads(out)["tasks"][0]["subtasks"][0]["workloads"][0]
    starts = sorted(it["timestamp"] for it in wl["data"])
    span = starts[-1] - starts[0] if len(starts) > 1 else 0.0
    due = RateSchedule(ramp_segments(rps)).offset(len(starts) - 1)  # when the last start was due
    errors = Counter(it["error"][0] for it in wl["data"] if it["error"])
    return {"wl": wl, "achieved": (len(starts) - 1) / span if span else 0.0, "of_schedule": due / span if span else 0.0,
            "errors": ", ".join(f"{kind} x{count}" for kind, count in errors.most_common(2))}


def row(label: str, res: dict[str, Any]) -> str:
    """One line of the table."""
    sched = res["wl"]["statistics"]["schedule"]
    lag = sched["start_lag"]
    failed = f"{res['wl']['failed_iteration_count']:,}" + (f" ({res['errors']})" if res["errors"] else "")
    return (f"| {label} | {res['achieved']:,.0f} | {res['of_schedule']:.1%} | {lag['median'] * 1000:,.1f} | "
            f"{lag['99%ile'] * 1000:,.1f} | {lag['max'] * 1000:,.1f} | {sched['late']:,} of {lag['iteration_count']:,} "
            f"| {sched['max_concurrency']:,} | {failed} |")


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
        nginx, port = start_nginx(work, connections=4096)  # more than the runner's max_concurrency (1,000)
        try:
            ramp = {"start": 5000, "end": 20000, "step": 5000, "duration": 2}
            plan: list[tuple[str, Any, int]] = [(f"{int(r):,}", int(r), int(r) * opts.seconds)
                                                for r in opts.rates.split(",")]
            # The ramp: 2 s at each of 5k, 10k and 15k per second, then 20k for the rest of the run.
            plan.append(("ramp 5,000 → 20,000 (+5,000 every 2 s)", ramp,
                         60_000 + 20_000 * max(1, opts.seconds - 6)))
            for label, rps, times in plan:
                res = run(env, work, port, rps, times)
                rows.append(row(label, res))
        finally:
            nginx.terminate()
            nginx.wait()
    body = [f"HttpRequests.check_request, `rps` runner, {opts.seconds} s at each rate, against nginx (`return 200`, "
            "one worker) on 127.0.0.1. Achieved: iterations per second of actual starts. Lag: how far each start was "
            "behind its due time (ms).", "",
            "| target/s | achieved/s | of schedule | lag p50 | lag p99 | lag max | started > 10 ms late | most at once "
            "| failures |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"] + rows
    body += ["", "Of schedule: the time the schedule gives the run's starts over the time they took (100% = on "
             "time; for a constant rate, the achieved rate over the target)."]
    print(write_section("bench/bench_rps.py", "\n".join(body)))


if __name__ == "__main__":
    main()
