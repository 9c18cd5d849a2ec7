"""HTML report scale: squall vs Rally 5.1.1 for 20,000 iterations, squall for 1,000,000.

For each: time to write the report, file size, and the time Debian's
Chromium takes from navigation until the page is drawn. Rally writes its
report with --html-static (libraries inlined) so both open offline.

    python bench/bench_report.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dummy import ROOT, SQUALL, Rally, Squall  # noqa: E402
from results import write_section  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def browser_load(path: Path, ready: str) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        started = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_function(ready, timeout=120_000)
        elapsed = time.perf_counter() - started
        browser.close()
    return elapsed


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True, cwd=str(ROOT))
    return time.perf_counter() - started


def task(work: Path, times: int) -> Path:
    path = work / f"t{times}.json"
    path.write_text(json.dumps({"Dummy.dummy": [{"args": {"sleep": 0}, "runner": {
        "type": "constant", "times": times, "concurrency": 10}}]}))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000-iteration report")
    opts = parser.parse_args()
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        squall, rally = Squall(work), Rally(work)
        sizes = [20_000] if opts.quick else [20_000, 1_000_000]
        for times in sizes:
            t = task(work, times)
            subprocess.run([*SQUALL, "task", "start", "-q", str(t)], env=squall.env, check=True,
                           capture_output=True, cwd=str(ROOT))
            out = work / f"squall-{times}.html"
            s_render = timed([*SQUALL, "task", "report", "--out", str(out)], squall.env)
            s_size = out.stat().st_size / 1024
            s_load = browser_load(out, "window.squallReport && window.squallReport.ready")
            r: dict[str, Any] = {}
            if times == 20_000:
                subprocess.run([*rally.base, "task", "start", str(t)], env=rally.env, check=True, capture_output=True)
                rout = work / "rally.html"
                r["render"] = timed([*rally.base, "task", "report", "--html-static", "--out", str(rout)], rally.env)
                r["size"] = rout.stat().st_size / 1024
                r["load"] = browser_load(rout, "document.readyState === 'complete'")
            label = f"{times:,} iterations"
            for key, name, value, unit in (("render", "write report", s_render, "s"),
                                           ("size", "file size", s_size, "KB"),
                                           ("load", "browser load", s_load, "s")):
                other = r.get(key)
                rows.append((f"{label}: {name} ({unit})", f"{value:,.2f}",
                             f"{other:,.2f}" if other is not None else "n/a",
                             f"{value / other:.2f}x" if other else "n/a"))
    lines = ["| measure | squall | Rally 5.1.1 | squall / Rally |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    print(write_section("bench/bench_report.py", "\n".join(lines)))


if __name__ == "__main__":
    main()
