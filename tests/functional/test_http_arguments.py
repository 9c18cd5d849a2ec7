"""HttpRequests takes requests' arguments with requests' meaning: TLS verification, client files, streaming."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from squall.api import API
from squall.task.taskfile import normalise as config
from squall.task.taskfile import validate as validation
from tests.conftest import CLI, ServiceFactory, _Handler
from tests.functional.helpers import iterations, run_task, v2_task


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A real HTTPS server on 127.0.0.1 with a self-signed certificate; yields (port, certificate)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.hits = []  # type: ignore[attr-defined]
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], cert
    server.shutdown()
    server.server_close()


def _request(api: API, **args: object) -> list[dict]:
    task = run_task(api, v2_task("HttpRequests.check_request", {"method": "GET", "status_code": 200, **args},
                                 runner={"serial": {"times": 2}}, sla={"failure_rate": {"max": 100}}))
    return iterations(api, task["uuid"])


def test_verify_takes_a_ca_bundle_or_false(api: API, https_server: tuple[int, Path]) -> None:
    port, cert = https_server
    url = f"https://127.0.0.1:{port}/x"
    assert [it["error"] for it in _request(api, url=url, verify=str(cert))] == [[], []]
    assert [it["error"] for it in _request(api, url=url, verify=False)] == [[], []]
    refused = _request(api, url=url)  # the system's CAs do not know this certificate
    assert all(it["error"] and "certificate" in it["error"][1].lower() for it in refused)


def test_stream_and_inline_files(api: API, http_server: ThreadingHTTPServer) -> None:
    port = http_server.server_address[1]
    assert [it["error"] for it in _request(api, url=f"http://127.0.0.1:{port}/s", stream=True)] == [[], []]
    sent = _request(api, url=f"http://127.0.0.1:{port}/f", method="POST", files={"f": ["a.txt", "hello"]},
                    data={"k": "v"})
    assert [it["error"] for it in sent] == [[], []] and ("POST", "/f") in http_server.hits  # type: ignore[attr-defined]
    by_path = _request(api, url=f"http://127.0.0.1:{port}/f", method="POST", files={"f": "/etc/passwd"})
    assert all("a file path is not read" in it["error"][1] for it in by_path)


def test_file_arguments_are_reported_as_host_reads() -> None:
    cfg = config.normalise({"HttpRequests.check_request": [{"args": {
        "url": "https://x", "method": "GET", "status_code": 200, "verify": "/etc/ssl/ca.pem", "cert": ["c", "k"]}}]})
    reads = validation.host_file_reads(cfg)
    assert reads == ["HttpRequests.check_request[0].args reads /etc/ssl/ca.pem on this machine",
                     "HttpRequests.check_request[0].args reads c on this machine",
                     "HttpRequests.check_request[0].args reads k on this machine"]


def _ca_task(path: Path) -> str:
    return json.dumps({"HttpRequests.check_request": [{"args": {
        "url": "https://x", "method": "GET", "status_code": 200, "verify": str(path)}}]})


def test_a_missing_host_file_is_refused_at_validation(cli: CLI, tmp_path: Path) -> None:
    cli("db", "create", check=True)
    present, missing = tmp_path / "ca.pem", tmp_path / "nowhere" / "ca.pem"
    present.write_text("a CA bundle")
    (tmp_path / "good.json").write_text(_ca_task(present))
    (tmp_path / "bad.json").write_text(_ca_task(missing))
    assert cli("task", "validate", str(tmp_path / "good.json")).returncode == 0
    for command in ("validate", "start"):  # said once, before anything runs or is stored
        out = cli("task", command, str(tmp_path / "bad.json"))
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
        assert f"HttpRequests.check_request[0].args: {missing} does not exist on this machine" in out.stderr
    assert json.loads(cli("task", "list", "--json", check=True).stdout) == []


def test_a_service_refuses_host_file_reads_without_allow_exec(start_service: ServiceFactory, tmp_path: Path) -> None:
    import httpx

    present = tmp_path / "ca.pem"
    present.write_text("a CA bundle")
    refused, allowed = start_service(), start_service("--allow-exec")
    for route in ("validate", "create"):
        # Without --allow-exec a caller learns nothing of the service's files, not even whether one exists.
        for path in (present, tmp_path / "missing.pem"):
            answer = httpx.post(f"{refused}/api/v1/task/{route}", json={"config": _ca_task(path)})
            assert answer.status_code == 403 and f"reads {path} on this machine" in answer.text, answer.text
        assert httpx.post(f"{allowed}/api/v1/task/{route}", json={"config": _ca_task(present)}).status_code == 200
        answer = httpx.post(f"{allowed}/api/v1/task/{route}", json={"config": _ca_task(tmp_path / "missing.pem")})
        assert answer.status_code in (400, 422) and "missing.pem does not exist on this machine" in answer.text
