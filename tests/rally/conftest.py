"""Fixtures of the Rally compatibility tests: Rally 5.1.1 beside squall."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.rally import oracle


@pytest.fixture(scope="session")
def rally(tmp_path_factory: pytest.TempPathFactory) -> Iterator[oracle.Rally]:
    """One Rally 5.1.1 for the session, with its own database and an empty environment."""
    missing = oracle.installed()
    if missing:
        if IN_CI:
            pytest.fail(missing)
        pytest.skip(missing)
    yield oracle.Rally(tmp_path_factory.mktemp("rally"))


@pytest.fixture(scope="session")
def samples(rally: oracle.Rally) -> list[Path]:
    """Every task file of Rally's and rally-openstack's samples and jobs."""
    found: list[Path] = []
    for root in (oracle.RALLY_SOURCE, oracle.RALLY_OPENSTACK_SOURCE):
        for folder in ("samples/tasks", "rally-jobs", "tasks"):
            base = root / folder
            if base.is_dir():
                found.extend(p for p in sorted(base.rglob("*")) if p.suffix in (".yaml", ".json", ".yml"))
    return found
