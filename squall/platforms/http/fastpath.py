"""squall's HTTP/1.1 fast path: kept-alive connections on ``asyncio.Protocol`` with httptools' parser (llhttp).

A full client (aiohttp) spends about ten times the CPU per request of a
bare protocol with llhttp (bench/bench_http_clients.py), and the client is
what limits a load generator. This path sends what most load tests send:
any method but HEAD, http and https (``verify`` as in requests), headers,
query parameters, str/bytes/form/JSON bodies, Basic auth, request cookies,
timeouts and redirects. Bodies come back whole, by Content-Length, chunked
or until the server closes. A kept-alive connection the server closed (nginx
does after 1,000 requests) is replaced transparently: an idempotent request
that got no byte of answer on a reused connection is sent again on a new
one. Requests with arguments it does not take (files, proxies, stream, a
client certificate) go to the full client: :func:`handles` decides.
"""

from __future__ import annotations

import asyncio
import base64
import json as jsonlib
import ssl
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

FAST_ARGUMENTS = frozenset({"params", "data", "json", "headers", "cookies", "auth", "timeout", "allow_redirects",
                            "verify"})
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "OPTIONS", "TRACE"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 30  # requests' limit
USER_AGENT = "squall"


def handles(url: str, method: str, kwargs: dict[str, Any]) -> bool:
    """Whether the fast path can send this request as ``requests.request`` would."""
    if not kwargs.keys() <= FAST_ARGUMENTS or method.upper() == "HEAD":
        return False
    if not url.startswith(("http://", "https://")):
        return False
    data = kwargs.get("data")
    return data is None or isinstance(data, str | bytes | dict | list)


class Response:
    """An answer: status, headers (lower-case names, in order) and the whole body."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        """The first value of a header, or None."""
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)


class ConnectionClosed(ConnectionError):
    """The server closed the connection before the answer was complete."""

    def __init__(self, answered: bool) -> None:
        super().__init__("the server closed the connection before answering"
                         if not answered else "the server closed the connection in the middle of its answer")
        self.answered = answered


class _Connection(asyncio.Protocol):
    """One connection: a request written, its answer parsed as it arrives."""

    def __init__(self) -> None:
        import httptools

        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._waiter: asyncio.Future[Response] | None = None
        self._reset()

    def _reset(self) -> None:
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []
        self._answered = False
        self._headers_done = False
        self._keep_alive = True

    # -- asyncio.Protocol ------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._answered = True
        try:
            self._parser.feed_data(data)
        except Exception as exc:  # httptools' parser errors: a malformed answer
            self._fail(ConnectionError(f"malformed HTTP answer: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._headers_done and self._parser.get_status_code() and not self._length_known():
            self._complete()  # a body that runs until the server closes
        else:
            self._fail(ConnectionClosed(self._answered))

    # -- httptools callbacks ---------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._headers_done = True
        self._keep_alive = self._parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._complete()

    # -- helpers ---------------------------------------------------------------
    def _length_known(self) -> bool:
        names = {k for k, _ in self._headers}
        return "content-length" in names or any(k == "transfer-encoding" and "chunked" in v.lower()
                                                for k, v in self._headers)

    def _complete(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(Response(self._parser.get_status_code(), self._headers, b"".join(self._body)))
        if not self._keep_alive:
            self.close()

    def _fail(self, exc: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    @property
    def reusable(self) -> bool:
        """Open, idle and not told to close."""
        return not self.closed and self._keep_alive and self._waiter is None

    async def send(self, request: bytes) -> Response:
        """Write one request and wait for its whole answer."""
        assert self.transport is not None
        self._reset()
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self._waiter

    def close(self) -> None:
        """Close the connection."""
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Pool:
    """Idle kept-alive connections per (scheme, host, port, TLS settings), for one worker process."""

    def __init__(self) -> None:
        self._idle: dict[tuple[Any, ...], list[_Connection]] = {}
        self._contexts: dict[Any, ssl.SSLContext] = {}

    def _ssl(self, verify: Any) -> ssl.SSLContext:
        key = verify if isinstance(verify, str) else bool(verify)
        context = self._contexts.get(key)
        if context is None:
            context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
            if verify is False:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._contexts[key] = context
        return context

    async def _connect(self, key: tuple[Any, ...]) -> _Connection:
        scheme, host, port, verify = key
        loop = asyncio.get_running_loop()
        tls = self._ssl(verify) if scheme == "https" else None
        _, conn = await loop.create_connection(_Connection, host, port, ssl=tls,
                                               server_hostname=host if tls else None)
        return conn

    async def exchange(self, key: tuple[Any, ...], method: str, request: bytes) -> Response:
        """Send on an idle connection (or a new one) and return the answer; the connection goes back idle."""
        idle = self._idle.setdefault(key, [])
        while idle:
            conn = idle.pop()
            if conn.reusable:
                break
        else:
            conn = await self._connect(key)
            return self._finish(key, conn, await conn.send(request))
        try:
            response = await conn.send(request)
        except ConnectionClosed as exc:
            if exc.answered or method not in IDEMPOTENT:
                raise
            # The server closed it while idle (a keep-alive limit or timeout): once more on a new one.
            conn = await self._connect(key)
            response = await conn.send(request)
        return self._finish(key, conn, response)

    def _finish(self, key: tuple[Any, ...], conn: _Connection, response: Response) -> Response:
        if conn.reusable:
            self._idle[key].append(conn)
        return response

    def close(self) -> None:
        """Close every idle connection."""
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()


def _body(kwargs: dict[str, Any], headers: dict[str, str]) -> bytes:
    if kwargs.get("json") is not None and kwargs.get("data") is None:
        headers.setdefault("content-type", "application/json")
        return jsonlib.dumps(kwargs["json"]).encode()
    data = kwargs.get("data")
    if data is None:
        return b""
    if isinstance(data, dict | list):
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
        return urlencode(data, doseq=True).encode()
    return data.encode() if isinstance(data, str) else data


def build(method: str, url: str, kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], bytes]:
    """The pool key and the bytes of one request, as ``requests.request(method, url, **kwargs)`` sends it."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    target = parts.path or "/"
    query = parts.query
    if kwargs.get("params"):
        extra = urlencode(kwargs["params"], doseq=True)
        query = f"{query}&{extra}" if query else extra
    if query:
        target += "?" + query
    headers = {"user-agent": USER_AGENT, "accept": "*/*"}
    headers.update({str(k).lower(): str(v) for k, v in (kwargs.get("headers") or {}).items()})
    if kwargs.get("auth"):
        user, password = kwargs["auth"]
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers.setdefault("authorization", f"Basic {token}")
    if kwargs.get("cookies"):
        headers["cookie"] = "; ".join(f"{k}={v}" for k, v in kwargs["cookies"].items())
    body = _body(kwargs, headers)
    if body or method.upper() in ("POST", "PUT", "PATCH"):
        headers["content-length"] = str(len(body))
    default_port = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    headers["host"] = host if default_port else f"{host}:{port}"
    head = f"{method.upper()} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (scheme, host, port, kwargs.get("verify", True) if scheme == "https" else None), \
        head.encode("latin-1") + b"\r\n" + body


async def request(pool: Pool, method: str, url: str, kwargs: dict[str, Any]) -> Response:
    """Send a request (following redirects unless ``allow_redirects`` is false, as requests does)."""
    timeout = kwargs.get("timeout")
    if isinstance(timeout, list | tuple):
        timeout = sum(timeout)
    call = _follow(pool, method.upper(), url, dict(kwargs))
    return await (asyncio.wait_for(call, timeout) if timeout else call)


async def _follow(pool: Pool, method: str, url: str, kwargs: dict[str, Any]) -> Response:
    for _ in range(MAX_REDIRECTS + 1):
        key, raw = build(method, url, kwargs)
        response = await pool.exchange(key, method, raw)
        location = response.header("location")
        if response.status not in REDIRECTS or not location or kwargs.get("allow_redirects", True) is False:
            return response
        target = urljoin(url, location)
        if urlsplit(target).hostname != urlsplit(url).hostname:
            kwargs.pop("auth", None)  # requests drops credentials on a new host
        if response.status == 303 or (response.status in (301, 302) and method == "POST"):
            method = "GET"
            kwargs.pop("data", None)
            kwargs.pop("json", None)
        url = target
    raise ConnectionError(f"more than {MAX_REDIRECTS} redirects")
