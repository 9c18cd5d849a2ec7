"""squall vs Rally 5.1.1 on the Dummy.dummy scenario, measured in the same run.

Prints a Markdown table (squall, Rally, ratio) and writes it to
bench/RESULTS.md. Memory is the peak proportional set size (PSS) of the whole
process tree, sampled every 50 ms. Rally is installed from PyPI into bench/.rally-venv.

    python bench/bench_dummy.py [--quick]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procmem import run_measured  # noqa: E402
from results import write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RALLY_VENV = HERE / ".rally-venv"
SQUALL = [sys.executable, "-m", "squall.cli.main"]


def ensure_rally() -> Path:
    rally = RALLY_VENV / "bin" / "rally"
    if not rally.exists():
        subprocess.run([sys.executable, "-m", "venv", str(RALLY_VENV)], check=True)
        subprocess.run([str(RALLY_VENV / "bin" / "pip"), "install", "-q", "rally==5.1.1"], check=True)
    return rally


def task_file(directory: Path, name: str, runner: dict[str, Any]) -> Path:
    path = directory / f"{name}.json"
    path.write_text(json.dumps({"Dummy.dummy": [{"args": {"sleep": 0}, "runner": runner,
                                                 "sla": {"failure_rate": {"max": 0}}}]}))
    return path


def workload_of(report: dict[str, Any]) -> dict[str, Any]:
    return report["tasks"][0]["subtasks"][0]["workloads"][0]


def rate_of(wl: dict[str, Any]) -> float:
    return wl["total_iteration_count"] / wl["load_duration"] if wl["load_duration"] else 0.0


def start_rate_of(wl: dict[str, Any]) -> float:
    starts = sorted(it["timestamp"] for it in wl["data"])
    return (len(starts) - 1) / (starts[-1] - starts[0]) if len(starts) > 1 else 0.0


class Rally:
    def __init__(self, work: Path) -> None:
        self.bin = ensure_rally()
        self.work = work
        conf = work / "rally.conf"
        conf.write_text(f"[database]\nconnection = sqlite:///{work / 'rally.sqlite'}\n")
        self.env = dict(os.environ, HOME=str(work))
        self.base = [str(self.bin), "--config-file", str(conf)]
        subprocess.run([*self.base, "db", "recreate"], env=self.env, check=True, capture_output=True)
        subprocess.run([*self.base, "env", "create", "--name", "bench"], env=self.env, check=True,
                       capture_output=True)

    def run(self, task: Path) -> tuple[dict[str, float], dict[str, Any]]:
        measured = run_measured([*self.base, "task", "start", str(task)], env=self.env)
        out = self.work / "report.json"
        subprocess.run([*self.base, "task", "report", "--json", "--out", str(out)], env=self.env, check=True,
                       capture_output=True)
        return measured, workload_of(json.loads(out.read_text()))


class Squall:
    def __init__(self, work: Path) -> None:
        self.env = dict(os.environ, SQUALL_HOME=str(work / "squall"))
        self.env.pop("SQUALL_DB_URL", None)

    def run(self, task: Path, *options: str) -> tuple[dict[str, float], dict[str, Any]]:
        measured = run_measured([*SQUALL, "task", "start", "-q", str(task), *options], env=self.env, cwd=str(ROOT))
        if measured["rc"] != 0:
            raise SystemExit(f"squall failed:\n{measured['output']}")
        if "c1m" in task.name:  # the summary is enough; a 1M-iteration export is not what is measured
            out = subprocess.run([*SQUALL, "task", "detailed", "--json"], env=self.env, check=True,
                                 capture_output=True, text=True, cwd=str(ROOT)).stdout
            return measured, json.loads(out)["subtasks"][0]["workloads"][0]
        out = subprocess.run([*SQUALL, "task", "export", "--type", "json"], env=self.env, check=True,
                             capture_output=True, text=True, cwd=str(ROOT)).stdout
        return measured, workload_of(json.loads(out))


def median_run(run: Any, task: Path, metric: str, repeat: int) -> tuple[dict[str, float], dict[str, Any]]:
    """The run whose ``metric`` is the median of ``repeat`` runs."""
    runs = sorted((run(task) for _ in range(repeat)), key=lambda r: r[0].get(metric, 0.0))
    return runs[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000-iteration memory run")
    parser.add_argument("--no-rally", action="store_true", help="squall only")
    opts = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    # Byte-compile squall as pip does for a regular install (Rally's venv has
    # its .pyc files); an editable install under PYTHONDONTWRITEBYTECODE would
    # otherwise recompile every module on every command.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "squall")], check=True)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        squall = Squall(work)
        rally = None if opts.no_rally else Rally(work)

        def both(label: str, name: str, runner: dict[str, Any], metric: str, repeat: int = 1) -> None:
            task = task_file(work, name, runner)
            s_meas, s_wl = median_run(squall.run, task, metric, repeat)
            r_meas, r_wl = median_run(rally.run, task, metric, repeat) if rally else ({}, {})
            def value(meas: dict[str, float], wl: dict[str, Any]) -> float:
                if not meas:
                    return float("nan")
                if metric == "rate":
                    return rate_of(wl)
                if metric == "start_rate":
                    return start_rate_of(wl)
                return float(meas[metric])
            s_val, r_val = value(s_meas, s_wl), value(r_meas, r_wl)
            has_rally = r_val == r_val  # NaN when Rally did not run this one
            rows.append((label, f"{s_val:,.2f}", f"{r_val:,.2f}" if has_rally else "n/a",
                         f"{s_val / r_val:.2f}x" if has_rally and r_val else "n/a"))
            if metric == "rate":
                rows.append((f"{label}: peak memory (MB)", f"{s_meas['peak_mb']:,.1f}",
                             f"{r_meas['peak_mb']:,.1f}" if r_meas else "n/a",
                             f"{s_meas['peak_mb'] / r_meas['peak_mb']:.2f}x" if r_meas else "n/a"))

        both("Dummy.dummy 20,000 it, constant c=10: iterations/s", "c20k",
             {"type": "constant", "times": 20000, "concurrency": 10}, "rate")
        both("one-iteration task: wall seconds (median of 5)", "one",
             {"type": "constant", "times": 1, "concurrency": 1}, "wall", repeat=5)
        both("rps target 2,000/s (10,000 it): achieved starts/s", "rps2k",
             {"type": "rps", "times": 10000, "rps": 2000}, "start_rate")
        rally = None
        both("rps target 10,000/s (50,000 it, squall only): achieved starts/s", "rps10k",
             {"type": "rps", "times": 50000, "rps": 10000}, "start_rate")
        if not opts.quick:
            both("1,000,000 it, constant c=10 (squall only): iterations/s", "c1m",
                 {"type": "constant", "times": 1000000, "concurrency": 10}, "rate")

    header = ["measure", "squall", "Rally 5.1.1", "squall / Rally"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    print(write_section("bench/bench_dummy.py", "\n".join(lines)))

if __name__ == "__main__":
    main()
