"""The same engine on a real PostgreSQL server."""

from __future__ import annotations

import json

import pytest

from squall.api import API
from tests.functional.helpers import iterations, only_workload, run_task, v2_task


@pytest.fixture
def pg_api(postgres_url: str) -> API:
    api = API(db_url=postgres_url)
    api.db.recreate(confirm=True)
    return api


def test_task_on_postgres(pg_api: API) -> None:
    task = run_task(pg_api, v2_task("Dummy.failure", {"sleep": 0, "from_iteration": 1, "to_iteration": 3},
                                    runner={"constant": {"times": 200, "concurrency": 4}},
                                    sla={"failure_rate": {"max": 5}}))
    wl = only_workload(task)
    assert task["status"] == "finished" and task["pass_sla"] is True
    assert wl["total_iteration_count"] == 200 and wl["failed_iteration_count"] == 3
    assert len(iterations(pg_api, task["uuid"])) == 200
    assert pg_api.db.show()["revision"] == pg_api.db.show()["head"]


def test_import_export_on_postgres(pg_api: API) -> None:
    task = run_task(pg_api, v2_task("Dummy.dummy_output", runner={"serial": {"times": 2}}))
    content = pg_api.results.export(task_ids=[task["uuid"]])["content"]
    (new,) = pg_api.results.import_results(content=content)["imported"]
    again = json.loads(pg_api.results.export(task_ids=[new])["content"])
    assert len(again["tasks"][0]["subtasks"][0]["workloads"][0]["data"]) == 2
    assert len(pg_api.task.list()) == 2


def test_a_run_of_several_chunks_is_stored_whole(pg_api: API) -> None:
    # 9,000 iterations: at least five chunks of 2,000 at most (JSONB rows on PostgreSQL).
    task = run_task(pg_api, v2_task("Dummy.dummy", {"sleep": 0}, runner={"constant": {"times": 9000,
                                                                                      "concurrency": 4}}))
    its = iterations(pg_api, task["uuid"])
    assert only_workload(task)["total_iteration_count"] == 9000
    assert sorted(it["iteration"] for it in its) == list(range(1, 9001))
