"""Where the engine's log records go when squall runs as a command.

The engine, storage and plugins only log; the CLI decides what reaches the
screen: warnings and errors as one line on stderr (``warning: ...``), and
with ``SQUALL_DEBUG`` everything down to debug.
"""

from __future__ import annotations

import logging
import os
import sys

from squall import exceptions


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\n", " ")
        return f"{record.levelname.lower()}: {message}"


def setup(debug: bool = False, log_file: str | None = None) -> None:
    """Send squall's log records to stderr, once per process (everything with ``debug`` or ``SQUALL_DEBUG``), and
    to ``log_file`` too when given (with times; debug records only with ``debug``)."""
    root = logging.getLogger("squall")
    verbose = debug or bool(os.environ.get("SQUALL_DEBUG"))
    if not any(getattr(h, "_squall_cli", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._squall_cli = True  # type: ignore[attr-defined]
        handler.setFormatter(_OneLine())
        root.addHandler(handler)
        root.propagate = False
    root.setLevel(logging.DEBUG if verbose else logging.INFO if log_file else logging.WARNING)
    for existing in root.handlers:
        if getattr(existing, "_squall_cli", False):
            existing.setLevel(logging.DEBUG if verbose else logging.WARNING)
    for old in [h for h in root.handlers if getattr(h, "_squall_file", False)]:
        root.removeHandler(old)
        old.close()
    if log_file:
        try:
            to_file = logging.FileHandler(log_file)
        except OSError as exc:
            raise exceptions.InvalidArgumentsError(f"cannot write the log file {log_file}: {exc.strerror}") from None
        to_file._squall_file = True  # type: ignore[attr-defined]
        to_file.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        root.addHandler(to_file)
