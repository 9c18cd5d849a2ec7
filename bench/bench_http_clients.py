"""Which HTTP client stack, by measurement: requests per second and CPU per request, one process, against nginx.

Each candidate sends ``--requests`` GETs with 10 in flight over kept-alive
connections to nginx (``return 200``, one worker) on 127.0.0.1, in one
process: aiohttp on asyncio's loop and on uvloop, pycurl's multi interface,
and a bare ``asyncio.Protocol`` with httptools' parser (llhttp) on uvloop,
the shape of squall's fast path. wrk (``-t1 -c10``) is the limit, when
installed.

    python bench/bench_http_clients.py [--requests 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_http import start_nginx  # noqa: E402
from results import write_section  # noqa: E402

CONCURRENCY = 10


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _aiohttp(url: str, n: int) -> None:
    import aiohttp

    left = [n]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def worker() -> None:
            while left[0] > 0:
                left[0] -= 1
                async with session.get(url) as resp:
                    await resp.read()
                    assert resp.status == 200

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


class _Conn(asyncio.Protocol):
    """One kept-alive connection: write a request, parse the answer with httptools."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        import httptools

        self.loop = loop
        self.parser = httptools.HttpResponseParser(self)
        self.done: asyncio.Future[int] | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_result(self.parser.get_status_code())

    async def get(self, request: bytes) -> int:
        self.done = self.loop.create_future()
        assert self.transport is not None
        self.transport.write(request)
        return await self.done


async def _protocol(url: str, n: int) -> None:
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()  # type: ignore[union-attr]
    request = f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: probe\r\n\r\n".encode()
    loop = asyncio.get_running_loop()
    left = [n]

    async def worker() -> None:
        _, conn = await loop.create_connection(lambda: _Conn(loop), host, int(port))
        while left[0] > 0:
            left[0] -= 1
            assert await conn.get(request) == 200
        assert conn.transport is not None
        conn.transport.close()

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def _pycurl(url: str, n: int) -> None:
    import pycurl

    multi = pycurl.CurlMulti()
    sink = bytearray()
    handles = []
    for _ in range(CONCURRENCY):
        c = pycurl.Curl()
        c.setopt(pycurl.URL, url)
        c.setopt(pycurl.WRITEFUNCTION, sink.extend)
        handles.append(c)
    started = 0
    for c in handles:
        multi.add_handle(c)
        started += 1
    finished = 0
    while finished < n:
        multi.select(1.0)
        while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
            pass
        _, ok, failed = multi.info_read()
        for c in ok + [f[0] for f in failed]:
            finished += 1
            multi.remove_handle(c)
            if started < n:
                started += 1
                multi.add_handle(c)
    for c in handles:
        c.close()


def have_pycurl() -> bool:
    """pycurl is a candidate, not a dependency: installed here for the bench when it can be."""
    try:
        import pycurl  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pycurl"], capture_output=True, check=False)
        try:
            import pycurl  # noqa: F401
        except ImportError:
            return False
    return True


def measure(name: str, run: Callable[[], None], n: int) -> tuple[str, float, float]:
    cpu, wall = _cpu(), time.perf_counter()
    run()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    return name, n / wall, cpu / n * 1e6


def wrk_rate(url: str) -> float | None:
    exe = shutil.which("wrk")
    if exe is None:
        return None
    out = subprocess.run([exe, "-t1", "-c10", "-d5s", url], capture_output=True, text=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(found.group(1)) if found else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50_000)
    opts = parser.parse_args()
    import uvloop

    n = opts.requests
    with tempfile.TemporaryDirectory() as tmp:
        nginx, port = start_nginx(Path(tmp))
        url = f"http://127.0.0.1:{port}/"
        try:
            rows = [
                measure("aiohttp, asyncio loop", lambda: asyncio.run(_aiohttp(url, n)), n),
                measure("aiohttp, uvloop", lambda: uvloop.run(_aiohttp(url, n)), n),
                *([measure("pycurl CurlMulti", lambda: _pycurl(url, n), n)] if have_pycurl() else []),
                measure("asyncio.Protocol + httptools, uvloop", lambda: uvloop.run(_protocol(url, n)), n),
            ]
            wrk = wrk_rate(url)
        finally:
            nginx.terminate()
            nginx.wait()
    body = [f"{n:,} GETs, {CONCURRENCY} in flight, one process, against nginx (`return 200`, one worker) on "
            "127.0.0.1; CPU: user + system CPU time of the client process per request.", "",
            "| client | requests/s | CPU µs / request |", "|---|---:|---:|"]
    body += [f"| {name} | {rate:,.0f} | {cpu:,.1f} |" for name, rate, cpu in rows]
    body.append(f"| wrk -t1 -c10 (the limit) | {wrk:,.0f} | - |" if wrk else "| wrk | not installed | - |")
    print(write_section("bench/bench_http_clients.py", "\n".join(body)))


if __name__ == "__main__":
    main()
