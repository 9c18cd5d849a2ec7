"""The service under hostile clients: starts, running tasks, slow bodies, headers, open routes, load targets."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from squall import exceptions
from squall.api import API
from tests.api.conftest import wait_final
from tests.conftest import ServiceFactory, free_port


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _raw(port: int, head: str, body: bytes = b"", wait: float = 15) -> bytes:
    """Send a raw request head (and body) and read the answer until the service closes or ``wait`` passes."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode("latin-1") + body)
        sock.settimeout(wait)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except TimeoutError:
            pass
    return data


def _dummy_task(times: int = 20, sleep: float = 0.0) -> str:
    return json.dumps({"Dummy.dummy": [{"args": {"sleep": sleep}, "runner": {"type": "constant", "times": times,
                                                                            "concurrency": 1}}]})


def test_concurrent_starts_of_one_task_start_it_once(start_service: ServiceFactory) -> None:
    url = start_service()
    api = API(endpoint_url=url)
    task = api.task.create(config=_dummy_task(times=30, sleep=0.01))
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def start() -> None:
        barrier.wait()
        codes.append(httpx.post(url + "/api/v1/task/start", json={"task_id": task["uuid"]}, timeout=60).status_code)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200] + [409] * 7, codes
    assert wait_final(api, task["uuid"])["status"] == "finished"
    workloads = [wl for sub in api.task.get(task_id=task["uuid"])["subtasks"] for wl in sub["workloads"]]
    assert [wl["total_iteration_count"] for wl in workloads] == [30]  # one run, not several on one row


def test_a_service_runs_at_most_max_running_tasks(start_service: ServiceFactory) -> None:
    url = start_service("--max-running", "1")
    api = API(endpoint_url=url)
    first = api.task.create(config=_dummy_task(times=1000, sleep=0.05))
    api.task.start(task_id=first["uuid"])
    second = api.task.create(config=_dummy_task(times=1))
    response = httpx.post(url + "/api/v1/task/start", json={"task_id": second["uuid"]})
    assert response.status_code == 429, response.text
    assert first["uuid"] in response.json()["error"]["msg"] and "--max-running" in response.json()["error"]["msg"]
    assert api.task.status(task_id=second["uuid"])["status"] == "validated"  # refused, not half started
    api.task.abort(task_id=first["uuid"])
    assert wait_final(api, first["uuid"])["status"] == "aborted"
    api.task.start(task_id=second["uuid"])
    assert wait_final(api, second["uuid"])["status"] == "finished"


def test_workloads_per_task_file_are_capped(home: Path) -> None:
    many = json.dumps({"Dummy.dummy": [{"args": {"sleep": 0}}] * 1001})
    with pytest.raises(exceptions.InvalidTaskError, match="1,001 workloads; the limit is 1,000"):
        API().task.validate(config=many)
    assert API(max_workloads=2000).task.validate(config=many)["workloads"] == 1001


def test_without_the_token_no_body_is_waited_for(start_service: ServiceFactory) -> None:
    url = start_service("--token", "tok")
    port = _port(url)
    head = (f"POST /api/v1/task/validate HTTP/1.1\nHost: 127.0.0.1:{port}\nContent-Type: application/json\n"
            "Content-Length: 1000\n\n")
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
    try:
        for sock in sockets:
            sock.sendall(head.replace("\n", "\r\n").encode())
        for sock in sockets:  # answered from the head alone: the 1000 bytes were never sent
            sock.settimeout(30)
            assert sock.recv(4096).startswith(b"HTTP/1.1 401"), "a body was waited for before the token"
        assert httpx.get(url + "/health").status_code == 200
    finally:
        for sock in sockets:
            sock.close()


def test_a_dripped_body_is_dropped(start_service: ServiceFactory) -> None:
    url = start_service()
    port = _port(url)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall((f"POST /api/v1/task/validate HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n").encode())
        sock.settimeout(1)
        answer = b""
        for _ in range(60):  # a byte a second, as a slow-body attack sends it
            try:
                answer = sock.recv(4096)
                break
            except TimeoutError:
                sock.sendall(b" ")
            assert httpx.get(url + "/health").status_code == 200
        assert answer.startswith(b"HTTP/1.1 408"), answer  # dropped long before the 1000 bytes came


def test_connections_per_client_address_are_capped(start_service: ServiceFactory) -> None:
    url = start_service("--max-client-connections", "10")
    port = _port(url)
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
    try:
        time.sleep(0.5)  # the service has taken them
        with socket.create_connection(("127.0.0.1", port)) as extra:
            extra.settimeout(10)
            assert extra.recv(1) == b""  # closed at once
    finally:
        for sock in held:
            sock.close()
    deadline = time.time() + 10
    while httpx.get(url + "/health").status_code != 200:
        assert time.time() < deadline
        time.sleep(0.1)


def test_with_a_token_only_health_and_the_portal_shell_are_open(start_service: ServiceFactory) -> None:
    url = start_service("--token", "tok")
    for path in ("/health", "/", "/portal/portal.js", "/portal/portal.css"):
        assert httpx.get(url + path).status_code == 200, path
    for path in ("/api/v1/openapi.json", "/api/v1/task/list", "/metrics", "/api/tasks/1/deployment_tasks",
                 "/no/such/path"):
        assert httpx.get(url + path).status_code == 401, path
    assert httpx.get(url + "/api/v1/openapi.json", headers={"Authorization": "Bearer tok"}).status_code == 200


@pytest.mark.parametrize("name, bad", [("Host", "evil.example"), ("Origin", "http://evil.example"),
                                       ("Sec-Fetch-Site", "cross-site"), ("Content-Type", "text/plain")])
def test_a_guarded_header_sent_twice_is_refused(start_service: ServiceFactory, name: str, bad: str) -> None:
    port = _port(start_service())
    headers = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json", "Content-Length": "2"}
    good = {"Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"}.get(name, headers.get(name))
    lines = [f"{key}: {value}" for key, value in headers.items() if key != name]
    lines += [f"{name}: {bad}", f"{name}: {good}"]  # the good value last, where a lenient reader looks
    answer = _raw(port, "POST /api/v1/task/validate HTTP/1.1\n" + "\n".join(lines) + "\n\n", b"{}")
    assert answer.startswith(b"HTTP/1.1 400"), answer
    assert b"more than once" in answer or name == "Host"  # h11 itself refuses a second Host


def test_transfer_encoding_with_content_length_is_refused(start_service: ServiceFactory) -> None:
    port = _port(start_service())
    answer = _raw(port, f"POST /api/v1/task/validate HTTP/1.1\nHost: 127.0.0.1:{port}\n"
                        "Content-Type: application/json\nContent-Length: 4\nTransfer-Encoding: chunked\n\n",
                  b"2\r\n{}\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400"), answer


def test_methods_and_paths_are_checked_before_the_body(start_service: ServiceFactory) -> None:
    url = start_service()
    port = _port(url)
    for method in ("PUT", "POST", "DELETE"):
        answer = _raw(port, f"{method} /api/tasks/1/deployment_tasks HTTP/1.1\nHost: 127.0.0.1:{port}\n"
                            "Content-Length: 1000\n\n")
        assert answer.startswith(b"HTTP/1.1 405"), answer
    assert _raw(port, f"GET /api/v1/task/create HTTP/1.1\nHost: 127.0.0.1:{port}\n\n").startswith(b"HTTP/1.1 405")
    assert _raw(port, f"POST /nothing HTTP/1.1\nHost: 127.0.0.1:{port}\nContent-Type: application/json\n"
                      "Content-Length: 1000\n\n").startswith(b"HTTP/1.1 404")


def _http_task(url: str) -> str:
    return json.dumps({"HttpRequests.check_request": [{"args": {"url": url, "method": "GET", "status_code": 200},
                                                       "runner": {"type": "constant", "times": 1}}]})


def test_loopback_targets_need_allow_exec_or_a_listed_target(start_service: ServiceFactory) -> None:
    target = f"http://127.0.0.1:{free_port()}/"
    plain = start_service()
    response = httpx.post(plain + "/api/v1/task/create", json={"config": _http_task(target)})
    assert response.status_code == 403, response.text
    assert "is on this machine" in response.json()["error"]["msg"]
    assert "--allowed-target 127.0.0.1:" in response.json()["error"]["msg"]
    for name in ("localhost", "0.0.0.0", "[::1]"):
        refused = httpx.post(plain + "/api/v1/task/create", json={"config": _http_task(f"http://{name}:9/")})
        assert refused.status_code == 403, (name, refused.text)
    listed = start_service("--allowed-target", "127.0.0.1:*")
    assert httpx.post(listed + "/api/v1/task/create", json={"config": _http_task(target)}).status_code == 200
    trusted = start_service("--allow-exec")
    assert httpx.post(trusted + "/api/v1/task/create", json={"config": _http_task(target)}).status_code == 200


def test_a_service_reachable_from_afar_loads_only_listed_targets(start_service: ServiceFactory) -> None:
    auth = {"Authorization": "Bearer tok"}
    far = "http://192.0.2.10:8080/"  # TEST-NET-1: never contacted, the check only reads the address
    url = start_service("--host", "0.0.0.0", "--token", "tok")
    refused = httpx.post(url + "/api/v1/task/create", json={"config": _http_task(far)}, headers=auth)
    assert refused.status_code == 403 and "not a listed target" in refused.json()["error"]["msg"], refused.text
    url = start_service("--host", "0.0.0.0", "--token", "tok", "--allowed-target", "192.0.2.*:8080")
    assert httpx.post(url + "/api/v1/task/create", json={"config": _http_task(far)}, headers=auth).status_code == 200
