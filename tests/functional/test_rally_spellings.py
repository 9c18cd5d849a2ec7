"""What a Rally 5.1.1 user types works in squall: options, aliases, and tables that are never cut."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CLI

TASK = "Dummy.dummy:\n  - runner: {type: constant, times: 10000, concurrency: 4}\n"


def test_rally_task_options(cli: CLI, tmp_path: Path) -> None:
    cli.env.pop("COLUMNS", None)  # as in a pipe or a CI log: no terminal, no width given
    task = tmp_path / "task.yaml"
    task.write_text(TASK)
    refused = cli("task", "validate", "--task", str(task), "--deployment", "nowhere")
    assert refused.returncode == 1 and "nowhere" in refused.stderr and "Traceback" not in refused.stderr
    assert "is valid" in cli("task", "validate", "--task", str(task), check=True).stdout
    cli("deployment", "create", "--name", "lab", check=True)
    cli("task", "start", "--task", str(task), "--deployment", "lab", "--tag", "r", check=True)
    uuid = json.loads(cli("task", "list", "--json", check=True).stdout)[-1]["uuid"]
    for flag, marker in (("--json", '"tasks"'), ("--junit-xml", "<testsuite"), ("--html", "<!DOCTYPE html>"),
                         ("--html-static", "<!DOCTYPE html>")):
        out = tmp_path / f"report{flag}"
        cli("task", "report", uuid, flag, "--out", str(out), check=True)
        assert marker in out.read_text()[:100_000], flag
    imported = cli("task", "import", "--file", str(tmp_path / "report--json"), check=True)
    assert "Imported task" in imported.stdout
    assert cli("version", check=True).stdout.startswith("squall ")
    assert "lab" in cli("deployment", "list", check=True).stdout
    assert "lab" in cli("deployment", "show", "lab", check=True).stdout
    # Piped output shows whole UUIDs and counts, never "89ed013…" or "100…".
    listed = cli("task", "list", check=True).stdout
    assert uuid in listed and "…" not in listed
    detailed = cli("task", "detailed", uuid, check=True).stdout
    assert "10000 │" in detailed and "…" not in detailed  # the Count cell of the table
    cli("deployment", "destroy", "lab", check=True)
    assert "lab" not in cli("deployment", "list", check=True).stdout
