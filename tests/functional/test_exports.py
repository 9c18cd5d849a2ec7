"""CSV and HTML exports through the API."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from squall.api import API
from tests.functional.helpers import run_task, v2_task


def test_csv_export_has_one_row_per_iteration(api: API) -> None:
    task = run_task(api, v2_task("Dummy.failure", {"sleep": 0, "from_iteration": 2, "to_iteration": 2},
                                 runner={"serial": {"times": 3}}))
    text = api.results.export(task_ids=[task["uuid"]], type="csv")["content"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["iteration"] for r in rows] == ["1", "2", "3"]
    assert [r["failed"] for r in rows] == ["0", "1", "0"]
    assert rows[1]["error_type"] == "DummyScenarioException" and rows[1]["scenario"] == "Dummy.failure"


def test_html_export_is_self_contained(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", runner={"serial": {"times": 3}}))
    html = api.results.export(task_ids=[task["uuid"]], type="html")["content"]
    assert html.startswith("<!DOCTYPE html>")
    assert "uPlot" in html and "MIT" in html
    for fetch in ("src=\"http", "href=\"http", "<link rel=\"stylesheet\""):
        assert fetch not in html


def _without_ids(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _without_ids(v) for k, v in doc.items()
                if k not in ("uuid", "task_uuid", "subtask_uuid", "created_at", "updated_at", "generated_at",
                             "env_uuid")}
    if isinstance(doc, list):
        return [_without_ids(v) for v in doc]
    return doc


def test_squall_json_reads_back_losslessly(api: API) -> None:
    hooks = [{"action": {"sys_call": "false"}, "trigger": {"event": {"unit": "iteration", "at": [2]}}}]
    task = run_task(api, v2_task("Dummy.dummy_random_fail_in_atomic", {"exception_probability": 0.5},
                                 runner={"constant": {"times": 30, "concurrency": 2}}, hooks=hooks,
                                 sla={"failure_rate": {"max": 100}}))
    first = api.results.export(task_ids=[task["uuid"]], type="squall-json")["content"]
    (again,) = api.results.import_results(content=first)["imported"]
    second = api.results.export(task_ids=[again], type="squall-json")["content"]
    before, after = _without_ids(json.loads(first)), _without_ids(json.loads(second))
    assert after == before
    wl = before["tasks"][0]["subtasks"][0]["workloads"][0]
    # squall's additions are there: iteration numbers, hook run details, the load's start, the 99th percentile.
    assert [it["iteration"] for it in wl["data"]] and wl["load_started_at"] and "99%ile" in json.dumps(wl)
    assert wl["hooks"][0]["results"][0]["error"]["description"] and "leaks" in wl
    # The Rally document of the same task has none of them.
    rally_doc = json.loads(api.results.export(task_ids=[again], type="json")["content"])
    rally_wl = rally_doc["tasks"][0]["subtasks"][0]["workloads"][0]
    assert "leaks" not in rally_wl and "iteration" not in rally_wl["data"][0]
    assert isinstance(rally_wl["hooks"][0]["results"][0]["error"], list)
