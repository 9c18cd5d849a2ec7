"""The service as an attacker meets it: commands, files, cross-site requests, limits, admin calls."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from squall import exceptions
from squall.api import API
from squall.api.base import discover_routes
from tests.conftest import CLI, ServiceFactory
from tests.processes import cmdline, descendants

JSON = {"Content-Type": "application/json"}

# Every route and whether it can run a command on the host or a node. A new
# route must be added here, which makes its author say which it is.
ROUTE_COMMANDS = {
    "cleanup.run": "never", "context.cleanup": "never", "context.get": "never", "context.list": "never",
    "context.setup": "when it reads files", "db.create": "never", "db.recreate": "never", "db.show": "never",
    "db.upgrade": "never", "deployment.get": "never", "deployment.history": "never",
    "deployment.history_json": "never", "deployment.run": "always", "deployment.runs": "never",
    "env.check": "with nodes", "env.create": "never", "env.delete": "never", "env.get": "never",
    "env.list": "never", "env.update": "never", "env.use": "never", "plugin.list": "never", "plugin.show": "never",
    "results.compare": "never", "results.export": "never", "results.import_results": "never",
    "results.iterations": "never", "results.report": "never", "results.trends": "never",
    "results.report_files": "never", "results.trends_files": "never",
    "task.abort": "never", "task.create": "with hooks", "task.delete": "never",
    "task.get": "never", "task.hooks": "never", "task.running": "never", "task.check_executor": "always",
    "task.launch": "with hooks", "task.list": "never", "task.progress": "never",
    "task.sla_check": "never", "task.start": "with hooks", "task.status": "never",
    "task.use": "never", "task.validate": "when it reads files",
    "verification.compare": "never", "verification.delete": "never", "verification.get": "never",
    "verification.import_results": "never", "verification.list": "never", "verification.start": "always",
    "verification.rerun": "always", "verification.report": "never", "verification.flaky": "never",
    "verification.launch": "always", "verification.relaunch": "always", "verification.use": "never",
    "verifier.create": "when it installs", "verifier.update": "when it installs", "verifier.configure": "never",
    "verifier.configuration": "never", "verifier.delete": "never", "verifier.get": "never", "verifier.list": "never",
    "verifier.list_plugins": "never", "verifier.use": "never", "verifier.list_tests": "always",
}

ESCAPES = [
    '{{ cycler.__init__.__globals__.os.popen("touch MARKER").read() }}',
    '{{ joiner.__init__.__globals__.os.system("touch MARKER") }}',
    '{{ namespace.__init__.__globals__.os.system("touch MARKER") }}',
    '{{ lipsum.__globals__["os"].popen("touch MARKER").read() }}',
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''['__class__']['__mro__'] }}",
    "{{ ''|attr('__class__') }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ request.application.__globals__.__builtins__.__import__('os').system('touch MARKER') }}",
    "{{ config.__class__.__init__.__globals__['os'].system('touch MARKER') }}",
    "{{ range.__self__ }}",
]


def _hook_task(marker: Path) -> str:
    return json.dumps({"Dummy.dummy": [{"runner": {"type": "serial", "times": 2}, "hooks": [
        {"name": "sys_call", "args": f"touch {marker}",
         "trigger": {"name": "event", "args": {"unit": "iteration", "at": [1]}}}]}]})


@pytest.mark.parametrize("template", ESCAPES)
def test_template_escapes_run_nothing_over_http(start_service: ServiceFactory, tmp_path: Path,
                                                template: str) -> None:
    marker = tmp_path / "marker"
    url = start_service("--allow-exec")
    config = "Dummy.dummy:\n  - args: {sleep: 0}\n# " + template.replace("MARKER", str(marker)) + "\n"
    response = httpx.post(url + "/api/v1/task/validate", json={"config": config})
    assert response.status_code == 400, response.text
    message = response.json()["error"]["msg"]
    assert "unsafe" in message or "undefined" in message, message
    assert not marker.exists()


def test_template_escapes_run_nothing_on_the_cli(cli: CLI, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    for number, template in enumerate(ESCAPES):
        task = tmp_path / f"t{number}.yaml"
        task.write_text("Dummy.dummy:\n  - args: {sleep: 0}\n# " + template.replace("MARKER", str(marker)) + "\n")
        proc = cli("task", "validate", str(task))
        assert proc.returncode == 1, (template, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert "unsafe" in proc.stderr or "undefined" in proc.stderr, proc.stderr
    assert not marker.exists()


@pytest.mark.parametrize("template, reason", [
    ("{% for i in range(10**9) %}{% endfor %}", "Range too big"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "longer than"),
    ("{{ 'x' * 10**12 }}", "larger than"),
    ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "larger than"),
    ("{{ '{:>10000000000}'.format(1) }}", "format width"),
    ("{{ 'x'|center(10**10) }}", "too large"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "recursion"),
    ("{{ lipsum(10**6, max=10**5) }}", "lorem ipsum text would be larger"),
])
def test_runaway_templates_are_refused_quickly(api: API, template: str, reason: str) -> None:
    with pytest.raises(exceptions.InvalidTaskError, match=reason):
        api.task.validate(config="Dummy.dummy: [{}]\n# " + template)


def test_every_route_is_classified() -> None:
    routes = {f"{r['group']}.{r['name']}": r["transport"] for r in discover_routes(API())}
    assert set(routes) == set(ROUTE_COMMANDS), "classify the new or removed routes in ROUTE_COMMANDS"
    for name, transport in routes.items():
        expected = ROUTE_COMMANDS[name]
        if expected == "never":
            assert transport.runs_commands is False, name
        elif expected == "always":
            assert transport.runs_commands is True, name
        else:
            assert callable(transport.runs_commands), name


def _route_calls(api: API, marker: Path) -> dict[str, tuple[str, str, dict]]:
    """For each route that can run a command, a call that would run one."""
    nodes_env = api.env.create(name="nodes", spec={"nodes": [{"id": 1, "name": "n1",
                                                               "connection": {"type": "local"}}]}, use=False)
    stored = api.task.create(config=_hook_task(marker))
    graph = {"name": "g", "tasks": [{"id": "t", "command": f"touch {marker}"}]}
    api.verifier.create(name="toucher", plugin="junit", settings={"command": ["touch", str(marker)]}, use=False)
    # A Tempest venv that looks installed (so creating its verifier runs nothing) whose python touches the marker.
    toucher = marker.parent / "touch.sh"
    toucher.write_text(f"#!/bin/sh\ntouch {marker}\n")
    toucher.chmod(0o755)
    venv = marker.parent / "fake-venv"
    (venv / "lib" / "python3.11" / "site-packages" / "tempest-47.0.0.dist-info").mkdir(parents=True)
    (venv / "bin").mkdir()
    (venv / "bin" / "tempest").touch()
    (venv / "bin" / "python").symlink_to(toucher)
    api.verifier.create(name="fake-tempest", plugin="tempest", settings={"venv": str(venv)}, use=False)
    return {
        "verifier.create": ("POST", "verifier/create", {"name": "t2", "plugin": "tempest", "settings": {
            "venv": str(marker.parent / "new-venv"), "python": str(toucher)}}),
        "verifier.update": ("POST", "verifier/update", {"verifier": "fake-tempest", "version": "46.0.0"}),
        "verification.start": ("POST", "verification/start", {"verifier": "toucher"}),
        "verification.rerun": ("POST", "verification/rerun", {}),
        "verifier.list_tests": ("GET", "verifier/list_tests", {"verifier": json.dumps("toucher")}),
        "verification.launch": ("POST", "verification/launch", {"verifier": "toucher"}),
        "verification.relaunch": ("POST", "verification/relaunch", {}),
        "deployment.run": ("POST", "deployment/run", {"graph": graph, "env": nodes_env["uuid"]}),
        "env.check": ("GET", "env/check", {"env": json.dumps(nodes_env["uuid"])}),
        "task.create": ("POST", "task/create", {"config": _hook_task(marker)}),
        "task.validate": ("POST", "task/validate", {"config": {"HttpRequests.check_request": [{"args": {
            "url": "https://x", "method": "GET", "status_code": 200, "verify": "/etc/passwd"}}]}}),
        "context.setup": ("POST", "context/setup", {"name": "c", "config": {"images": {
            "image_url": "/etc/passwd", "disk_format": "raw", "container_format": "bare"}}}),
        "task.start": ("POST", "task/start", {"task_id": stored["uuid"]}),
        "task.launch": ("POST", "task/launch", {"task_id": stored["uuid"]}),
        "task.check_executor": ("POST", "task/check_executor", {"executor": "local"}),
    }


@pytest.mark.parametrize("allow", [False, True])
def test_routes_that_run_commands_need_allow_exec(start_service: ServiceFactory, home: Path, tmp_path: Path,
                                                  allow: bool) -> None:
    marker = tmp_path / "marker"
    calls = _route_calls(API(), marker)
    assert set(calls) == {n for n, kind in ROUTE_COMMANDS.items() if kind != "never"}
    url = start_service(*(["--allow-exec"] if allow else []), home=home)
    for name, (method, path, kwargs) in calls.items():
        if method == "GET":
            response = httpx.get(f"{url}/api/v1/{path}", params=kwargs, timeout=60)
        else:
            response = httpx.post(f"{url}/api/v1/{path}", json=kwargs, timeout=60)
        if allow:
            assert response.status_code != 403, (name, response.text)
        else:
            assert response.status_code == 403, (name, response.text)
            assert "--allow-exec" in response.json()["error"]["msg"], name
    if not allow:
        time.sleep(1)
        assert not marker.exists()


def test_cross_site_requests_are_refused(start_service: ServiceFactory) -> None:
    url = start_service("--allow-exec", "--allow-admin")
    port = url.rsplit(":", 1)[1]
    body = json.dumps({"config": "Dummy.dummy: [{}]"})
    post = lambda headers, content=body: httpx.post(url + "/api/v1/task/validate", content=content,  # noqa: E731
                                                    headers=headers)
    assert post({"Content-Type": "text/plain"}).status_code == 415
    assert post({"Content-Type": "application/x-www-form-urlencoded"}, "config=x").status_code == 415
    assert post({}).status_code == 415
    assert post({**JSON, "Host": f"evil.example:{port}"}).status_code == 400
    assert post({**JSON, "Origin": "http://evil.example"}).status_code == 403
    assert post({**JSON, "Origin": "null"}).status_code == 403
    assert post({**JSON, "Origin": f"http://localhost:{port}"}).status_code == 403  # not the Host in use
    assert post({**JSON, "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert httpx.get(url + "/api/v1/env/list", headers={"Sec-Fetch-Site": "same-site"}).status_code == 403
    assert httpx.post(url + "/api/v1/db/recreate", content=b"{}", headers={"Content-Type": "text/plain"}
                      ).status_code == 415
    assert post({**JSON, "Origin": url}).status_code == 200
    assert post({**JSON, "Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"}).status_code == 200


def test_allowed_host_names_are_accepted(start_service: ServiceFactory) -> None:
    url = start_service("--allowed-host", "squall.lab")
    port = url.rsplit(":", 1)[1]
    assert httpx.get(url + "/api/v1/env/list", headers={"Host": f"squall.lab:{port}"}).status_code == 200
    assert httpx.get(url + "/api/v1/env/list", headers={"Host": f"other.lab:{port}"}).status_code == 400


def test_no_server_file_is_read(start_service: ServiceFactory, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("times: 424242\n")
    url = start_service()
    for path, kwargs in [("task/validate", {"config": "Dummy.dummy: [{}]", "task_args_file": str(secret)}),
                         ("results/import", {"path": str(secret)})]:
        response = httpx.post(f"{url}/api/v1/{path}", json=kwargs)
        assert response.status_code == 400, response.text
        assert "424242" not in response.text


def test_read_only_refuses_secrets_and_remote_contact(start_service: ServiceFactory, home: Path) -> None:
    API().env.create(name="e", spec={"openstack": {"auth_url": "http://127.0.0.1:1/v3", "admin": {
        "username": "admin", "password": "hunter2", "project_name": "admin"}}})
    url = start_service("--read-only", home=home)
    assert httpx.get(url + "/api/v1/env/get").status_code == 200
    refused = httpx.get(url + "/api/v1/env/get", params={"include_secrets": "true"})
    assert refused.status_code == 403 and "secrets" in refused.json()["error"]["msg"]
    assert "hunter2" not in refused.text
    assert httpx.get(url + "/api/v1/env/check").status_code == 403


def test_admin_calls_need_allow_admin_and_recreate_a_confirmation(start_service: ServiceFactory) -> None:
    url = start_service()
    for name in ("create", "upgrade", "recreate"):
        response = httpx.post(f"{url}/api/v1/db/{name}", json={})
        assert response.status_code == 403 and "--allow-admin" in response.text, name
    admin = API(endpoint_url=start_service("--allow-admin"))
    with pytest.raises(exceptions.InvalidArgumentsError, match="confirm"):
        admin.db.recreate()
    assert admin.db.recreate(confirm=True)["revision"] == admin.db.show()["head"]


def test_concurrent_schema_changes_leave_a_working_database(start_service: ServiceFactory, home: Path) -> None:
    url = start_service("--allow-admin", home=home)
    errors: list[str] = []

    def hammer(name: str) -> None:
        for _ in range(6):
            body = {"confirm": True} if name == "recreate" else {}
            response = httpx.post(f"{url}/api/v1/db/{name}", json=body, timeout=120)
            if response.status_code != 200:
                errors.append(response.text)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in ("recreate", "upgrade", "recreate", "create")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    api = API()
    assert api.db.show()["revision"] == api.db.show()["head"]
    api.env.create(name="after")
    assert [e["name"] for e in api.env.list()] == ["after"]


def test_large_bodies_are_refused_before_they_are_read(start_service: ServiceFactory) -> None:
    url = start_service("--max-body", "1000000")
    big = b'{"config": "' + b"x" * 5_000_000 + b'"}'
    response = httpx.post(url + "/api/v1/task/validate", content=big, headers=JSON)
    assert response.status_code == 413
    chunks = (b"x" * 100_000 for _ in range(50))  # no Content-Length: refused as it grows
    response = httpx.post(url + "/api/v1/task/validate", content=chunks, headers=JSON)
    assert response.status_code == 413


def _service_rss_kib(port: int) -> int:
    (pid,) = [p for p in descendants(os.getpid()) if f"--port {port}" in cmdline(p)]
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


def test_a_100_mb_body_does_not_grow_the_service(start_service: ServiceFactory) -> None:
    url = start_service()  # the default limit, 16 MiB
    port = int(url.rsplit(":", 1)[1])
    httpx.post(url + "/api/v1/task/validate", json={"config": "{}"})  # warm: every module the route needs
    before = _service_rss_kib(port)
    block = b"x" * 1_000_000
    for declared in (True, False):  # with Content-Length, and streamed without one
        body = b'{"config": "' + block * 100 + b'"}' if declared else (block for _ in range(100))
        try:
            response = httpx.post(url + "/api/v1/task/validate", content=body, headers=JSON, timeout=60)
            assert response.status_code == 413
        except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
            pass  # the service answered 413 and closed while the client was still sending
    # Far less than the 100 MB sent (it held 300 MB once): the body is refused as it comes.
    grown = _service_rss_kib(port) - before
    assert grown < 40_000
    assert httpx.get(url + "/api/v1/env/list").status_code == 200


def test_half_sent_requests_are_dropped(start_service: ServiceFactory) -> None:
    url = start_service("--header-timeout", "2", "--max-connections", "50")
    port = int(url.rsplit(":", 1)[1])
    sockets = []
    for _ in range(80):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /api/v1/env/list HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        sockets.append(sock)
    try:
        deadline = time.time() + 60
        while True:  # after the header deadline every half-sent request is closed by the service
            closed = 0
            for sock in sockets:
                sock.settimeout(0.05)
                try:
                    closed += sock.recv(1) == b""
                except (TimeoutError, ConnectionResetError):
                    closed += 0
            if closed == len(sockets) or time.time() > deadline:
                break
            time.sleep(0.5)
        assert closed == len(sockets)
        assert httpx.get(url + "/api/v1/env/list").status_code == 200
    finally:
        for sock in sockets:
            sock.close()


def test_bombs_and_odd_requests_get_4xx(start_service: ServiceFactory) -> None:
    url = start_service("--token", "tok")
    auth = {"Authorization": "Bearer tok"}
    laughs = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))
    deep_json = b'{"config": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    cases = [
        httpx.post(url + "/api/v1/task/validate", json={"config": laughs}, headers=auth),
        httpx.post(url + "/api/v1/task/validate", json={"config": "[" * 900 + "]" * 900}, headers=auth),
        httpx.post(url + "/api/v1/task/validate", content=deep_json, headers={**auth, **JSON}),
        httpx.post(url + "/api/v1/task/validate", json={"config": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"},
                   headers=auth),
        httpx.get(url + "/api/v1/env/list", headers={"Authorization": "Bearer tök".encode()}),  # type: ignore[dict-item]
        httpx.get(url + f"/api/tasks/{2**64}/deployment_tasks", headers=auth),
        httpx.get(url + "/api/tasks/1/deployment_tasks?nodes=99999999999999999999", headers=auth),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, response.text
        assert "Traceback" not in response.text and "SELECT" not in response.text


def test_a_load_sent_to_a_dask_cluster_needs_allow_exec(start_service: ServiceFactory, home: Path) -> None:
    # A Dask cluster runs the code squall sends it: its environment's tasks, or --executor dask://, are a
    # command run, as hooks are.
    api = API()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: a call that got past the guard would fail on the connection
    api.env.create(name="cluster", spec={"dask": {"scheduler": f"dask://127.0.0.1:{port}"}}, use=False)
    task = json.dumps({"Dummy.dummy": [{"args": {"sleep": 0}, "runner": {"type": "serial", "times": 1}}]})
    plain = api.task.create(config=task)
    on_cluster = api.task.create(config=task, env="cluster")
    url = start_service(home=home)
    explicit = {"task_id": plain["uuid"], "executor": f"dask://127.0.0.1:{port}"}
    for kwargs in ({"task_id": on_cluster["uuid"]}, explicit):
        for route in ("start", "launch"):
            response = httpx.post(f"{url}/api/v1/task/{route}", json=kwargs, timeout=60)
            assert response.status_code == 403, (route, kwargs, response.text)
            message = response.json()["error"]["msg"]
            assert "Dask cluster" in message and "--allow-exec" in message
    # Kept on this machine (--executor local), the same task needs no flag.
    response = httpx.post(f"{url}/api/v1/task/start", json={"task_id": on_cluster["uuid"], "executor": "local"},
                          timeout=60)
    assert response.status_code == 200, response.text
    assert api.task.get(task_id=on_cluster["uuid"])["status"] in ("running", "finished")
    assert api.task.get(task_id=plain["uuid"])["status"] == "validated"
