"""The HTTP fast path against real servers: uvicorn (h11 and httptools), nginx with a keep-alive limit, HTTPS."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from squall.api import API
from squall.platforms.http import fastpath
from tests.conftest import IN_CI, free_port
from tests.functional.helpers import iterations, run_task, v2_task

APP = '''
import base64, json
from starlette.applications import Starlette
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route


async def echo(request):
    body = await request.body()
    return JSONResponse({"method": request.method, "path": request.url.path, "query": request.url.query,
                         "headers": dict(request.headers), "body": body.decode("latin-1")})


async def chunked(request):
    async def parts():
        for i in range(3):
            yield f"part{i};".encode()
    return StreamingResponse(parts(), media_type="text/plain")


async def redirect(request):
    left = int(request.path_params["left"])
    return RedirectResponse(f"/redirect/{left - 1}" if left > 1 else "/echo", status_code=302)


async def status(request):
    return Response(b"", status_code=int(request.path_params["code"]))


app = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
                        Route("/chunked", chunked), Route("/redirect/{left}", redirect, methods=["GET", "POST"]),
                        Route("/status/{code}", status, methods=["GET", "POST"])])
'''


def _wait_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """uvicorn with h11, with httptools, and over HTTPS (self-signed), serving APP; nginx closing every 3rd request."""
    folder = tmp_path_factory.mktemp("fastpath")
    (folder / "fastpath_app.py").write_text(APP)
    cert, key = _self_signed(folder)
    procs: list[subprocess.Popen[bytes]] = []
    urls: dict[str, Any] = {"cert": str(cert)}
    env = {**os.environ, "PYTHONPATH": str(folder)}
    for name, extra in (("h11", ["--http", "h11"]), ("httptools", ["--http", "httptools"]),
                        ("https", ["--http", "h11", "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)])):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "fastpath_app:app", "--port", str(port),
                                 "--log-level", "warning", *extra], cwd=folder, env=env, start_new_session=True)
        procs.append(proc)
        _wait_port(port, proc)
        urls[name] = f"{'https' if name == 'https' else 'http'}://127.0.0.1:{port}"
    nginx = Path("/usr/sbin/nginx")
    if nginx.exists():
        port = free_port()
        (folder / "nginx.conf").write_text(f"""worker_processes 1; daemon off; pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log; events {{ worker_connections 256; }}
http {{ access_log off; keepalive_requests 3; keepalive_timeout 200ms;
  server {{ listen 127.0.0.1:{port}; location / {{ return 200 "ok"; }} }} }}""")
        proc = subprocess.Popen([str(nginx), "-c", str(folder / "nginx.conf"), "-p", str(folder)],
                                start_new_session=True)
        procs.append(proc)
        _wait_port(port, proc)
        urls["nginx"] = f"http://127.0.0.1:{port}"
    elif IN_CI:
        pytest.fail("nginx is not installed; scripts/install-test-deps.sh installs it")
    try:
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _run(coro: Any) -> Any:
    """Run a coroutine to its end on an event loop of its own, in a thread: the test process may already have
    a loop running in its main thread (Playwright's sync API leaves one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _exchange(pool: fastpath.Pool, method: str, url: str, kwargs: dict[str, Any], how: str) -> fastpath.Response:
    """One request as a scenario's run() sends it (``await``) or as a load's callback step does (``callback``)."""
    if how == "await":
        return await fastpath.request(pool, method, url, kwargs)
    prepared = fastpath.prepare(method, url, kwargs)
    assert prepared is not None
    answer: asyncio.Future[fastpath.Response] = asyncio.get_running_loop().create_future()

    def answered(response: fastpath.Response | None, exc: BaseException | None) -> None:
        assert not answer.done(), "answered twice"
        if exc is not None:
            answer.set_exception(exc)
        else:
            answer.set_result(response)  # type: ignore[arg-type]

    pool.exchange_then(prepared, answered)
    return await answer


def _send(method: str, url: str, how: str = "await", times: int = 2, **kwargs: Any) -> fastpath.Response:
    async def go() -> fastpath.Response:
        pool = fastpath.Pool()
        try:
            # Twice on one pool: the second request goes over the kept-alive connection the first one made.
            for _ in range(times - 1):
                await _exchange(pool, method, url, kwargs, how)
            return await _exchange(pool, method, url, kwargs, how)
        finally:
            pool.close()

    return _run(go())


HOW = pytest.mark.parametrize("how", ["await", "callback"])


@HOW
@pytest.mark.parametrize("server", ["h11", "httptools", "https"])
def test_requests_arguments_arrive_as_sent(servers: dict[str, Any], server: str, how: str) -> None:
    base = servers[server]
    tls: dict[str, Any] = {"verify": servers["cert"]} if server == "https" else {}
    tls["how"] = how
    got = json.loads(_send("POST", f"{base}/echo?a=1", params={"b": ["2", "3"]}, json={"k": "v"},
                           headers={"X-Test": "yes"}, auth=["user", "secret"], cookies={"c": "1"}, **tls).body)
    assert got["method"] == "POST" and got["query"] == "a=1&b=2&b=3" and json.loads(got["body"]) == {"k": "v"}
    assert got["headers"]["x-test"] == "yes" and got["headers"]["content-type"] == "application/json"
    assert got["headers"]["authorization"] == "Basic dXNlcjpzZWNyZXQ=" and got["headers"]["cookie"] == "c=1"
    form = json.loads(_send("PUT", f"{base}/echo", data={"x": "1", "y": "two"}, **tls).body)
    assert form["body"] == "x=1&y=two"
    assert form["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert _send("GET", f"{base}/chunked", **tls).body == b"part0;part1;part2;"
    followed = _send("GET", f"{base}/redirect/3", **tls)
    assert followed.status == 200 and json.loads(followed.body)["path"] == "/echo"
    assert _send("GET", f"{base}/redirect/1", allow_redirects=False, **tls).status == 302
    # 303 and a POST answered by 302 continue as GET, without the body (as requests does).
    assert json.loads(_send("POST", f"{base}/redirect/1", data="x", **tls).body)["method"] == "GET"


@HOW
def test_https_verifies_as_requests_does(servers: dict[str, Any], how: str) -> None:
    with pytest.raises(ssl_error()):
        _send("GET", f"{servers['https']}/echo", how)  # the system's CAs do not know this certificate
    assert _send("GET", f"{servers['https']}/echo", how, verify=False).status == 200


def ssl_error() -> type[BaseException]:
    import ssl

    return ssl.SSLError


@HOW
def test_a_server_closing_kept_alive_connections_costs_nothing(servers: dict[str, Any], how: str) -> None:
    if "nginx" not in servers:
        pytest.skip("nginx is not installed")

    async def many() -> list[int]:
        pool = fastpath.Pool()
        try:
            async def loop(_: int) -> list[int]:  # one after another: each reuses a kept-alive connection
                return [(await _exchange(pool, "GET", servers["nginx"] + "/", {}, how)).status for _ in range(15)]

            return [status for statuses in await asyncio.gather(*(loop(i) for i in range(4))) for status in statuses]
        finally:
            pool.close()

    assert _run(many()) == [200] * 60  # nginx closes every connection after its 3rd request

    async def with_pauses() -> list[int]:
        pool = fastpath.Pool()
        statuses = []
        try:
            for _ in range(3):  # each time, nginx has closed the idle connection (keepalive_timeout 200ms)
                statuses.append((await _exchange(pool, "GET", servers["nginx"] + "/", {}, how)).status)
                await asyncio.sleep(0.4)
            return statuses
        finally:
            pool.close()

    assert _run(with_pauses()) == [200] * 3


def test_check_request_takes_the_fast_path_and_the_full_client_alike(api: API, servers: dict[str, Any]) -> None:
    base = servers["httptools"]
    fast = {"url": f"{base}/echo", "method": "POST", "status_code": 200, "json": {"a": 1}}
    full = {"url": f"{base}/echo", "method": "POST", "status_code": 200, "files": {"f": ["a.txt", "hi"]}}
    wrong = {"url": f"{base}/status/503", "method": "GET", "status_code": 200}
    assert fastpath.handles(fast["url"], "POST", {"json": {}}) and not fastpath.handles(full["url"], "POST",
                                                                                         {"files": {}})
    for args, failed in ((fast, False), (full, False), (wrong, True)):
        task = run_task(api, v2_task("HttpRequests.check_request", args, runner={"constant": {
            "times": 20, "concurrency": 4}}, sla={"failure_rate": {"max": 100}}))
        errors = [it["error"] for it in iterations(api, task["uuid"])]
        assert len(errors) == 20
        if failed:
            assert all(e and "actual `503`" in e[1] for e in errors)
        else:
            assert errors == [[]] * 20


def test_a_load_on_the_callback_path_gets_what_each_request_needs(api: API, servers: dict[str, Any]) -> None:
    from squall.platforms.http.scenarios import CHECK_ACTION, CheckRequest

    base = servers["httptools"]
    cases = [{"url": f"{base}/redirect/2"},  # followed in a task of its own
             {"url": f"{base}/echo", "timeout": 30},  # a request timeout: sent in a task that can be cancelled
             {"url": f"{servers['https']}/echo", "verify": servers["cert"]}]
    if "nginx" in servers:
        cases.append({"url": f"{servers['nginx']}/"})  # a new connection after every third request
    for case in cases:
        args = {"method": "GET", "status_code": 200, **case}
        assert CheckRequest.fast_iteration(args) is not None  # the load takes the callback path
        task = run_task(api, v2_task("HttpRequests.check_request", args, runner={"constant": {
            "times": 30, "concurrency": 3}}, sla={"failure_rate": {"max": 100}}))
        its = iterations(api, task["uuid"])
        assert sorted(it["iteration"] for it in its) == list(range(1, 31)), case
        assert [it["error"] for it in its] == [[]] * 30, case
        assert all([(a["name"], a["failed"]) for a in it["atomic_actions"]] == [(CHECK_ACTION, False)] and
                   it["timestamp"] <= it["atomic_actions"][0]["finished_at"] for it in its), case


def test_random_requests_and_refused_connections_on_the_callback_path(api: API, servers: dict[str, Any]) -> None:
    from squall.platforms.http.scenarios import CHECK_ACTION, CheckRandomRequest, CheckRequest

    base = servers["httptools"]
    random_args = {"status_code": 200, "requests": [{"url": f"{base}/echo", "method": "GET"},
                                                    {"url": f"{base}/status/201", "method": "POST", "status_code": 201},
                                                    {"url": f"{base}/status/503", "method": "GET"}]}
    assert CheckRandomRequest.fast_iteration(random_args) is not None
    task = run_task(api, v2_task("HttpRequests.check_random_request", random_args, runner={"constant": {
        "times": 60, "concurrency": 3}}, sla={"failure_rate": {"max": 100}}))
    errors = [it["error"][:2] for it in iterations(api, task["uuid"])]
    failed = [e for e in errors if e]
    # Each request picked at random: only the 503 fails, and it fails as run() fails it.
    assert len(errors) == 60 and 0 < len(failed) < 60
    assert all(e == ["ValueError", "Expected HTTP request code is `200` actual `503`"] for e in failed)
    files = {"status_code": 200, "requests": [{"url": f"{base}/echo", "method": "POST", "files": {"f": ["a", "b"]}}]}
    assert CheckRandomRequest.fast_iteration(files) is None  # the full client sends it: run() for every iteration

    refused = {"url": f"http://127.0.0.1:{free_port()}/", "method": "GET", "status_code": 200}
    assert CheckRequest.fast_iteration(refused) is not None
    task = run_task(api, v2_task("HttpRequests.check_request", refused, runner={"constant": {
        "times": 500, "concurrency": 4}}, sla={"failure_rate": {"max": 100}}))
    its = iterations(api, task["uuid"])
    assert sorted(it["iteration"] for it in its) == list(range(1, 501))  # each failed one ends, none is lost
    assert all(it["error"][0] == "ConnectionRefusedError" and it["atomic_actions"][0]["name"] == CHECK_ACTION and
               it["atomic_actions"][0]["failed"] for it in its)


def _scripted_server(answers: list[bytes]) -> tuple[str, Any]:
    """A raw TCP server on 127.0.0.1 that reads one request per connection, writes the next answer, closes."""
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        for answer in answers:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(answer)
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{port}/", thread


def _closing_after_one_server() -> tuple[str, Any]:
    """A raw server: its first connection answers one request kept-alive, then reads the next and closes without a
    word (as a server ending an idle connection at that moment does); its second connection answers ``again``."""
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with listener:
            first, _ = listener.accept()
            with first:
                first.recv(65536)
                first.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
                first.recv(65536)  # the second request: read, never answered
            second, _ = listener.accept()
            with second:
                second.recv(65536)
                second.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{port}/", thread


@HOW
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_kept_alive_connection_closed_unanswered_is_retried_only_when_idempotent(how: str, method: str) -> None:
    url, thread = _closing_after_one_server()
    if method == "GET":
        assert _send(method, url, how).body == b"again"  # sent again on a new connection
    else:
        with pytest.raises(fastpath.ConnectionClosed, match="before answering"):
            _send(method, url, how)  # a POST might have been acted on: never sent twice
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/")))) as waiting:
            waiting.sendall(b"GET / HTTP/1.1\r\n\r\n")  # the connection the server still waits for
    thread.join(timeout=10)
    assert not thread.is_alive()


@HOW
def test_answer_heads_are_read_as_sent_and_bounded(servers: dict[str, Any], how: str) -> None:
    echoed = _send("GET", f"{servers['h11']}/echo", how)
    assert echoed.header("Content-Type") == "application/json"
    assert ("content-type", "application/json") in echoed.headers
    url, thread = _scripted_server([
        b"HTTP/1.1 200 OK\r\nX-One: 1\r\nx-two:  two words \r\nConnection: close\r\n\r\nuntil-close",
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (fastpath.MAX_HEAD_BYTES + 10) + b"\r\nContent-Length: 0\r\n\r\n",
    ])
    answer = _send("GET", url, how, times=1)
    assert answer.body == b"until-close"  # no length: the body runs until the server closes
    assert answer.header("x-one") == "1" and answer.header("X-Two") == "two words"
    with pytest.raises(ConnectionError, match="head is longer than"):
        _send("GET", url, how, times=1)
    thread.join(timeout=10)


def test_the_fast_iteration_records_what_the_scenario_records(api: API, servers: dict[str, Any]) -> None:
    base = servers["httptools"]
    shapes = {}
    for status in (200, 503):
        args = {"url": f"{base}/status/{status}", "method": "GET", "status_code": 200}
        for label, runner in (("fast", {"times": 6, "concurrency": 2}),
                              ("scenario", {"times": 6, "concurrency": 2, "timeout": 30})):  # a timeout: run()
            task = run_task(api, v2_task("HttpRequests.check_request", args, runner={"constant": runner},
                                         sla={"failure_rate": {"max": 100}}))
            its = iterations(api, task["uuid"])
            assert len(its) == 6
            shapes[(label, status)] = [
                (sorted(it), [(a["name"], a["failed"], a["children"], a["finished_at"] >= a["started_at"])
                              for a in it["atomic_actions"]], it["error"][:2] if it["error"] else [],
                 it["output"], it["idle_duration"]) for it in its]
    for status in (200, 503):
        assert shapes[("fast", status)] == shapes[("scenario", status)]
    from squall.platforms.http.scenarios import CheckRequest

    # What the async workers ask for first: a step for a request the fast path sends, none for the others.
    assert CheckRequest.fast_iteration({"url": f"{base}/echo", "method": "GET", "status_code": 200}) is not None
    assert CheckRequest.fast_iteration({"url": f"{base}/echo", "method": "POST", "status_code": 200,
                                        "files": {"f": ["a", "b"]}}) is None
    assert shapes[("fast", 503)][0][2] == ["ValueError", "Expected HTTP request code is `200` actual `503`"]
