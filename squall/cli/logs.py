"""Where the engine's log records go when squall runs as a command.

The engine, storage and plugins only log; the CLI decides what reaches the
screen: warnings and errors as one line on stderr (``warning: ...``), and
with ``SQUALL_DEBUG`` everything down to debug.
"""

from __future__ import annotations

import logging
import os
import sys


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\n", " ")
        return f"{record.levelname.lower()}: {message}"


def setup() -> None:
    """Send squall's log records to stderr, once per process."""
    root = logging.getLogger("squall")
    if any(getattr(h, "_squall_cli", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._squall_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(_OneLine())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if os.environ.get("SQUALL_DEBUG") else logging.WARNING)
    root.propagate = False
