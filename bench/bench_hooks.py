"""Trigger latency of squall and Rally 5.1.1, measured in the same run.

Latency = when the hook action started minus the moment its trigger names:
for a time trigger at second S, the load's first iteration start + S; for an
iteration trigger at N (concurrency 1, so results are in order), the start of
iteration N. Median and max over all runs of each kind go to stdout and
bench/RESULTS.md.

    python bench/bench_hooks.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dummy import Rally, Squall  # noqa: E402
from results import write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
TIME_AT = [1, 2, 3, 4, 5]
ITERATION_AT = [10, 50, 100, 200, 300]


def task_text() -> str:
    hook = lambda unit, at: {"name": "sys_call", "args": "true",  # noqa: E731
                             "trigger": {"name": "event", "args": {"unit": unit, "at": at}}}
    return json.dumps({"Dummy.dummy": [{
        "args": {"sleep": 0.01},
        "runner": {"type": "constant_for_duration", "duration": 6, "concurrency": 1},
        "hooks": [hook("time", TIME_AT), hook("iteration", ITERATION_AT)],
    }]})


def latencies(wl: dict[str, Any]) -> dict[str, list[float]]:
    data = sorted(wl["data"], key=lambda it: it["timestamp"])
    t0 = data[0]["timestamp"]
    out: dict[str, list[float]] = {"time": [], "iteration": []}
    for hook in wl["hooks"]:
        for run in hook["results"]:
            trig = run["triggered_by"]
            if trig["event_type"] == "time":
                moment = t0 + trig["value"]
            else:
                moment = data[trig["value"] - 1]["timestamp"]
            out[trig["event_type"]].append((run["started_at"] - moment) * 1000)
    return out


def fmt(values: list[float]) -> str:
    if not values:
        return "no runs"
    return f"median {statistics.median(values):.1f} ms, max {max(values):.1f} ms ({len(values)} runs)"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        task = work / "hooks.json"
        task.write_text(task_text())
        _, s_wl = Squall(work).run(task)
        _, r_wl = Rally(work).run(task)
    s, r = latencies(s_wl), latencies(r_wl)
    lines = ["| trigger latency (hook start - trigger moment) | squall | Rally 5.1.1 |", "|---|---|---|"]
    lines.append(f"| event, unit time, at {TIME_AT} s | {fmt(s['time'])} | {fmt(r['time'])} |")
    lines.append(f"| event, unit iteration, at {ITERATION_AT} (c=1) | {fmt(s['iteration'])} | "
                 f"{fmt(r['iteration'])} |")
    print(write_section("bench/bench_hooks.py", "\n".join(lines)))

if __name__ == "__main__":
    main()
