"""Rally's older `task results` list format, both ways, with Rally 5.1.1 as the oracle."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import CLI
from tests.rally import oracle
from tests.rally.test_stats_like_rally import _table


def test_squall_imports_rallys_task_results(dummy_rally: oracle.Rally, rally_dummy_run: tuple[dict[str, Any], Path],
                                            cli: CLI, tmp_path: Path) -> None:
    report, _ = rally_dummy_run
    uuid = report["tasks"][0]["uuid"]
    old = dummy_rally("task", "results", uuid, check=True).stdout
    path = tmp_path / "old.json"
    path.write_text(old[old.index("["):])
    cli("task", "import", "--file", str(path), check=True)
    detailed = json.loads(cli("task", "detailed", "--json", check=True).stdout)
    ours = [wl for sub in detailed["subtasks"] for wl in sub["workloads"]]
    theirs = [wl for sub in report["tasks"][0]["subtasks"] for wl in sub["workloads"]]
    assert len(ours) == len(theirs)
    for mine, want in zip(ours, theirs, strict=True):
        assert mine["total_iteration_count"] == want["total_iteration_count"]
        assert mine["pass_sla"] == want["pass_sla"]
        # Old atomic actions are flat: the totals and top-level rows are what must agree.
        assert _table(mine["statistics"])[-1] == _table(want["statistics"])[-1], mine["name"]


def test_rally_imports_squalls_task_results(rally: oracle.Rally, cli: CLI, tmp_path: Path) -> None:
    task = tmp_path / "t.yaml"
    task.write_text("Dummy.dummy:\n  - args: {sleep: 0.001}\n    runner: {type: constant, times: 5, concurrency: 2}\n"
                    "Dummy.failure:\n  - args: {sleep: 0, from_iteration: 1, to_iteration: 1}\n"
                    "    runner: {type: serial, times: 3}\n    sla: {}\n")
    cli("task", "start", str(task), check=True)
    listed = json.loads(cli("task", "results", check=True).stdout)
    assert [item["key"]["name"] for item in listed] == ["Dummy.dummy", "Dummy.failure"]
    assert set(listed[0]["result"][0]["atomic_actions"]) == {"foo"}  # Rally's flat {name: duration}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(listed))
    imported = rally("task", "import", "--file", str(path))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    uuid = re.search(r"Task UUID: ([0-9a-f-]{36})", imported.stdout + imported.stderr).group(1)  # type: ignore[union-attr]
    out = tmp_path / "rally.json"
    rally("task", "report", uuid, "--json", "--out", str(out), check=True)
    theirs = [wl for sub in json.loads(out.read_text())["tasks"][0]["subtasks"] for wl in sub["workloads"]]
    assert [wl["total_iteration_count"] for wl in theirs] == [5, 3]
    assert [wl["failed_iteration_count"] for wl in theirs] == [0, 1]
