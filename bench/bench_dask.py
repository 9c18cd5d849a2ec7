"""The same workloads on the local pool, on a local Dask cluster (``dask-local:2``) and on Locust's master with
two workers, in one run, as rates and ratios.

- Dummy.dummy (``sleep 0``), ``constant`` at concurrency 4: what one squall takes in per second when the
  iterations cost nothing, which is the ceiling of the master (storage and statistics included);
- HttpRequests.check_request against nginx (``return 200``, one worker) on 127.0.0.1, concurrency 10;
  Locust 2.47 FastHttpUser with ``--master --expect-workers 2`` and two ``--worker`` processes, 10 users.

On one 2-core machine Dask cannot add cores: the table shows what the distribution costs, not what it gains.

    python bench/bench_dask.py [--times 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_dummy import SQUALL, rate_of  # noqa: E402
from bench_http import LOCUST_VENV, LOCUSTFILE, locust_run, start_nginx  # noqa: E402
from procmem import run_measured  # noqa: E402
from results import write_section  # noqa: E402


def squall_rate(env: dict[str, str], task: Path, executor: str) -> tuple[float, float, int]:
    """(iterations/s over the load, CPU seconds of squall's process tree, iterations) of one run;
    ``executor`` is ``local`` or ``dask-local:N``, with `` aggregate`` for ``--results aggregate``."""
    where, _, mode = executor.partition(" ")
    cmd = [*SQUALL, "task", "start", "-q", str(task)] + (["--executor", where] if where != "local" else [])
    cmd += ["--results", mode] if mode else []
    measured = run_measured(cmd, env=env, cwd=str(ROOT))
    if measured["rc"] != 0:
        raise SystemExit(f"squall failed:\n{measured['output'][-3000:]}")
    out = subprocess.run([*SQUALL, "task", "detailed", "--json"], env=env, check=True, capture_output=True,
                         text=True, cwd=str(ROOT)).stdout
    wl = json.loads(out)["subtasks"][0]["workloads"][0]
    return rate_of(wl), measured["cpu"], wl["total_iteration_count"]


def locust_distributed(port: int, work: Path, seconds: int = 15) -> float:
    """Locust's master with two workers, 10 users, against nginx: requests per second."""
    exe = LOCUST_VENV / "bin" / "locust"
    if not exe.exists():
        locust_run(port, work, seconds=2)  # installs Locust in its venv
    (work / "locustfile.py").write_text(LOCUSTFILE)
    common = ["-f", str(work / "locustfile.py"), "-H", f"http://127.0.0.1:{port}"]
    workers = [subprocess.Popen([str(exe), *common, "--worker"], cwd=work, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        subprocess.run([str(exe), *common, "--master", "--expect-workers", "2", "--headless", "-u", "10", "-r",
                        "10", "--run-time", f"{seconds}s", "--csv", str(work / "dist"), "--only-summary"],
                       check=True, capture_output=True, cwd=work, timeout=seconds + 120)
    finally:
        for proc in workers:
            proc.terminate()
            proc.wait(timeout=30)
    with open(work / "dist_stats.csv") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == "Aggregated":
                return float(row["Requests/s"])
    raise SystemExit("locust wrote no aggregated stats")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=100_000)
    opts = parser.parse_args()
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ, SQUALL_HOME=str(work / "home"))
        env.pop("SQUALL_DB_URL", None)
        subprocess.run([*SQUALL, "db", "create"], env=env, check=True, capture_output=True, cwd=ROOT)
        nginx, port = start_nginx(work)
        try:
            dummy = work / "dummy.json"
            dummy.write_text(json.dumps({"Dummy.dummy": [{"args": {"sleep": 0}, "runner": {
                "type": "constant", "times": opts.times, "concurrency": 4}}]}))
            http = work / "http.json"
            http.write_text(json.dumps({"HttpRequests.check_request": [{
                "args": {"url": f"http://127.0.0.1:{port}/", "method": "GET", "status_code": 200},
                "runner": {"type": "constant", "times": opts.times, "concurrency": 10}}]}))
            results: dict[tuple[str, str], tuple[float, float, int]] = {}
            for name, task in (("Dummy.dummy, sleep 0, c=4", dummy), ("HttpRequests.check_request, c=10", http)):
                for executor in ("local", "local aggregate", "dask-local:2", "dask-local:2 aggregate"):
                    started = time.monotonic()
                    results[(name, executor)] = squall_rate(env, task, executor)
                    print(f"{name} on {executor}: {results[(name, executor)][0]:,.0f}/s "
                          f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
            locust = locust_distributed(port, work)
        finally:
            nginx.terminate()
            nginx.wait()
    for (name, executor), (rate, cpu, count) in results.items():
        local = results[(name, "local")][0]
        shown = executor.replace(" aggregate", ", --results aggregate")
        rows.append(f"| {name} | squall, {shown} | {rate:,.0f} | {rate / local:.2f}x | "
                    f"{cpu / max(count, 1) * 1e6:,.1f} |")
    http_local = results[("HttpRequests.check_request, c=10", "local")][0]
    rows.append(f"| HttpRequests.check_request, c=10 | Locust 2.47 FastHttpUser, --master + 2 --worker | "
                f"{locust:,.0f} | {locust / http_local:.2f}x | - |")
    body = [f"{opts.times:,} iterations per squall run (Locust: 15 s), one 2-core machine. Rate: iterations per "
            "second over the load; CPU: user + system seconds of squall's whole process tree (start-up, the "
            "local cluster's start and result storage included) per iteration.", "",
            "| workload | run by | per second | of squall local | CPU µs / iteration |",
            "|---|---|---:|---:|---:|", *rows, "",
            "The Dummy rows are the master's ceiling with real workers: every result is stored and counted in "
            "one squall process. On one machine the Dask rows add a cluster's processes and a hop through "
            "the scheduler to the same two cores; on several machines the workers' share moves off the master."]
    print(write_section("bench/bench_dask.py", "\n".join(body)))


if __name__ == "__main__":
    main()
