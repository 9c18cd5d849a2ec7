"""The history's JSON text, built by the database, says exactly what the rows say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from squall.storage import history_repo
from squall.storage.db import Database

FILTERS = [
    {},
    {"nodes": [5, 6]},
    {"statuses": ["error", "skipped"]},
    {"nodes": [6], "statuses": ["ready"], "task_names": ["deploy"]},
    {"task_names": ["no such task"]},
]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_document_equals_the_rows_for_every_filter(backend: str, tmp_path: Path,
                                                   request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    db = Database(url)
    db.ensure_schema()
    run = history_repo.run_create(db, kind="graph", name="doc", graph={}, status="running")
    other = history_repo.run_create(db, kind="graph", name="other", graph={}, status="running")
    summaries = [{"rc": 0, "stdout": "ok ünïcode \"quoted\"\n", "nested": {"a": [1, 2.5, None]}},
                 {"rc": 1, "stderr": "boom"}, {}]
    for i, (name, node) in enumerate([("deploy", 5), ("deploy", 6), ("check", 6), ("deploy", 7), ("check", 5)]):
        row = history_repo.history_add(db, run["id"], name, node)
        history_repo.history_add(db, other["id"], name, node)  # never listed under run
        if i < 3:
            status = ("ready", "error", "skipped")[i]
            values = {"time_start": 1700000000.25 + i, "summary": summaries[i]}
            if status != "skipped":
                history_repo.history_transition(db, row, ("pending",), "running", time_start=values["time_start"])
                values["time_end"] = values["time_start"] + 0.5
                history_repo.history_transition(db, row, ("running",), status, **values)
            else:
                history_repo.history_transition(db, row, ("pending",), "skipped", summary=summaries[i])
    for filters in FILTERS:
        rows = [{**r, "task_id": r["deployment_task_id"]} for r in history_repo.history_query(db, run["id"], **filters)]
        document = json.loads(history_repo.history_document(db, run["id"], **filters))
        assert document == rows, filters
        assert [r["id"] for r in document] == sorted(r["id"] for r in document)
    assert json.loads(history_repo.history_document(db, 424242)) == []
