"""Fixtures of the Rally compatibility tests: Rally 5.1.1 beside squall."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.rally import oracle, prefetch


@pytest.fixture(scope="session")
def rally(tmp_path_factory: pytest.TempPathFactory) -> Iterator[oracle.Rally]:
    """One Rally 5.1.1 for the session, with its own database and an empty environment."""
    missing = oracle.installed()
    if missing:
        if IN_CI:
            pytest.fail(missing)
        pytest.skip(missing)
    yield oracle.Rally(tmp_path_factory.mktemp("rally"))


# Plugin files written for Rally's API: Rally's own rally-jobs plugins and one of ours.
PLUGIN_PATHS = f"{oracle.RALLY_SOURCE / 'rally-jobs' / 'plugins'},{Path(__file__).parent / 'rally_plugins'}"

DUMMY_WORKLOADS: list[dict[str, Any]] = [
    {"scenario": {"Dummy.dummy": {"sleep": 0}}, "runner": {"serial": {"times": 3}},
     "sla": {"max_avg_duration_per_atomic": {"foo": 5.0, "bar": 5.0}}},
    # An "sla" without failure_rate: 4 failed iterations in 10 pass, as in Rally.
    {"scenario": {"Dummy.failure": {"sleep": 0, "from_iteration": 2, "to_iteration": 5}},
     "runner": {"serial": {"times": 10}}, "sla": {"max_avg_duration": 10}},
    # No "sla" at all: the implicit failure_rate {max: 0} fails it.
    {"scenario": {"Dummy.failure": {"sleep": 0, "from_iteration": 2, "to_iteration": 2}},
     "runner": {"serial": {"times": 3}}},
    {"scenario": {"Dummy.dummy_output": {}}, "runner": {"serial": {"times": 1}}},
    {"scenario": {"Dummy.dummy_random_action": {}}, "runner": {"serial": {"times": 2}}},
    {"scenario": {"Dummy.dummy_random_fail_in_atomic": {"exception_probability": 1}},
     "runner": {"serial": {"times": 2}}, "sla": {}},
    {"scenario": {"Dummy.dummy_exception": {"sleep": 0, "size_of_message": 3}}, "runner": {"serial": {"times": 1}}},
    {"scenario": {"Dummy.dummy_exception_probability": {"exception_probability": 1}},
     "runner": {"serial": {"times": 1}}},
    {"scenario": {"Dummy.dummy_timed_atomic_actions": {"number_of_actions": 2, "sleep_factor": 0}},
     "runner": {"serial": {"times": 1}}},
    {"scenario": {"Dummy.dummy": {"sleep": 0, "extra": "ignored"}}, "runner": {"serial": {"times": 1}}},
    # Random, so each run differs; what is compared is per run (statistics of the same iterations).
    {"scenario": {"Dummy.dummy_random_fail_in_atomic": {"exception_probability": 0.5}},
     "runner": {"constant": {"times": 40, "concurrency": 2}}, "sla": {}},
    # Every iteration times out (Rally's constant-timeout sample, shorter).
    {"scenario": {"Dummy.dummy": {"sleep": 0.3}}, "runner": {"constant": {"times": 4, "concurrency": 2,
                                                                          "timeout": 0.1}}},
    # Scenarios of plugin files (PLUGIN_PATHS), as rally-jobs/self-rally.yaml runs them, smaller.
    {"scenario": {"FakePlugin.testplugin": {"factor": 0}}, "runner": {"constant": {"times": 2, "concurrency": 2}},
     "sla": {"failure_rate": {"max": 0}}},
    {"scenario": {"RallyProfile.generate_names_in_atomic": {"number_of_names": 10}},
     "runner": {"constant": {"times": 2, "concurrency": 2}},
     "sla": {"max_avg_duration_per_atomic": {"generate_10_names": 5}, "failure_rate": {"max": 0}}},
    {"scenario": {"RallyProfile.calculate_atomic": {"number_of_atomics": 3}}, "runner": {"serial": {"times": 1}}},
    {"scenario": {"Compat.count": {"count": 3}}, "runner": {"serial": {"times": 2}}},
    {"scenario": {"Compat.count": {"count": 2, "mode": "fail"}}, "contexts": {"compat_counter": {"start": 5}},
     "runner": {"serial": {"times": 1}}, "sla": {}},
]


@pytest.fixture(scope="session")
def _dummy_run(rally: oracle.Rally, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path,
                                                                                      oracle.Rally]:
    # Run in the background from the session's start: tests/rally/prefetch.py.
    return prefetch.dummy_result(tmp_path_factory.mktemp("dummy"))


@pytest.fixture(scope="session")
def rally_dummy_run(_dummy_run: tuple[dict[str, Any], Path, oracle.Rally]) -> tuple[dict[str, Any], Path]:
    """Rally 5.1.1's JSON report of a task of every Dummy scenario, and the task file."""
    return _dummy_run[0], _dummy_run[1]


@pytest.fixture(scope="session")
def dummy_rally(_dummy_run: tuple[dict[str, Any], Path, oracle.Rally]) -> oracle.Rally:
    """The Rally whose database holds that run (for ``rally task results`` and the like on it)."""
    return _dummy_run[2]


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
