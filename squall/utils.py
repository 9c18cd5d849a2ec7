"""Small helpers shared by several layers."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid as uuidlib

_SLEEP_SLICE = 0.05


def interruptable_sleep(seconds: float, stop: threading.Event | None = None) -> None:
    """Sleep ``seconds`` in short slices so an async exception can land.

    A per-iteration timeout raises an exception inside the iteration's thread;
    Python delivers it only between bytecodes, so one long ``time.sleep`` would
    delay it. With ``stop`` the sleep also ends early when the event is set.
    """
    if seconds <= 0:
        return
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        if stop is not None and stop.is_set():
            return
        time.sleep(min(left, _SLEEP_SLICE))


def new_uuid() -> str:
    """A new random UUID as a string."""
    return str(uuidlib.uuid4())


def utcnow() -> dt.datetime:
    """The current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


def isoformat(value: dt.datetime | None) -> str | None:
    """Rally's timestamp format (``YYYY-MM-DDTHH:MM:SS``, UTC), or None."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def format_duration(seconds: float | None) -> str:
    """Seconds as ``1h 2m 3.4s``-style text for people."""
    if seconds is None:
        return "n/a"
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{int(minutes)}m {secs:.0f}s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)}h {int(minutes)}m"
