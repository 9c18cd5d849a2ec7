"""What only the service does: security, malformed requests, OpenAPI, the remote CLI."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from squall import exceptions
from squall.api import API
from tests.conftest import CLI, ServiceFactory


def test_token_is_required_when_set(start_service: ServiceFactory) -> None:
    url = start_service("--token", "s3cret")
    assert httpx.get(url + "/api/v1/task/list").status_code == 401
    with pytest.raises(exceptions.UnauthorizedError):
        API(endpoint_url=url).task.list()
    with pytest.raises(exceptions.UnauthorizedError):
        API(endpoint_url=url, token="wrong").task.list()
    assert API(endpoint_url=url, token="s3cret").task.list() == []


def test_read_only_allows_gets_only(start_service: ServiceFactory) -> None:
    api = API(endpoint_url=start_service("--read-only"))
    assert api.env.list() == []
    with pytest.raises(exceptions.MethodNotAllowedError, match="read-only"):
        api.env.create(name="x")


def test_commands_need_allow_exec(start_service: ServiceFactory) -> None:
    api = API(endpoint_url=start_service())
    text = json.dumps({"Dummy.dummy": [{"hooks": [{"name": "sys_call", "args": "touch /tmp/x",
                                                   "trigger": {"name": "event", "args": {"unit": "iteration",
                                                                                         "at": [1]}}}]}]})
    with pytest.raises(exceptions.ForbiddenError, match="--allow-exec") as info:
        api.task.create(config=text)
    assert "hooks[0].args" in info.value.message
    assert api.task.list() == []


def test_malformed_requests_get_4xx_json(start_service: ServiceFactory) -> None:
    url = start_service()
    cases = [
        ("POST", "/api/v1/task/validate", {"content": b"{not json"}),
        ("POST", "/api/v1/task/validate", {"json": [1, 2]}),
        ("POST", "/api/v1/task/validate", {"json": {"config": 5}}),
        ("POST", "/api/v1/task/validate", {"json": {}}),
        ("POST", "/api/v1/task/validate", {"json": {"config": "{}", "surprise": 1}}),
        ("GET", "/api/v1/task/list", {"params": {"limit": '"many"'}}),
        ("GET", "/api/v1/task/get", {"params": {"task_id": "x"}}),
        ("PUT", "/api/v1/task/list", {}),
        ("GET", "/api/v1/nope/nothing", {}),
    ]
    for method, path, kwargs in cases:
        response = httpx.request(method, url + path, **kwargs)  # type: ignore[arg-type]
        assert 400 <= response.status_code < 500, (method, path, kwargs, response.text)
        assert "error" in response.json()


def test_openapi_document_lists_every_route(start_service: ServiceFactory) -> None:
    spec = httpx.get(start_service() + "/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "post" in spec["paths"]["/api/v1/task/start"]
    assert "get" in spec["paths"]["/api/v1/task/list"]
    assert len(spec["paths"]) >= 30


def test_binding_beyond_loopback_needs_a_token(cli: CLI) -> None:
    proc = cli("service", "start", "--host", "0.0.0.0", "--port", "1", timeout=30)
    assert proc.returncode == 1 and "give --token" in proc.stderr


def test_cli_with_endpoint_url_matches_local_output(cli: CLI, start_service: ServiceFactory, home: Path,
                                                    tmp_path: Path) -> None:
    url = start_service(home=home)
    task = tmp_path / "t.json"
    task.write_text(json.dumps({"Dummy.dummy": [{"runner": {"type": "serial", "times": 5}}]}))
    remote = cli("--endpoint-url", url, "task", "start", str(task), check=True)
    assert "Iterations: 5" in remote.stdout and "SLA passed" in remote.stdout
    local_list = json.loads(cli("task", "list", "--json", check=True).stdout)
    remote_list = json.loads(cli("--endpoint-url", url, "task", "list", "--json", check=True).stdout)
    assert local_list == remote_list
    uuid = local_list[0]["uuid"]
    assert cli("task", "detailed", uuid).stdout == cli("--endpoint-url", url, "task", "detailed", uuid).stdout
    missing = cli("--endpoint-url", url, "task", "detailed", "nope")
    assert missing.returncode == 1 and "task 'nope' not found" in missing.stderr
    down = cli("--endpoint-url", "http://127.0.0.1:9", "task", "list")
    assert down.returncode == 1 and "cannot reach squall service" in down.stderr
