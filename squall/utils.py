"""Small helpers shared by several layers."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid as uuidlib
from pathlib import Path
from typing import Any

_SLEEP_SLICE = 0.05


def interruptable_sleep(seconds: float) -> None:
    """Sleep ``seconds`` in short slices so an async exception can land.

    A per-iteration timeout raises an exception inside the iteration's thread;
    Python delivers it only between bytecodes, so one long ``time.sleep`` would
    delay it.
    """
    if seconds <= 0:
        return
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, _SLEEP_SLICE))


def squall_home() -> Path:
    """squall's own folder: ``$SQUALL_HOME``, or ``~/.squall`` (the default database, verifiers' venvs)."""
    return Path(os.environ.get("SQUALL_HOME") or Path.home() / ".squall")


def new_uuid() -> str:
    """A new random UUID as a string."""
    return str(uuidlib.uuid4())


def utcnow() -> dt.datetime:
    """The current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


def iso(value: dt.datetime | None) -> str | None:
    """The API's timestamp format (ISO 8601 as stored, microseconds kept), or None."""
    return value.isoformat() if value is not None else None


def isoformat(value: dt.datetime | None) -> str | None:
    """Rally's timestamp format (``YYYY-MM-DDTHH:MM:SS``, UTC), or None."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def only_item(mapping: Any, what: str = "mapping") -> tuple[str, Any]:
    """The one ``(key, value)`` of a single-key mapping (``{"Dummy.dummy": {...}}``); ValueError otherwise."""
    if not isinstance(mapping, dict) or len(mapping) != 1:
        raise ValueError(f"{what} must be a single-key mapping")
    return next(iter(mapping.items()))

