"""The service's outer wall: which requests reach the application at all.

An ASGI middleware, in front of every route, that answers before the
application sees the request:

- **400** when ``Host`` is not the bound address or an ``--allowed-host``
  (DNS rebinding: a hostile name that resolves to 127.0.0.1);
- **403** when ``Origin`` is not the service's own, or the browser says the
  request comes from another site (``Sec-Fetch-Site``);
- **415** when a request that may change something (any method but GET and
  HEAD) does not declare ``Content-Type: application/json``; such bodies
  cannot be sent cross-site without a CORS preflight, which is never granted;
- **413** when the body is larger than ``max_body`` (refused on its
  ``Content-Length`` before it is read, or as soon as it grows past it);
- **408** when the body does not arrive within ``body_seconds``.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WILDCARDS = ("0.0.0.0", "::", "")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def host_name(header: str) -> str:
    """The host part of a ``Host`` header: no port, no IPv6 brackets, lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    if header.count(":") == 1:
        return header.partition(":")[0]
    return header


def allowed_host_names(bound: str, extra: list[str]) -> set[str]:
    """The names a ``Host`` header may carry for a service bound to ``bound``."""
    names = {host_name(h) for h in extra}
    if bound not in WILDCARDS:
        names.add(host_name(bound))
    address = _ip(bound)
    if bound == "localhost" or (address is not None and address.is_loopback):
        names.update(LOOPBACK_NAMES)
    return names


class RequestGuard:
    """The ASGI middleware described in this module's docstring."""

    def __init__(self, app: ASGIApp, bound_host: str, allowed_hosts: list[str], max_body: int,
                 body_seconds: float = 30.0) -> None:
        self.app = app
        self.names = allowed_host_names(bound_host, allowed_hosts)
        self.any_ip = bound_host in WILDCARDS
        self.max_body = max_body
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _answer(send, *refusal)
            return
        try:
            body = await asyncio.wait_for(self._read_body(receive, headers), self.body_seconds)
        except _TooLarge:
            await _answer(send, 413, f"request body is larger than {self.max_body:,} bytes (--max-body)")
            return
        except TimeoutError:
            await _answer(send, 408, f"request body did not arrive within {self.body_seconds:g} s")
            return
        await self.app(scope, _replay(body, receive), send)

    def _host_allowed(self, header: str) -> bool:
        name = host_name(header)
        return name in self.names or (self.any_ip and _ip(name) is not None)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        if not self._host_allowed(host):
            return 400, (f"Host '{host}' is not this service's address; "
                         "start the service with --allowed-host NAME to accept it")
        origin = headers.get("origin")
        if origin is not None and origin != f"{scope.get('scheme', 'http')}://{host}":
            return 403, f"cross-origin requests are refused (Origin: {origin})"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return 403, "requests from other sites are refused (Sec-Fetch-Site)"
        if scope["method"] not in ("GET", "HEAD"):
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            if media != "application/json":
                return 415, "send the request body as JSON, with 'Content-Type: application/json'"
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return 400, "Content-Length is not a number"
            if int(length) > self.max_body:
                return 413, f"request body is larger than {self.max_body:,} bytes (--max-body)"
        return None

    async def _read_body(self, receive: Receive, headers: dict[str, str]) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge()
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


class _TooLarge(Exception):
    pass


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(send: Send, status: int, message: str) -> None:
    import orjson

    names = {400: "InvalidArgumentsError", 403: "ForbiddenError", 408: "InvalidArgumentsError",
             413: "InvalidArgumentsError", 415: "InvalidArgumentsError"}
    body = orjson.dumps({"error": {"name": names.get(status, "SquallError"), "msg": message,
                                   "kwargs": {"message": message}, "http_code": status}})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
