"""Task templates as Rally writes them: defaults, helpers, includes and macros, locally and over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CLI, ServiceFactory


def _write_task_with_includes(tmp_path: Path) -> Path:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "macros.yaml").write_text(
        "{% macro runner(times) %}{constant: {times: {{ times }}, concurrency: {{ min(times, 2) }}}}"
        "{% endmacro %}\n")
    (tmp_path / "parts" / "dummy.yaml").write_text(
        "{% from 'parts/macros.yaml' import runner %}\n"
        "  - title: included\n    scenario: {Dummy.dummy: {sleep: 0}}\n    runner: {{ runner(times) }}\n")
    task = tmp_path / "task.yaml"
    task.write_text("{% set times = times or 3 %}\n---\nversion: 2\ntitle: t{{ ceil(1.2) }}{{ round(2.5) }}\n"
                    "subtasks:\n{% include 'parts/dummy.yaml' %}\n")
    return task


def test_includes_macros_defaults_and_helpers(cli: CLI, tmp_path: Path, start_service: ServiceFactory) -> None:
    task = _write_task_with_includes(tmp_path)
    cli("task", "start", str(task), check=True)
    detailed = json.loads(cli("task", "detailed", "--json", check=True).stdout)
    assert detailed["title"] == "t22"
    wl = detailed["subtasks"][0]["workloads"][0]
    assert wl["runner"] == {"times": 3, "concurrency": 2} and wl["total_iteration_count"] == 3
    cli("task", "start", str(task), "--task-args", "times: 1", check=True)
    assert json.loads(cli("task", "detailed", "--json", check=True).stdout)["subtasks"][0]["workloads"][0][
        "total_iteration_count"] == 1
    # Against a service the CLI sends the included files' text: the service reads no file of its own.
    url = start_service()
    remote = cli("--endpoint-url", url, "task", "validate", str(task), check=True)
    assert "1 workload(s)" in remote.stdout


def test_include_errors_are_precise(cli: CLI, tmp_path: Path) -> None:
    outside = tmp_path / "task.yaml"
    outside.write_text("{% include '../secret.yaml' %}\n")
    proc = cli("task", "validate", str(outside))
    assert proc.returncode == 1 and "must be a path inside the task file's folder" in proc.stderr
    missing = tmp_path / "missing.yaml"
    missing.write_text("Dummy.dummy: [{}]\n{% include 'nowhere.yaml' %}\n")
    proc = cli("task", "validate", str(missing))
    assert proc.returncode == 1 and "template 'nowhere.yaml' not found" in proc.stderr
    bare = tmp_path / "bare.yaml"
    bare.write_text("{% set a = a or 1 %}Dummy.dummy: [{args: {sleep: {{ nap }}}, runner: {times: {{ a }}}}]\n")
    proc = cli("task", "validate", str(bare))
    assert proc.returncode == 1 and "template variable is undefined: 'nap'" in proc.stderr
    assert "Traceback" not in proc.stderr
