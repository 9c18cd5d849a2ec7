"""Reads and writes of deployment runs and their per-node history (append-only).

There is deliberately no delete here: the history is an audit trail.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, bindparam, insert, select, text, update

from squall import exceptions, utils
from squall.storage.db import Database
from squall.storage.models import deployment_history as history
from squall.storage.models import deployment_runs as runs
from squall.storage.rows import all_dicts, first_dict, insert_row

HISTORY_COLUMNS = ("id", "deployment_task_id", "node_id", "task_name", "time_start", "time_end", "status")


def run_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a deployment run; returns it with its integer id."""
    with db.transaction() as conn:
        return insert_row(conn, runs, values)


def run_finish(db: Database, run_id: int, status: str) -> None:
    """Record the end of a run."""
    with db.transaction() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(status=status, finished_at=utils.utcnow()))


def run_get(db: Database, run_id: int) -> dict[str, Any]:
    """One run; NotFoundError when there is none."""
    with db.transaction() as conn:
        run = first_dict(conn, select(runs).where(runs.c.id == run_id))
    if run is None:
        raise exceptions.NotFoundError(kind="deployment run", name=str(run_id))
    return run


def run_list(db: Database, env_uuid: str | None = None) -> list[dict[str, Any]]:
    """Runs, oldest first, optionally of one environment."""
    query = select(runs).order_by(runs.c.id)
    if env_uuid:
        query = query.where(runs.c.env_uuid == env_uuid)
    with db.transaction() as conn:
        return all_dicts(conn, query)


def history_add(db: Database, run_id: int, task_name: str, node_id: int) -> int:
    """A new ``pending`` row; returns its id."""
    with db.transaction() as conn:
        return int(conn.execute(insert(history).values(
            deployment_task_id=run_id, task_name=task_name, node_id=node_id, status="pending", summary={},
        ).returning(history.c.id)).scalar_one())


def history_transition(db: Database, row_id: int, from_statuses: tuple[str, ...], status: str,
                       **values: Any) -> bool:
    """Move a row to ``status`` only from one of ``from_statuses`` (one transaction)."""
    with db.transaction() as conn:
        result = conn.execute(update(history).where(history.c.id == row_id, history.c.status.in_(from_statuses))
                              .values(status=status, **values))
        return bool(result.rowcount)


def history_status(db: Database, row_id: int) -> str:
    """The current status of a row."""
    with db.transaction() as conn:
        return str(conn.scalars(select(history.c.status).where(history.c.id == row_id)).one())


def history_query(db: Database, run_id: int, nodes: list[int] | None = None, statuses: list[str] | None = None,
                  task_names: list[str] | None = None, include_summary: bool = True) -> list[dict[str, Any]]:
    """Rows of one run, filtered in SQL on indexed columns, in id order."""
    columns = [history.c[c] for c in HISTORY_COLUMNS]
    if include_summary:
        columns.append(history.c.summary)
    query = select(*columns).where(history.c.deployment_task_id == run_id)
    if nodes:
        query = query.where(history.c.node_id.in_(nodes))
    if statuses:
        query = query.where(history.c.status.in_(statuses))
    if task_names:
        query = query.where(history.c.task_name.in_(task_names))
    # No ORDER BY in SQL: it would make SQLite walk the whole run in id order
    # instead of using the (run, node) / (run, status) indexes; sort here.
    with db.transaction() as conn:
        rows = all_dicts(conn, query)
    rows.sort(key=lambda r: r["id"])
    return rows


def history_document(db: Database, run_id: int, nodes: list[int] | None = None, statuses: list[str] | None = None,
                     task_names: list[str] | None = None) -> str:
    """The rows :func:`history_query` returns (summary included, plus ``task_id``), as one JSON array.

    The database builds the JSON text itself (``json_group_array`` on SQLite,
    ``json_agg`` on PostgreSQL): for thousands of rows that is several times
    faster than building Python dicts and encoding them again.
    """
    where = ["deployment_task_id = :run_id"]
    params: dict[str, Any] = {"run_id": run_id}
    binds: list[BindParameter[Any]] = []
    for column, values in (("node_id", nodes), ("status", statuses), ("task_name", task_names)):
        if values:
            where.append(f"{column} IN :{column}")
            params[column] = list(values)
            binds.append(bindparam(column, expanding=True))
    pairs = ", ".join(f"'{c}', {c}" for c in HISTORY_COLUMNS)
    rows = f"SELECT {', '.join(HISTORY_COLUMNS)}, summary FROM deployment_history WHERE {' AND '.join(where)}"
    if db.engine.dialect.name == "postgresql":
        sql = (f"SELECT coalesce(json_agg(json_build_object({pairs}, 'summary', summary, "
               f"'task_id', deployment_task_id) ORDER BY id), '[]')::text FROM ({rows}) AS h")
    else:
        # "+id" keeps SQLite on the filter's index (and a small sort) rather than walking the run in id order.
        sql = (f"SELECT json_group_array(json_object({pairs}, 'summary', json(summary), "
               f"'task_id', deployment_task_id)) FROM ({rows} ORDER BY +id)")
    with db.transaction() as conn:
        return str(conn.execute(text(sql).bindparams(*binds), params).scalar_one())
