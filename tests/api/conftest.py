"""A real ``squall service`` on 127.0.0.1, and the API over it or direct."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from squall.api import API
from tests.conftest import ServiceFactory


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
