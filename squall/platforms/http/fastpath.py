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
client certificate) go to the full client: :func:`handles` decides. The
requests themselves are built once each, in :mod:`prepared`.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from squall.platforms.http.prepared import Prepared, build, handles, prepare

__all__ = ["ConnectionClosed", "Pool", "Prepared", "Response", "build", "handles", "prepare", "request", "send"]

IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "OPTIONS", "TRACE"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 30  # requests' limit
MAX_HEAD_BYTES = 256 * 1024  # an answer's status line and headers; more is refused, not buffered


def parse_head(head: bytes) -> list[tuple[bytes, bytes]]:
    """The header fields of an answer's head (status line first, as llhttp accepted it: no folded lines), in
    order."""
    fields: list[tuple[bytes, bytes]] = []
    for line in head.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields.append((name.strip(), value.strip()))
    return fields


class Response:
    """An answer: status, headers (parsed from its head when asked for) and the whole body."""

    __slots__ = ("status", "head", "body", "_fields")

    def __init__(self, status: int, head: bytes, body: bytes) -> None:
        self.status = status
        self.head = head
        self.body = body
        self._fields: list[tuple[bytes, bytes]] | None = None

    @property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The header fields as sent: (name, value) bytes, in order."""
        if self._fields is None:
            self._fields = parse_head(self.head)
        return self._fields

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The headers in order, names in lower case."""
        return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in self.raw_headers]

    def header(self, name: str) -> str | None:
        """The first value of a header, or None."""
        wanted = name.lower().encode("latin-1")
        return next((v.decode("latin-1") for k, v in self.raw_headers if k.lower() == wanted), None)


class ConnectionClosed(ConnectionError):
    """The server closed the connection before the answer was complete."""

    def __init__(self, answered: bool, cause: BaseException | None = None) -> None:
        message = ("the server closed the connection before answering"
                   if not answered else "the server closed the connection in the middle of its answer")
        if cause is not None:
            message += f" ({type(cause).__name__}: {cause})"
        super().__init__(message)
        self.answered = answered


#: Called once with the whole answer, or with the exception that ended the exchange.
Answered = Callable[[Response | None, BaseException | None], None]


class _Connection(asyncio.Protocol):
    """One connection: a request written, its answer parsed as it arrives and handed to a callback.

    Header fields are not handed over one by one (that is most of the parse
    cost): the head's bytes are kept, and parsed only when someone asks for a
    header (a redirect's Location, a body that runs until close).
    """

    def __init__(self) -> None:
        import httptools

        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._answered_cb: Answered | None = None
        self._head = b""
        self._body: list[bytes] = []
        self._answered = False
        self._headers_done = False
        self._message_done = False
        self._keep_alive = True

    # -- asyncio.Protocol ------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._answered = True
        if not self._headers_done:
            self._head = self._head + data if self._head else data
            if len(self._head) > MAX_HEAD_BYTES:
                self._fail(ConnectionError(f"the answer's head is longer than {MAX_HEAD_BYTES} bytes"))
                self.close()
                return
        try:
            self._parser.feed_data(data)
        except Exception as exc:  # httptools' parser errors: a malformed answer
            self._fail(ConnectionError(f"malformed HTTP answer: {exc}"))
            self.close()
            return
        if self._message_done:  # handed over once the parser is done with the data, never from inside it
            self._complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._answered_cb is None:
            return
        if self._headers_done and self._parser.get_status_code() and not self._length_known():
            self._complete()  # a body that runs until the server closes
        else:
            self._fail(ConnectionClosed(self._answered, exc))

    # -- httptools callbacks ---------------------------------------------------
    def on_headers_complete(self) -> None:
        self._headers_done = True
        self._keep_alive = self._parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._message_done = True

    # -- helpers ---------------------------------------------------------------
    def _length_known(self) -> bool:
        fields = parse_head(self._head)
        return any(k.lower() == b"content-length" or (k.lower() == b"transfer-encoding" and b"chunked" in v.lower())
                   for k, v in fields)

    def _complete(self) -> None:
        answered, self._answered_cb = self._answered_cb, None
        if not self._keep_alive:
            self.close()  # first: the callback must not find it reusable
        if answered is not None:
            body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
            answered(Response(self._parser.get_status_code(), self._head, body), None)

    def _fail(self, exc: Exception) -> None:
        answered, self._answered_cb = self._answered_cb, None
        if answered is not None:
            answered(None, exc)

    @property
    def reusable(self) -> bool:
        """Open, idle and not told to close."""
        return not self.closed and self._keep_alive and self._answered_cb is None

    def send_then(self, request: bytes, answered: Answered) -> None:
        """Write one request; ``answered`` gets its whole answer (or what went wrong), from the event loop."""
        assert self.transport is not None
        self._head = b""
        self._body = []
        self._answered = self._headers_done = self._message_done = False
        self._keep_alive = True
        self._answered_cb = answered
        self.transport.write(request)

    def send(self, request: bytes) -> asyncio.Future[Response]:
        """Write one request; the future is its whole answer."""
        waiter: asyncio.Future[Response] = asyncio.get_running_loop().create_future()

        def answered(response: Response | None, exc: BaseException | None) -> None:
            if waiter.done():  # cancelled (a timeout)
                return
            if exc is not None:
                waiter.set_exception(exc)
            else:
                waiter.set_result(response)  # type: ignore[arg-type]

        self.send_then(request, answered)
        return waiter

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
        self._tasks: set[asyncio.Future[Response]] = set()

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
        conn = self._take_idle(key)
        if conn is None:
            return await self._exchange_new(key, request)
        try:
            response = await conn.send(request)
        except ConnectionClosed as exc:
            if exc.answered or method not in IDEMPOTENT:
                raise
            # The server closed it while idle (a keep-alive limit or timeout): once more on a new one.
            return await self._exchange_new(key, request)
        return self._finish(key, conn, response)

    def exchange_then(self, prepared: Prepared, answered: Answered) -> None:
        """Send ``prepared`` and hand its final answer to ``answered``.

        On an idle kept-alive connection this takes no coroutine, no future
        and no task: the answer goes to ``answered`` from the connection's own
        callback, as wrk's state machine does. What needs to wait for more
        (a new connection, the server closed the idle one, a redirect to
        follow, a timeout) goes on in a task of its own, with the same result.
        """
        if prepared.timeout:
            self.in_task(send(self, prepared), answered)
            return
        key = prepared.key
        conn = self._take_idle(key)
        if conn is None:
            self.in_task(_follow(self, prepared), answered)
            return

        def settled(response: Response | None, exc: BaseException | None) -> None:
            if response is not None:
                if conn.reusable:
                    self._idle.setdefault(key, []).append(conn)
                if response.status in REDIRECTS and prepared.follow:
                    self.in_task(_follow_from(self, prepared, response), answered)
                else:
                    answered(response, None)
            elif isinstance(exc, ConnectionClosed) and not exc.answered and prepared.method in IDEMPOTENT:
                self.in_task(_follow(self, prepared, fresh=True), answered)
            else:
                answered(None, exc)

        conn.send_then(prepared.raw, settled)

    def in_task(self, call: Awaitable[Response], answered: Answered) -> None:
        """Await ``call`` in a task of its own, then hand its answer (or exception) to ``answered``."""
        task = asyncio.ensure_future(call)
        self._tasks.add(task)  # the loop keeps only a weak reference to a task

        def done(task: asyncio.Future[Response]) -> None:
            self._tasks.discard(task)
            if task.cancelled():
                answered(None, asyncio.CancelledError())
            elif (exc := task.exception()) is not None:
                answered(None, exc)
            else:
                answered(task.result(), None)

        task.add_done_callback(done)

    def _take_idle(self, key: tuple[Any, ...]) -> _Connection | None:
        idle = self._idle.setdefault(key, [])
        while idle:
            conn = idle.pop()
            if conn.reusable:
                return conn
        return None

    async def _exchange_new(self, key: tuple[Any, ...], request: bytes) -> Response:
        conn = await self._connect(key)
        return self._finish(key, conn, await conn.send(request))

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


async def request(pool: Pool, method: str, url: str, kwargs: dict[str, Any]) -> Response:
    """Send a request (following redirects unless ``allow_redirects`` is false, as requests does)."""
    prepared = prepare(method, url, kwargs)
    if prepared is None:
        raise ValueError(f"the fast path cannot send this request: {method} {url}")
    return await send(pool, prepared)


def send(pool: Pool, prepared: Prepared) -> Awaitable[Response]:
    """Send a prepared request, within its timeout, following redirects as it says."""
    call = _follow(pool, prepared)
    return asyncio.wait_for(call, prepared.timeout) if prepared.timeout else call


async def _follow(pool: Pool, prepared: Prepared, fresh: bool = False) -> Response:
    # ``fresh``: on a new connection (the idle one was closed before it answered).
    if fresh:
        response = await pool._exchange_new(prepared.key, prepared.raw)
    else:
        response = await pool.exchange(prepared.key, prepared.method, prepared.raw)
    if response.status not in REDIRECTS or not prepared.follow:
        return response
    return await _follow_from(pool, prepared, response)


async def _follow_from(pool: Pool, prepared: Prepared, response: Response) -> Response:
    """Follow the redirects that begin with ``response``, as requests does."""
    method, url, kwargs = prepared.method, prepared.url, dict(prepared.kwargs)
    for _ in range(MAX_REDIRECTS):
        location = response.header("location")
        if response.status not in REDIRECTS or not location:
            return response
        target = urljoin(url, location)
        if urlsplit(target).hostname != urlsplit(url).hostname:
            kwargs.pop("auth", None)  # requests drops credentials on a new host
        if response.status == 303 or (response.status in (301, 302) and method == "POST"):
            method = "GET"
            kwargs.pop("data", None)
            kwargs.pop("json", None)
        url = target
        key, raw = build(method, url, kwargs)
        response = await pool.exchange(key, method, raw)
    if response.status in REDIRECTS and response.header("location"):
        raise ConnectionError(f"more than {MAX_REDIRECTS} redirects")
    return response
