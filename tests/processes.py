"""The processes the tests started, found through /proc, so none is left behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

# Command lines of processes that outlive their parent's pid tree (sshd's
# per-connection children call setsid and are re-parented to init).
STRAY_MARKS = ("sshd: squalltest", "squall-sshd-")


def _parents() -> dict[int, int]:
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                out[int(entry.name)] = int(fields[1])
    return out


def cmdline(pid: int) -> str:
    """The process's command line, or '' when it has gone."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid``."""
    parents = _parents()
    found: list[int] = []
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        found.extend(children)
        frontier.extend(children)
    return found


def strays() -> list[int]:
    """Live processes that only the tests start, wherever they hang in the tree."""
    return [p for p in _parents() if any(mark in cmdline(p) for mark in STRAY_MARKS)]


def kill_all(pids: list[int], grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL whatever is still alive after ``grace`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        deadline = time.time() + grace
        while time.time() < deadline and any(cmdline(p) for p in pids):
            time.sleep(0.1)
