"""Peak memory of a process tree, sampled from /proc (Linux)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        for tid in os.listdir(task_dir):
            text = (task_dir / tid / "children").read_text().split()
            kids.extend(int(x) for x in text)
    except OSError:
        pass
    return kids


def tree_pss_kb(pid: int) -> int:
    """Proportional set size of a process and all its descendants.

    PSS splits pages shared by forked workers between them, so a tree of
    forked processes is not counted several times over (RSS would be).
    """
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
        stack.extend(_children(p))
    return total


def run_measured(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> dict[str, Any]:
    """Run ``cmd``; return wall seconds, peak tree PSS in MB, CPU seconds of the process tree and the exit code."""
    cpu_before = children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss_kb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    done.set()
    sampler.join()
    return {"wall": time.perf_counter() - started, "peak_mb": peak / 1024, "rc": proc.returncode, "output": output,
            "cpu": children_cpu() - cpu_before}


def children_cpu() -> float:
    """User + system CPU seconds of every child process waited for so far (their waited children included)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
