"""Commands on SSH nodes, over asyncssh.

One event loop in a background thread serves every SSH node of this process;
each node keeps one connection, reused for every command, and at most
``MAX_CHANNELS`` commands run on it at once (sshd's MaxSessions is 10 by
default). A command runs in a session of its own on the node; on timeout
squall kills that whole process group over a second channel, so nothing is
left running there.
"""

from __future__ import annotations

import asyncio
import shlex
import threading
import time
import uuid
from typing import Any

from squall import exceptions

MAX_CHANNELS = 8
CONNECT_TIMEOUT = 10.0
# A node that vanishes (power, cable) leaves its TCP connection open; keepalives
# notice within KEEPALIVE_INTERVAL * KEEPALIVE_COUNT seconds and close it.
KEEPALIVE_INTERVAL = 3.0
KEEPALIVE_COUNT = 3
KILL_TIMEOUT = 10.0

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()
_connections: dict[tuple[Any, ...], Any] = {}
_limits: dict[tuple[Any, ...], asyncio.Semaphore] = {}


def _event_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _loop_lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="squall-ssh", daemon=True).start()
            _loop = loop
        return _loop


def _key(conn: dict[str, Any]) -> tuple[Any, ...]:
    return (conn["host"], conn.get("port", 22), conn.get("user"), conn.get("key"))


async def _connection(conn: dict[str, Any]) -> Any:
    import asyncssh

    key = _key(conn)
    existing = _connections.get(key)
    if existing is not None and not existing.is_closed():
        return existing
    options: dict[str, Any] = {"port": conn.get("port", 22), "username": conn.get("user"), "known_hosts": None,
                               "connect_timeout": conn.get("connect_timeout", CONNECT_TIMEOUT),
                               "keepalive_interval": KEEPALIVE_INTERVAL, "keepalive_count_max": KEEPALIVE_COUNT}
    if conn.get("key"):
        options["client_keys"] = [conn["key"]]
    connection = await asyncssh.connect(conn["host"], **options)
    _connections[key] = connection
    _limits.setdefault(key, asyncio.Semaphore(MAX_CHANNELS))
    return connection


async def _run(conn: dict[str, Any], command: str, timeout: float) -> tuple[int | None, str, str, bool]:
    import asyncssh

    connection = await _connection(conn)
    marker = f"/tmp/squall-{uuid.uuid4().hex}.pid"
    # setsid: the command leads a process group of its own, which a timeout kills whole.
    # The marker outlives a cancelled channel, so the timeout path can still read it.
    wrapped = (f"setsid sh -c 'echo $$ > {marker}; exec sh -c \"$0\"' {shlex.quote(command)}; "
               f"rc=$?; rm -f {marker}; exit $rc")
    async with _limits[_key(conn)]:
        try:
            result = await asyncio.wait_for(connection.run(wrapped, check=False), timeout)
            return result.exit_status, str(result.stdout or ""), str(result.stderr or ""), False
        except TimeoutError:
            try:
                await asyncio.wait_for(connection.run(f"pkill -KILL -g \"$(cat {marker})\"; rm -f {marker}",
                                                      check=False), KILL_TIMEOUT)
            except (TimeoutError, asyncssh.Error, OSError):
                connection.close()  # the node stopped answering: do not reuse this connection
            return None, "", "", True
        except asyncssh.Error as exc:
            raise exceptions.SquallError(f"ssh {conn['host']}: {exc}") from None


async def _forget(conn: dict[str, Any]) -> None:
    connection = _connections.pop(_key(conn), None)
    if connection is not None:
        connection.close()


def forget(conn: dict[str, Any]) -> None:
    """Close the node's cached connection: the next command connects afresh."""
    asyncio.run_coroutine_threadsafe(_forget(conn), _event_loop()).result(CONNECT_TIMEOUT)


def run(conn: dict[str, Any], command: str, timeout: float) -> tuple[int | None, str, str, bool, float]:
    """Run ``command`` on the node; returns (rc, stdout, stderr, timed_out, seconds)."""
    started = time.perf_counter()
    future = asyncio.run_coroutine_threadsafe(_run(conn, command, timeout), _event_loop())
    try:
        rc, out, err, timed_out = future.result(timeout + CONNECT_TIMEOUT + 30)
    except TimeoutError:
        limit = conn.get("connect_timeout", CONNECT_TIMEOUT)
        raise exceptions.SquallError(
            f"ssh {conn['host']}:{conn.get('port', 22)}: no answer within {limit} s (host down or unreachable)"
        ) from None
    except OSError as exc:
        raise exceptions.SquallError(
            f"ssh {conn['host']}:{conn.get('port', 22)}: {exc.strerror or exc or type(exc).__name__}") from None
    return rc, out, err, timed_out, time.perf_counter() - started
