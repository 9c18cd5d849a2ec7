"""The cost of the bounded sandbox: render and validate a task file, before and after.

"Before" is the renderer squall had until the sandbox: a plain
``jinja2.Environment`` and PyYAML's ``safe_load``. "After" is squall's own
path (bounded sandbox, bounded YAML). Both then normalise and validate the
same document. Two task files: the one-iteration task, and a templated file
of 5,000 workloads. Median of several runs each, in the same process.

    python bench/bench_render.py
"""

from __future__ import annotations

import functools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from results import write_section  # noqa: E402

ONE = """{% set times = 1 %}
Dummy.dummy:
  - args: {sleep: 0}
    runner: {type: constant, times: {{ times }}, concurrency: 1}
"""

MANY = """---
version: 2
title: five thousand
subtasks:
{% for i in range(5000) %}
  - title: sub-{{ i }}
    workloads:
      - scenario: {Dummy.dummy: {sleep: {{ (i % 3) / 1000 }}}}
        runner: {constant: {times: {{ 10 + i % 7 }}, concurrency: {{ 1 + i % 4 }}}}
        sla: {failure_rate: {max: {{ i % 2 }}}}
{% endfor %}
"""


def plain_load(text: str) -> dict[str, Any]:
    """The renderer before the sandbox."""
    import jinja2
    import yaml

    rendered = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True).from_string(
        text).render()
    return yaml.safe_load(rendered)  # type: ignore[no-any-return]


def in_process_load(text: str) -> dict[str, Any]:
    """The bounded sandbox and the bounded YAML loader in this process (squall until the render process)."""
    from squall.task.taskfile import render

    return render.load_document(render.render_template(text, {}), "task file")  # type: ignore[no-any-return]


def bounded_load(text: str) -> dict[str, Any]:
    """squall's renderer now: sandbox and YAML in a process of its own, bounded by RLIMIT_AS and RLIMIT_CPU."""
    from squall.task.taskfile import render

    return render.load_task(text, {})


def validate(data: dict[str, Any]) -> None:
    from squall.task.taskfile import normalise as config
    from squall.task.taskfile import validate as validation

    validation.validate(config.normalise(data, max_workloads=10_000))


def load_and_validate(loader: Callable[[str], dict[str, Any]], text: str) -> None:
    validate(loader(text))


def median_seconds(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up: imports and Jinja2's first compile
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# Linux keeps a process's peak RSS across fork and exec: a process started by
# this (large) one would report this one's peak. A small launcher in between
# starts the measured process from a small parent.
LAUNCHER = """import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
assert status == 0, status
print(usage.ru_maxrss)
"""
FILES = {"one": ONE, "many": MANY}
LOADERS = {"plain": plain_load, "before": in_process_load, "after": bounded_load}


def peak_rss_mib(loader: str, file: str) -> float:
    """Peak RSS of a fresh process that renders and validates one file (with its render process, if any)."""
    import subprocess

    measure = [sys.executable, __file__, "--measure", loader, file]
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *measure], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        validate(LOADERS[sys.argv[2]](FILES[sys.argv[3]]))
        return
    rows = []
    for name, file, runs in (("one-iteration task", "one", 50), ("5,000 workloads", "many", 5)):
        text = FILES[file]
        plain, before, after = (median_seconds(functools.partial(load_and_validate, loader, text), runs)
                                for loader in (plain_load, in_process_load, bounded_load))
        assert plain_load(text) == bounded_load(text), name
        peak_before, peak_after = peak_rss_mib("before", file), peak_rss_mib("after", file)
        rows.append(f"| {name} | {plain * 1000:.1f} ms | {before * 1000:.1f} ms | {after * 1000:.1f} ms | "
                    f"{after / before:.2f}x | {peak_before:.0f} MiB | {peak_after:.0f} MiB |")
    lines = ["Render + validate, median in one process (`python bench/bench_render.py`); the render process's "
             "cost is after / before. Peak RSS: a fresh process that renders and validates the file once, "
             "measured from a small launcher; after, the larger of squall's process and its render process:", "",
             "| task file | plain Jinja2 + safe_load | sandbox in squall's process (before) | sandbox in a bounded "
             "process (after) | after / before | peak RSS before | peak RSS after |",
             "|---|---|---|---|---|---|---|", *rows]
    print("\n".join(lines))
    write_section("bench/bench_render.py", "\n".join(lines))


if __name__ == "__main__":
    main()
