"""A workload that leaks on a real Keystone: the report shows what was left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import PageWatch
from tests.conftest import CLI

pytestmark = pytest.mark.keystone


def test_report_lists_leaked_resources(cli: CLI, keystone: dict[str, str], page: PageWatch, tmp_path: Path) -> None:
    cli.env.update(keystone)
    cli("db", "create", check=True)
    cli("env", "create", "--name", "keystone", "--from-sysenv", check=True)
    task = tmp_path / "leaky.yaml"
    # admin_cleanup turned off: the two users the scenario makes stay behind.
    task.write_text("KeystoneBasic.create_user:\n  - runner: {type: serial, times: 2}\n"
                    "    context: {admin_cleanup: []}\n    sla: {no_leaks: true}\n")
    cli("task", "start", str(task), check=True, sla_fails=True)  # the leak fails the no_leaks SLA
    uuid = json.loads(cli("task", "list", "--json", check=True).stdout)[-1]["uuid"]
    try:
        out = tmp_path / "report.html"
        cli("task", "report", "--out", str(out), check=True)
        page.page.goto(out.as_uri())
        page.page.wait_for_function("window.squallReport && window.squallReport.ready")
        page.screenshot("leak-report")
        assert page.errors == []
        section = page.page.locator("section.workload").first
        assert section.locator("h3.leaks").inner_text() == "Left behind after clean-up (2)"
        rows = section.locator("h3.leaks + table tbody tr")
        assert rows.count() == 2
        cells = rows.first.locator("td").all_inner_texts()
        assert cells[0] == "keystone.user" and cells[1].startswith(f"sqs_{uuid[:8]}_")
        sla = section.locator("h3:has-text('SLA') + table tbody tr", has_text="no_leaks").inner_text()
        assert "2 resources left behind" in sla and "FAIL" in sla.upper()
    finally:
        cli("cleanup", "--task", uuid, "--yes", check=True)
