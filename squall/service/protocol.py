"""uvicorn's HTTP/1.1 protocol with the limits it lacks: connections, connections per client, header time.

uvicorn accepts any number of connections and waits for a request's headers
forever, so 200 idle half-sent requests hold 200 connections. This protocol
closes a connection beyond ``max_connections``, or beyond
``max_per_client`` from one client address, as soon as it is made, and a
connection whose next request's headers are not complete ``header_seconds``
after it went idle (or was opened).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class BoundedH11Protocol(H11Protocol):
    """H11Protocol with a connection cap and a deadline for request headers."""

    max_connections = 256
    max_per_client = 128
    header_seconds = 10.0
    per_client: dict[str, int] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._cycle_at_arm: Any = None
        self._client: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Take the connection, or close it at once when too many are open."""
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self.logger.warning("closing a connection: %d are open (limit %d)", len(self.connections),
                                self.max_connections)
            transport.close()
            return
        peer = transport.get_extra_info("peername")
        client = str(peer[0]) if isinstance(peer, tuple) and peer else "unix"
        if self.per_client.get(client, 0) >= self.max_per_client:
            self.logger.warning("closing a connection from %s: it has %d open (limit %d)", client,
                                self.per_client[client], self.max_per_client)
            transport.close()
            return
        self._client = client
        self.per_client[client] = self.per_client.get(client, 0) + 1
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Bytes of a new request on an idle connection start its header deadline."""
        if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline and the client's count with the connection."""
        self._disarm()
        if self._client is not None:
            left = self.per_client.get(self._client, 1) - 1
            if left > 0:
                self.per_client[self._client] = left
            else:
                self.per_client.pop(self._client, None)
            self._client = None
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._cycle_at_arm = self.cycle
        self._header_timer = self.loop.call_later(self.header_seconds, self._on_header_deadline)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _on_header_deadline(self) -> None:
        self._header_timer = None
        if self.cycle is self._cycle_at_arm and not self.transport.is_closing():
            # No new request began since the deadline was set: the headers never came.
            self.transport.close()


def protocol_class(max_connections: int, header_seconds: float,
                   max_per_client: int | None = None) -> type[BoundedH11Protocol]:
    """A protocol class with these limits, for ``uvicorn.run(http=...)``; its own count of clients."""
    return type("ConfiguredH11Protocol", (BoundedH11Protocol,),
                {"max_connections": max_connections, "header_seconds": header_seconds,
                 "max_per_client": max_per_client or max(1, max_connections // 2), "per_client": {}})
