"""Waiting for an OpenStack resource to reach a status, or to be gone.

Polls start fast and slow down (0.1 s, doubling up to 1 s): a server that
boots in 0.7 s is seen ACTIVE within a tenth of a second or two, where a
fixed one-second poll (Rally's default, after a one-second pre-poll sleep)
rounds every boot up to whole seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from squall.platforms.openstack.resources import is_not_found
from squall.utils import interruptable_sleep

FIRST_POLL = 0.1
LONGEST_POLL = 1.0


class TimeoutError_(RuntimeError):  # noqa: N801 - not the builtin: an OpenStack resource that took too long
    """A resource did not reach the status in time."""


class ResourceFailed(RuntimeError):
    """A resource reached an error status while being waited for."""


def _polls(timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    pause = FIRST_POLL
    while True:
        yield
        if time.monotonic() > deadline:
            return
        interruptable_sleep(pause)
        pause = min(pause * 2, LONGEST_POLL)


def wait_for_status(fetch: Callable[[], dict[str, Any]], ready: tuple[str, ...], what: str, timeout: float,
                    failed: tuple[str, ...] = ("error",), key: str = "status",
                    busy: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    """Fetch until ``key`` is one of ``ready`` (case-insensitive) and the resource is not ``busy``; raise on a
    ``failed`` status or a timeout."""
    wanted = {s.lower() for s in ready}
    bad = {s.lower() for s in failed}
    last: dict[str, Any] = {}
    for _ in _polls(timeout):
        last = fetch()
        status = str(last.get(key, "")).lower()
        if status in wanted and not (busy and busy(last)):
            return last
        if status in bad:
            fault = last.get("fault", {}).get("message") if isinstance(last.get("fault"), dict) else None
            raise ResourceFailed(f"{what} is {last.get(key)}, not {'/'.join(ready)}"
                                 + (f": {fault}" if fault else ""))
    raise TimeoutError_(f"{what} is still {last.get(key)} after {timeout:.0f} s, not {'/'.join(ready)}")


def wait_for_deletion(fetch: Callable[[], dict[str, Any]], what: str, timeout: float,
                      gone: tuple[str, ...] = ("deleted",), failed: tuple[str, ...] = ("error_deleting",),
                      key: str = "status") -> None:
    """Fetch until the resource answers 404 (or shows a ``gone`` status); raise on ``failed`` or a timeout."""
    last: dict[str, Any] = {}
    for _ in _polls(timeout):
        try:
            last = fetch()
        except Exception as exc:
            if is_not_found(exc):
                return
            raise
        status = str(last.get(key, "")).lower()
        if status in gone:
            return
        if status in failed:
            raise ResourceFailed(f"{what} is {last.get(key)} while being deleted")
    raise TimeoutError_(f"{what} still exists ({last.get(key)}) after {timeout:.0f} s")
