"""An HTTP load's rows: the workers send successes as columns, squall stores Rally's rows for every request."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from squall.api import API
from squall.platforms.http.scenarios import CHECK_ACTION
from squall.storage import repo
from squall.storage.columns import columns_of
from squall.storage.db import Database
from squall.task.results.stats import WorkloadStats
from tests.functional.helpers import counting_server, iterations, only_workload, run_task, v2_task


def _table_rows(table: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [(row["display_name"], row["data"]) for row in table["durations"]["atomics"]]
    total = table["durations"]["total"]
    return rows + [(total["display_name"], total["data"])] + [
        (child["display_name"], child["data"]) for child in total["children"]]


def test_every_request_the_server_answered_is_a_row_and_the_table_is_the_rows_table(api: API) -> None:
    with counting_server() as (base, seen):
        args = {"status_code": 200, "requests": [{"url": f"{base}/ok", "method": "GET"},
                                                 {"url": f"{base}/ok", "method": "GET"},
                                                 {"url": f"{base}/fail", "method": "GET"}]}
        # failure_rate and max_avg_duration judge from the columns' sums; outliers needs every row.
        for sla in ({"failure_rate": {"max": 100}, "max_avg_duration": 10},
                    {"failure_rate": {"max": 100}, "outliers": {"max": 10000}}):
            before = Counter(seen)
            task = run_task(api, v2_task("HttpRequests.check_random_request", args, runner={"constant": {
                "times": 2500, "concurrency": 4}}, sla=sla))
            answered = Counter(seen)
            answered.subtract(before)
            wl = only_workload(task)
            its = iterations(api, task["uuid"])
            assert sorted(it["iteration"] for it in its) == list(range(1, 2501))  # each once, none lost
            failed = [it for it in its if it["error"]]
            assert len(failed) == answered["/fail"] == wl["failed_iteration_count"] and answered["/ok"] > 0
            assert answered["/ok"] + answered["/fail"] == 2500
            ok = [it for it in its if not it["error"]]
            assert all(it["idle_duration"] == 0.0 and it["output"] == {"additive": [], "complete": []} and
                       [(a["name"], a["failed"], a["children"]) for a in it["atomic_actions"]] ==
                       [(CHECK_ACTION, False, [])] and
                       it["atomic_actions"][0]["started_at"] == it["timestamp"] <= it["atomic_actions"][0][
                           "finished_at"] for it in ok)
            # The stored table (columns folded whole, failures one by one) is the table of the stored rows.
            again = WorkloadStats()
            for it in sorted(its, key=lambda it: it["timestamp"]):
                again.add_iteration(it)
            mine, theirs = _table_rows(wl["statistics"]), _table_rows(again.to_dict())
            assert [name for name, _ in mine] == [name for name, _ in theirs]
            for (name, got), (_, want) in zip(mine, theirs, strict=True):
                for key, value in want.items():
                    if isinstance(value, float):
                        assert math.isclose(got[key], value, rel_tol=1e-9), (name, key)
                    else:
                        assert got[key] == value, (name, key)
            # The columns stored beside each chunk, built as it filled, are the chunk's columns.
            db = Database()
            stored = list(repo.chunk_columns(db, wl["uuid"]))
            assert stored and all(cols == columns_of(repo.chunk_by_id(db, chunk_id)) for chunk_id, cols in stored)
            assert [r["criterion"] for r in wl["sla_results"]["sla"]] == list(sla)
            assert all(r["success"] for r in wl["sla_results"]["sla"]), wl["sla_results"]


def test_a_percentile_threshold_fails_the_task_and_says_by_how_much(cli: Any, tmp_path: Any) -> None:
    with counting_server() as (base, seen):
        task = tmp_path / "p95.yaml"
        task.write_text(
            "version: 2\ntitle: thresholds\nsubtasks:\n- title: slow tail\n  workloads:\n"
            "  - scenario: {HttpRequests.check_random_request: {status_code: 200, requests: [\n"
            f"      {{url: '{base}/ok', method: GET}}, {{url: '{base}/slow', method: GET}}]}}}}\n"
            "    runner: {constant: {times: 200, concurrency: 4}}\n"
            "    sla:\n      failure_rate: {max: 0}\n"
            "      percentile: [{p: 50, max: 10}, {p: 99, max: 0.02, action: requests.check_request}]\n")
        proc = cli("task", "start", str(task), sla_fails=True, check=True)
    assert seen["/slow"] > 2  # about half of 200: p99 is a 50 ms answer, whatever the machine's load
    line = next(text for text in proc.stdout.splitlines() if "Percentiles:" in text)
    assert re.search(r"p50 of the iteration \d+\.\d+s <= 10\.00+s", line), line  # digits enough to read
    assert "p99 of requests.check_request" in line and "> 0.02s - Failed" in line
