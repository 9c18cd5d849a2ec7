"""The service's outer wall: which requests reach the application at all.

An ASGI middleware, in front of every route, that answers from the request's
head alone, before a byte of its body is read, in this order:

- **400** when a guarded header (``Host``, ``Origin``, ``Sec-Fetch-Site``,
  ``Content-Type``, ``Content-Length``, ``Transfer-Encoding``,
  ``Authorization``) comes twice, or a body is framed by both
  ``Transfer-Encoding`` and ``Content-Length`` (request smuggling);
- **400** when ``Host`` is not the bound address or an ``--allowed-host``
  (DNS rebinding: a hostile name that resolves to 127.0.0.1);
- **403** when ``Origin`` is not the service's own, or the browser says the
  request comes from another site (``Sec-Fetch-Site``);
- **401** without the service's token (``--token``), except on the open
  routes (:data:`OPEN_PATHS`: ``/health`` and the portal's static page and
  files, which hold no data; the portal asks for the token and sends it
  with every API call);
- **404** for a path no route serves, **405** for a method its route does
  not serve;
- **415** when a request that may change something (any method but GET and
  HEAD) does not declare ``Content-Type: application/json``; such bodies
  cannot be sent cross-site without a CORS preflight, which is never granted;
- **413** when the declared body is larger than ``max_body``;
- **503** when :attr:`RequestGuard.max_bodies` bodies are already being
  received;

and then reads the body, which must arrive at :data:`MIN_BODY_RATE` bytes a
second after a grace of ``body_grace`` seconds (**408** otherwise) and stay
under ``max_body`` (**413**). A refused request's connection is closed.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Refusal = tuple[int, str] | tuple[int, str, dict[str, Any]]
RouteCheck = Callable[[Scope], Refusal | None]

WILDCARDS = ("0.0.0.0", "::", "")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
GUARDED_HEADERS = ("host", "origin", "sec-fetch-site", "content-type", "content-length", "transfer-encoding",
                   "authorization")
OPEN_PATHS = ("/health", "/", "/portal")
OPEN_PREFIXES = ("/portal/",)
MIN_BODY_RATE = 16 * 1024


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


def is_open_path(path: str) -> bool:
    """Whether ``path`` answers without the token: health and the portal's static files."""
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class RequestGuard:
    """The ASGI middleware described in this module's docstring."""

    def __init__(self, app: ASGIApp, bound_host: str, allowed_hosts: list[str], max_body: int,
                 token: str | None = None, route_check: RouteCheck | None = None,
                 body_grace: float = 5.0, max_bodies: int = 64) -> None:
        self.app = app
        self.names = allowed_host_names(bound_host, allowed_hosts)
        self.any_ip = bound_host in WILDCARDS
        self.max_body = max_body
        self.token = token.encode("utf-8") if token else None
        self.route_check = route_check
        self.body_grace = body_grace
        self.max_bodies = max_bodies
        self.receiving = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await _answer(send, *refusal)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        length = headers.get("content-length")
        if scope["method"] in ("GET", "HEAD") and length in (None, "0") and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body to wait for
            return
        if self.receiving >= self.max_bodies:
            await _answer(send, 503, f"{self.max_bodies} request bodies are being received; try again")
            return
        self.receiving += 1
        try:
            body = await self._read_body(receive, int(length) if length else None)
        except _TooLarge:
            await _answer(send, 413, f"request body is larger than {self.max_body:,} bytes (--max-body)")
            return
        except TimeoutError:
            await _answer(send, 408, f"request body did not arrive at {MIN_BODY_RATE // 1024} KiB/s "
                                     f"(after {self.body_grace:g} s of grace)")
            return
        finally:
            self.receiving -= 1
        await self.app(scope, _replay(body, receive), send)

    def _host_allowed(self, header: str) -> bool:
        name = host_name(header)
        return name in self.names or (self.any_ip and _ip(name) is not None)

    def refusal(self, scope: Scope) -> Refusal | None:
        """Why the request is refused from its head alone (status, message), or None."""
        raw = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
        names = [k for k, _ in raw]
        for guarded in GUARDED_HEADERS:
            if names.count(guarded) > 1:
                return 400, f"the header {guarded} comes more than once"
        headers = dict(raw)
        if "transfer-encoding" in headers and "content-length" in headers:
            return 400, "a request may not carry both Transfer-Encoding and Content-Length"
        return (self._origin_refusal(scope, headers) or self._auth_refusal(scope, headers)
                or (self.route_check(scope) if self.route_check else None) or self._body_refusal(scope, headers))

    def _origin_refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        if not self._host_allowed(host):
            return 400, (f"Host '{host}' is not this service's address; "
                         "start the service with --allowed-host NAME to accept it")
        origin = headers.get("origin")
        if origin is not None and origin != f"{scope.get('scheme', 'http')}://{host}":
            return 403, f"cross-origin requests are refused (Origin: {origin})"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return 403, "requests from other sites are refused (Sec-Fetch-Site)"
        return None

    def _auth_refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        if self.token is None or is_open_path(scope["path"]):
            return None
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode("latin-1"), self.token):
            return None
        return 401, "a valid 'Authorization: Bearer <token>' header is needed"

    def _body_refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
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

    async def _read_body(self, receive: Receive, declared: int | None) -> bytes:
        """The body, as long as it keeps up with the minimum rate: by ``grace + size / rate`` seconds after
        its head, ``size`` being the declared length or what came so far plus one more chunk."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        chunks: list[bytes] = []
        size = 0
        while True:
            expected = declared if declared is not None else size + 65536
            remaining = started + self.body_grace + expected / MIN_BODY_RATE - loop.time()
            if remaining <= 0:
                raise TimeoutError
            message = await asyncio.wait_for(receive(), remaining)
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


_NAMES = {400: "InvalidArgumentsError", 401: "UnauthorizedError", 403: "ForbiddenError", 404: "NotFoundError",
          405: "MethodNotAllowedError", 408: "InvalidArgumentsError", 413: "InvalidArgumentsError",
          415: "InvalidArgumentsError", 429: "TooManyRequestsError", 503: "ServiceUnavailableError"}


async def _answer(send: Send, status: int, message: str, kwargs: dict[str, Any] | None = None) -> None:
    import orjson

    body = orjson.dumps({"error": {"name": _NAMES.get(status, "SquallError"), "msg": message,
                                   "kwargs": kwargs or {"message": message}, "http_code": status}})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
