"""CSV and HTML exports through the API."""

from __future__ import annotations

import csv
import io

from squall.api import API
from tests.functional.helpers import run_task, v2_task


def test_csv_export_has_one_row_per_iteration(api: API) -> None:
    task = run_task(api, v2_task("Dummy.failure", {"sleep": 0, "from_iteration": 2, "to_iteration": 2},
                                 runner={"serial": {"times": 3}}))
    text = api.task.export(task_ids=[task["uuid"]], type="csv")["content"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["iteration"] for r in rows] == ["1", "2", "3"]
    assert [r["failed"] for r in rows] == ["0", "1", "0"]
    assert rows[1]["error_type"] == "DummyScenarioException" and rows[1]["scenario"] == "Dummy.failure"


def test_html_export_is_self_contained(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", runner={"serial": {"times": 3}}))
    html = api.task.export(task_ids=[task["uuid"]], type="html")["content"]
    assert html.startswith("<!DOCTYPE html>")
    assert "uPlot" in html and "MIT" in html
    for fetch in ("src=\"http", "href=\"http", "<link rel=\"stylesheet\""):
        assert fetch not in html
