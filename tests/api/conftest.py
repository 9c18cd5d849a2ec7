"""A real ``squall service`` on 127.0.0.1, and the API over it or direct."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from squall.api import API
from tests.conftest import SQUALL, free_port

ServiceFactory = Callable[..., str]


@pytest.fixture
def start_service(tmp_path: Path) -> Iterator[ServiceFactory]:
    """Start services (with extra CLI options); each gets its own database."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*options: str, home: Path | None = None) -> str:
        port = free_port()
        env = dict(os.environ, SQUALL_HOME=str(home or tmp_path / f"service-{port}"))
        env.pop("SQUALL_DB_URL", None)
        env.pop("SQUALL_SERVICE_TOKEN", None)
        proc = subprocess.Popen([*SQUALL, "service", "start", "--port", str(port), *options], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise AssertionError(f"service did not start:\n{out}")
            time.sleep(0.1)

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(params=["direct", "http"])
def any_api(request: pytest.FixtureRequest, home: Path, start_service: ServiceFactory) -> API:
    """The same API, called directly or over HTTP (the shared suite runs twice)."""
    if request.param == "direct":
        return API()
    return API(endpoint_url=start_service("--allow-exec", home=home))


def wait_final(api: API, task_id: str, timeout: float = 120) -> dict:
    deadline = time.time() + timeout
    while True:
        status = api.task.status(task_id=task_id)
        if status["status"] in ("finished", "aborted", "crashed"):
            return status
        if time.time() > deadline:
            raise AssertionError(f"task still {status['status']}")
        time.sleep(0.1)
