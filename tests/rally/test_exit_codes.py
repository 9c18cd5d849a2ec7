"""Exit codes of task start, sla-check and validate, measured on Rally 5.1.1 and compared with squall's."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import CLI, SQUALL
from tests.rally import oracle

PASSES = "Dummy.dummy:\n  - runner: {type: constant, times: 3, concurrency: 1}\n"
FAILS_SLA = ("Dummy.dummy:\n  - args: {sleep: 0.05}\n    runner: {type: constant, times: 2, concurrency: 1}\n"
             "    sla: {max_seconds_per_iteration: 0.01}\n")
INVALID = "Dummy.dummy:\n  - runner: {type: constant, times: -3}\n"
BROKEN = "a: [\n"
LONG = "Dummy.dummy:\n  - args: {sleep: 0.1}\n    runner: {type: constant, times: 600, concurrency: 1}\n"


def _squall_code(cli: CLI, *args: str) -> int:
    return cli(*args, timeout=300).returncode


def _side_by_side(rally: oracle.Rally, cli: CLI, *args: str) -> tuple[int, int]:
    """(Rally's, squall's) exit code of the same command, run at the same time (each has its own database)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        theirs = pool.submit(rally, *args)
        ours = _squall_code(cli, *args)
        return theirs.result().returncode, ours


def _codes(rally: oracle.Rally, cli: CLI, path: Path, extra: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """(Rally's, squall's) code of start, then sla-check and validate of the same file."""
    return {
        "start": _side_by_side(rally, cli, "task", "start", str(path), *extra),
        "sla-check": _side_by_side(rally, cli, "task", "sla-check"),
        "validate": _side_by_side(rally, cli, "task", "validate", str(path)),
    }


@pytest.mark.parametrize("outcome", ["passed", "sla failed"])
def test_codes_of_finished_tasks_are_rallys(rally: oracle.Rally, cli: CLI, tmp_path: Path, outcome: str) -> None:
    path = tmp_path / "task.yaml"
    path.write_text(PASSES if outcome == "passed" else FAILS_SLA)
    codes = _codes(rally, cli, path)
    want = {"passed": {"start": 0, "sla-check": 0, "validate": 0},
            "sla failed": {"start": 2, "sla-check": 1, "validate": 0}}[outcome]
    assert {k: rally_code for k, (rally_code, _) in codes.items()} == want  # what Rally 5.1.1 does
    assert {k: squall_code for k, (_, squall_code) in codes.items()} == want


@pytest.mark.parametrize("outcome", ["invalid task", "broken yaml", "missing file", "unknown environment"])
def test_errors_exit_1_where_rally_exits_with_its_error_code(rally: oracle.Rally, cli: CLI, tmp_path: Path,
                                                             outcome: str) -> None:
    # Rally 5.1.1 exits with its exception's code (114, 117, 203...): squall exits 1 for every error
    # (docs/rally-compat.md says why). Both refuse, and neither exits 0 or 2.
    path = tmp_path / "task.yaml"
    path.write_text({"invalid task": INVALID, "broken yaml": BROKEN}.get(outcome, PASSES))
    if outcome == "missing file":
        path = tmp_path / "nowhere.yaml"
    if outcome == "unknown environment":
        theirs, ours = _side_by_side(rally, cli, "task", "start", str(path), "--deployment", "nosuch")
        assert theirs not in (0, 1, 2) and ours == 1
        return
    for command in ("start", "validate"):
        theirs, ours = _side_by_side(rally, cli, "task", command, str(path))
        assert theirs not in (0, 1, 2), (command, theirs)
        assert ours == 1, (command, ours)


def _abort_while_running(start: subprocess.Popen[str], abort: list[str], env: dict[str, str], cwd: Path,
                         has_started: Callable[[], bool]) -> int:
    deadline = time.monotonic() + 120
    while not has_started():
        assert time.monotonic() < deadline and start.poll() is None
        time.sleep(0.3)
    subprocess.run(abort, env=env, cwd=cwd, capture_output=True, timeout=120, check=True)
    return start.wait(timeout=180)


def test_task_abort_gives_rallys_code(rally: oracle.Rally, cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(LONG)
    theirs = subprocess.Popen([*rally.base, "task", "start", str(path)], stdout=subprocess.PIPE, text=True,
                              env=rally.env, cwd=rally.work)
    try:
        code_theirs = _abort_while_running(
            theirs, [*rally.base, "task", "abort"], rally.env, rally.work,
            lambda: "running" in rally("task", "status").stdout)
    finally:
        if theirs.poll() is None:
            theirs.kill()
            theirs.wait()
    ours = cli.popen("task", "start", str(path))
    try:
        code_ours = _abort_while_running(
            ours, [*SQUALL, "task", "abort"], cli.env, cli.cwd,
            lambda: '"running"' in cli("task", "list", "--status", "running", "--json").stdout)
    finally:
        if ours.poll() is None:
            ours.kill()
            ours.wait()
    assert code_theirs == 2  # Rally 5.1.1: an aborted task did not pass its SLA
    assert code_ours == code_theirs
    assert rally("task", "sla-check").returncode == 1 and cli("task", "sla-check").returncode == 1
