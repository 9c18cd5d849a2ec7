"""The connections of one worker process, shared by every HTTP scenario's iterations in it.

A worker process runs one workload's iterations on one event loop, so its
kept-alive connections (squall's fast path) and its aiohttp session (the
full client) belong to the process: made on first use, closed by
:func:`close` when the process's share of the load ends (the scenarios'
``close_worker_resources``). A forked worker starts with none: the parent
never opens any.
"""

from __future__ import annotations

from typing import Any

from squall.platforms.http import fastpath


class WorkerConnections:
    """This process's fast-path pool and aiohttp session."""

    def __init__(self) -> None:
        self._pool: fastpath.Pool | None = None
        self._session: Any = None

    def pool(self) -> fastpath.Pool:
        """The fast path's kept-alive connections."""
        if self._pool is None:
            self._pool = fastpath.Pool()
        return self._pool

    def session(self) -> Any:
        """The full client's session (aiohttp), for what the fast path does not send."""
        if self._session is None or self._session.closed:
            import aiohttp

            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=300))
        return self._session

    async def close(self) -> None:
        """Close every connection; the next use opens new ones."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
        if self._pool is not None:
            self._pool.close()
        self._pool = None


#: The one per process.
WORKER = WorkerConnections()
