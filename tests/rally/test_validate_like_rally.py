"""`task validate` accepts what Rally 5.1.1 accepts and refuses what it refuses, on the same files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CLI
from tests.rally import oracle
from tests.rally.conftest import PLUGIN_PATHS

CASES = {
    "concurrency above times": "Dummy.dummy:\n  - runner: {type: constant, times: 2, concurrency: 5}\n",
    "concurrency equal to times": "Dummy.dummy:\n  - runner: {type: constant, times: 5, concurrency: 5}\n",
    "size_of_message 0": "Dummy.dummy_exception:\n  - args: {size_of_message: 0}\n",
    "size_of_message null": "Dummy.dummy_exception:\n  - args: {size_of_message: null}\n",
    "exception_probability 2": "Dummy.dummy_exception_probability:\n  - args: {exception_probability: 2}\n",
    "subtask without a title": "version: 2\nsubtasks:\n  - scenario: {Dummy.dummy: {}}\n",
    "times 0": "Dummy.dummy:\n  - runner: {type: constant, times: 0}\n",
    "sleep as text": "Dummy.dummy:\n  - args: {sleep: abc}\n",
    "extra argument of Dummy.dummy": "Dummy.dummy:\n  - args: {sleep: 0, anything: 1}\n",
    "extra argument of Dummy.failure": "Dummy.failure:\n  - args: {anything: 1}\n",
    "an empty sla": "Dummy.dummy:\n  - sla: {}\n",
    # A scenario of a plugin file written for Rally (rally_plugins/), with Rally's validators.
    "plugin file: valid": "Compat.count:\n  - args: {count: 2, mode: sum}\n",
    "plugin file: number below minval": "Compat.count:\n  - args: {count: 0}\n",
    "plugin file: float for integer_only": "Compat.count:\n  - args: {count: 1.5}\n",
    "plugin file: number as text": "Compat.count:\n  - args: {count: '3'}\n",
    "plugin file: number missing": "Compat.count:\n  - args: {mode: sum}\n",
    "plugin file: enum refused": "Compat.count:\n  - args: {count: 1, mode: other}\n",
    "plugin file: unknown argument": "Compat.count:\n  - args: {count: 1, other: 1}\n",
    "plugin file: context schema": "Compat.count:\n  - args: {count: 1}\n    context: {compat_counter: {x: 1}}\n",
}


@pytest.fixture(scope="module")
def rallys_verdicts(rally: oracle.Rally) -> dict[str, str]:
    """Rally 5.1.1's verdict on every case, from its own API in one process (its CLI takes 2-3 s a call)."""
    return dict(rally.python("validate.py", stdin=json.dumps(
        {"config_file": str(rally.work / "rally.conf"), "env": "oracle", "cases": CASES,
         "plugin_paths": PLUGIN_PATHS.split(",")})))


def test_the_oracle_is_rallys_cli(rally: oracle.Rally, rallys_verdicts: dict[str, str], tmp_path: Path) -> None:
    # The in-process verdicts are those of `rally task validate`, on one valid and one invalid case.
    for case in ("concurrency above times", "concurrency equal to times"):
        path = tmp_path / "task.yaml"
        path.write_text(CASES[case])
        assert (rally("task", "validate", str(path)).returncode == 0) == (rallys_verdicts[case] == "valid")


@pytest.mark.parametrize("case", list(CASES))
def test_same_verdict_as_rally(rallys_verdicts: dict[str, str], cli: CLI, tmp_path: Path, case: str) -> None:
    path = tmp_path / "task.yaml"
    path.write_text(CASES[case])
    ours = cli("--plugin-paths", PLUGIN_PATHS, "task", "validate", str(path))
    theirs = rallys_verdicts[case]
    assert (theirs == "valid") == (ours.returncode == 0), f"Rally: {theirs}\nsquall: {ours.stdout}{ours.stderr}"
    assert ours.returncode in (0, 1) and "Traceback" not in ours.stderr
