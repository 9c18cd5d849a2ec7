"""`task validate` accepts what Rally 5.1.1 accepts and refuses what it refuses, on the same files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CLI
from tests.rally import oracle

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
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_verdict_as_rally(rally: oracle.Rally, cli: CLI, tmp_path: Path, case: str) -> None:
    path = tmp_path / "task.yaml"
    path.write_text(CASES[case])
    theirs = rally("task", "validate", str(path))
    ours = cli("task", "validate", str(path))
    assert (theirs.returncode == 0) == (ours.returncode == 0), (
        f"Rally {theirs.returncode}: {theirs.stdout[-600:]}\nsquall {ours.returncode}: {ours.stdout}{ours.stderr}")
    assert ours.returncode in (0, 1) and "Traceback" not in ours.stderr
