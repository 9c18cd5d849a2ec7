"""Render and parse a task file in a process of its own, bounded by the operating system.

The sandbox (``sandbox.py``) predicts sizes and refuses what it can name,
with a clear message; this module is the wall behind it. A template is
rendered, and its result parsed, by a fresh Python process
(``python -I``, running ``render_child.main``) that limits itself
before it reads a byte of the task file:

- address space (``RLIMIT_AS``): :attr:`RenderLimits.memory` bytes, 512 MiB
  by default: an allocation past it fails in the child, never in squall;
- processor time (``RLIMIT_CPU``): work done in C, which the sandbox's
  timer cannot interrupt, is stopped by the kernel;
- no file written, no core dumped;

and the caller kills it when it has not answered in time. The caller's thread
waits on a pipe, so a service's event loop and its other requests go on.
Only JSON crosses back, never a pickle. At most :data:`MAX_AT_ONCE` renders
run at once; more wait for a place.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

import orjson

from squall import exceptions

DEFAULT_MEMORY = 512 * 1024 * 1024
DEFAULT_SECONDS = 4.0
MAX_AT_ONCE = 4
_KILL_GRACE = 1.5  # the child's own timer speaks first; then the kernel's limit (1 s later), then the kill
_places = threading.BoundedSemaphore(MAX_AT_ONCE)


@dataclass(frozen=True)
class RenderLimits:
    """What one render may take: bytes of address space and seconds (processor and wall clock)."""

    memory: int = DEFAULT_MEMORY
    seconds: float = DEFAULT_SECONDS

    def check(self) -> None:
        """Refuse limits that could not render even a small task file."""
        if self.memory < 64 * 1024 * 1024:
            raise exceptions.InvalidArgumentsError(
                f"--max-render-memory must be at least 64 MiB (67108864 bytes), not {self.memory:,}")
        if not 0 < self.seconds <= 600:
            raise exceptions.InvalidArgumentsError("the render time limit must be between 0 and 600 s")


def limits_from_environment() -> RenderLimits:
    """``SQUALL_MAX_RENDER_MEMORY`` (bytes, or with a K, M or G suffix), else the defaults."""
    raw = os.environ.get("SQUALL_MAX_RENDER_MEMORY")
    if not raw:
        return RenderLimits()
    return RenderLimits(memory=parse_size(raw, "SQUALL_MAX_RENDER_MEMORY"))


def workloads_from_environment() -> int:
    """``SQUALL_MAX_WORKLOADS``, else the default limit on the workloads of one task file."""
    from squall.task.taskfile.normalise import DEFAULT_MAX_WORKLOADS

    raw = os.environ.get("SQUALL_MAX_WORKLOADS", "").strip()
    if not raw:
        return DEFAULT_MAX_WORKLOADS
    if not raw.isdigit() or int(raw) < 1:
        raise exceptions.InvalidArgumentsError(f"SQUALL_MAX_WORKLOADS: {raw!r} is not a positive whole number")
    return int(raw)


def parse_size(text: str, what: str) -> int:
    """``512M``, ``1G``, ``600000000``: a size in bytes (powers of 1024 for the suffixes)."""
    units = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    factor = units.get(value[-1:], 1)
    number = value[:-1] if value[-1:] in units else value
    if not number.isdigit():
        raise exceptions.InvalidArgumentsError(f"{what}: {text!r} is not a size (e.g. 512M, 1G or 600000000)")
    return int(number) * factor


def _child_command() -> list[str]:
    # -I: no environment variables, user site or current folder reach the child; it finds squall where
    # this process found it.
    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    code = (f"import sys; sys.path.insert(0, {package_parent!r}); "
            "from squall.task.taskfile.render_child import main; main()")
    return [sys.executable, "-I", "-c", code]


def render_and_parse(text: str, args: dict[str, Any], source: str, templates: dict[str, str] | None,
                     limits: RenderLimits | None = None) -> Any:
    """The document a templated task file becomes, rendered and parsed in a bounded child process.

    Raises :class:`~squall.exceptions.InvalidTaskError` with the sandbox's
    message, or one saying which operating-system limit stopped the render.
    """
    limits = limits or limits_from_environment()
    request = orjson.dumps({"text": text, "args": args, "source": source, "templates": templates or {},
                            "memory": limits.memory, "seconds": limits.seconds,
                            "cpu": math.ceil(limits.seconds) + 1}, default=str)
    with _places:
        answer, status = _run_child(request, limits)
    if answer:
        try:
            reply = orjson.loads(answer)
        except orjson.JSONDecodeError:
            reply = None
        if isinstance(reply, dict) and "document" in reply:
            return reply["document"]
        if isinstance(reply, dict) and "errors" in reply:
            raise exceptions.InvalidTaskError([str(e) for e in reply["errors"]])
    raise exceptions.InvalidTaskError([f"{source}: template rendering stopped: {_death(status, limits)}"])


def _run_child(request: bytes, limits: RenderLimits) -> tuple[bytes, int | None]:
    """Send ``request``, wait for the answer within the limit; (answer, wait status or None when killed)."""
    proc = subprocess.Popen(_child_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env={"LANG": "C.UTF-8"}, close_fds=True)
    try:
        out, _ = proc.communicate(request, timeout=limits.seconds + _KILL_GRACE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return b"", None
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return out, proc.returncode


def _death(status: int | None, limits: RenderLimits) -> str:
    """Why a child ended without an answer, in the user's words."""
    import signal

    seconds = f"{limits.seconds:g} s"
    if status is None:
        return f"rendering took longer than {seconds} (the rendering process was stopped)"
    if status == -signal.SIGXCPU or status == -signal.SIGKILL:
        return f"rendering used more than {math.ceil(limits.seconds) + 1} s of processor time"
    memory = f"{limits.memory / 1024 ** 2:,.0f} MiB"
    return (f"the rendering process ended without an answer (exit status {status}); it may have needed "
            f"more than its {memory} of memory (--max-render-memory)")
