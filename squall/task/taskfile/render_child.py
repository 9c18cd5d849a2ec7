"""The rendering process: limits itself, then renders and parses one task file from its standard input.

Started by :mod:`squall.task.taskfile.isolated`; reads one JSON request
(text, arguments, included files, limits) and writes one JSON answer:
``{"document": ...}`` or ``{"errors": [...]}``. Everything it needs is
imported before the limits are set and before any of the request is read.
"""

from __future__ import annotations

import resource
import sys
from typing import Any

import jinja2.meta  # noqa: F401 - imported before the limits are set
import orjson

from squall import exceptions
from squall.task.taskfile import render, sandbox  # noqa: F401 - likewise


def _limit(kind: int, soft: int, hard: int | None = None) -> None:
    resource.setrlimit(kind, (soft, soft if hard is None else hard))


def set_limits(memory: int, cpu_seconds: int) -> None:
    """Bound this process: address space, processor time (SIGXCPU, then SIGKILL), no files, no core."""
    _limit(resource.RLIMIT_AS, memory)
    _limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    _limit(resource.RLIMIT_FSIZE, 0)
    _limit(resource.RLIMIT_CORE, 0)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()  # a YAML date as a value: its text, as JSON would carry it
    raise TypeError(f"cannot carry {type(value).__name__}")


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """Render and parse the request's task file: the document, or the errors that refused it."""
    source = str(request.get("source") or "task file")
    try:
        text = render.render_template(request["text"], request.get("args") or {}, source,
                                      request.get("templates") or {}, seconds=float(request["seconds"]))
        return {"document": render.load_document(text, source)}
    except exceptions.InvalidTaskError as exc:
        return {"errors": exc.errors}
    except MemoryError:
        megabytes = int(request["memory"]) / 1024 ** 2
        return {"errors": [f"{source}: template rendering stopped: it needed more than its {megabytes:,.0f} MiB "
                           "of memory (--max-render-memory)"]}


def main() -> None:
    """Read the request, limit this process, answer."""
    raw = sys.stdin.buffer.read()
    request = orjson.loads(raw)
    del raw
    set_limits(int(request["memory"]), int(request["cpu"]))
    reply = answer(request)
    try:
        out = orjson.dumps(reply, default=_plain)
    except (TypeError, MemoryError) as exc:
        out = orjson.dumps({"errors": [f"{request.get('source')}: the rendered document cannot be stored: {exc}"]})
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
