"""A third-party plugin package (samples/plugins/squall-example): installed with pip, found through its entry
point, its scenario, context and SLA criterion run in a task, its exporter writes the results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import CLI, ROOT

PACKAGE = ROOT / "samples" / "plugins" / "squall-example"

TASK = """---
version: 2
title: third-party plugins
subtasks:
  - title: echo
    workloads:
      - scenario: {Example.retrying_echo: {attempts: 3, fail_first: 1}}
        runner: {constant: {times: 4, concurrency: 2}}
        contexts: {word_list: {words: [alpha, beta]}}
        sla: {max_failed_attempts: 4}
      - scenario: {Example.retrying_echo: {attempts: 3, fail_first: 2}}
        runner: {serial: {times: 2}}
        contexts: {word_list: {words: [gamma]}}
        sla: {max_failed_attempts: 3}
"""


def _installed(tmp_path: Path) -> Path:
    """The package installed by pip into a folder of its own (no build isolation: nothing is downloaded)."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(PACKAGE)], check=True, capture_output=True, cwd=tmp_path)
    return site


def test_an_installed_plugin_package_is_found_by_its_entry_point_and_runs(cli: CLI, tmp_path: Path) -> None:
    task = tmp_path / "task.yaml"
    task.write_text(TASK)
    assert "Example.retrying_echo" in cli("task", "validate", str(task)).stderr  # not installed: unknown
    cli.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_installed(tmp_path)), cli.env.get("PYTHONPATH")]))
    listed = cli("plugin", "list", check=True).stdout
    assert {"Example.retrying_echo", "word_list", "max_failed_attempts", "example-markdown"} <= set(listed.split())
    cli("task", "start", str(task), sla_fails=True, check=True)  # the second workload fails its criterion
    doc = json.loads(cli("task", "export", "--type", "squall-json", check=True).stdout)
    first, second = doc["tasks"][0]["subtasks"][0]["workloads"]
    assert all(not it["error"] for it in first["data"]) and len(first["data"]) == 4
    assert {a["name"] for it in first["data"] for a in it["atomic_actions"]} == {"echo.attempt"}
    assert [[a["failed"] for a in it["atomic_actions"]] for it in first["data"]] == [[True, False]] * 4
    assert [it["output"]["additive"][0]["data"] for it in first["data"]] == [[["attempts", 2]]] * 4
    verdicts = [wl["sla_results"]["sla"][0] for wl in (first, second)]
    assert [(v["criterion"], v["success"]) for v in verdicts] == [("max_failed_attempts", True),
                                                                 ("max_failed_attempts", False)]
    assert verdicts[1]["detail"] == "Failed echo attempts 4 <= 3 - Failed"
    table = cli("task", "export", "--type", "example-markdown", check=True).stdout.splitlines()
    assert table[:4] == ["## third-party plugins", "", "| workload | iterations | failed | mean (ms) |",
                         "|---|---:|---:|---:|"]
    assert [row.split(" | ")[:3] for row in table[4:6]] == [["| 0: Example.retrying_echo", "4", "0"],
                                                            ["| 1: Example.retrying_echo", "2", "0"]]
