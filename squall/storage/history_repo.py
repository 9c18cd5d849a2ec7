"""Reads and writes of deployment runs and their per-node history (append-only).

There is deliberately no delete here: the history is an audit trail.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from squall import exceptions, utils
from squall.storage.db import Database
from squall.storage.models import DeploymentHistory, DeploymentRun

HISTORY_COLUMNS = ("id", "deployment_task_id", "node_id", "task_name", "time_start", "time_end", "status")


def run_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a deployment run; returns it with its integer id."""
    with db.session() as s:
        run = DeploymentRun(**values)
        s.add(run)
        s.flush()
        return {c.key: getattr(run, c.key) for c in DeploymentRun.__table__.columns}


def run_finish(db: Database, run_id: int, status: str) -> None:
    """Record the end of a run."""
    with db.session() as s:
        s.execute(update(DeploymentRun).where(DeploymentRun.id == run_id)
                  .values(status=status, finished_at=utils.utcnow()))


def run_get(db: Database, run_id: int) -> dict[str, Any]:
    """One run; NotFoundError when there is none."""
    with db.session() as s:
        run = s.get(DeploymentRun, run_id)
        if run is None:
            raise exceptions.NotFoundError(kind="deployment run", name=str(run_id))
        return {c.key: getattr(run, c.key) for c in DeploymentRun.__table__.columns}


def run_list(db: Database, env_uuid: str | None = None) -> list[dict[str, Any]]:
    """Runs, oldest first, optionally of one environment."""
    query = select(DeploymentRun).order_by(DeploymentRun.id)
    if env_uuid:
        query = query.where(DeploymentRun.env_uuid == env_uuid)
    with db.session() as s:
        return [{c.key: getattr(r, c.key) for c in DeploymentRun.__table__.columns} for r in s.scalars(query)]


def history_add(db: Database, run_id: int, task_name: str, node_id: int) -> int:
    """A new ``pending`` row; returns its id."""
    with db.session() as s:
        row = DeploymentHistory(deployment_task_id=run_id, task_name=task_name, node_id=node_id, status="pending",
                                summary={})
        s.add(row)
        s.flush()
        return int(row.id)


def history_transition(db: Database, row_id: int, from_statuses: tuple[str, ...], status: str,
                       **values: Any) -> bool:
    """Move a row to ``status`` only from one of ``from_statuses`` (one transaction)."""
    with db.session() as s:
        result = s.execute(update(DeploymentHistory)
                           .where(DeploymentHistory.id == row_id, DeploymentHistory.status.in_(from_statuses))
                           .values(status=status, **values))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def history_status(db: Database, row_id: int) -> str:
    """The current status of a row."""
    with db.session() as s:
        return str(s.scalars(select(DeploymentHistory.status).where(DeploymentHistory.id == row_id)).one())


def history_query(db: Database, run_id: int, nodes: list[int] | None = None, statuses: list[str] | None = None,
                  task_names: list[str] | None = None, include_summary: bool = True) -> list[dict[str, Any]]:
    """Rows of one run, filtered in SQL on indexed columns, in id order."""
    columns = [getattr(DeploymentHistory, c) for c in HISTORY_COLUMNS]
    if include_summary:
        columns.append(DeploymentHistory.summary)
    query = select(*columns).where(DeploymentHistory.deployment_task_id == run_id)
    if nodes:
        query = query.where(DeploymentHistory.node_id.in_(nodes))
    if statuses:
        query = query.where(DeploymentHistory.status.in_(statuses))
    if task_names:
        query = query.where(DeploymentHistory.task_name.in_(task_names))
    # No ORDER BY in SQL: it would make SQLite walk the whole run in id order
    # instead of using the (run, node) / (run, status) indexes; sort here.
    with db.session() as s:
        result = s.execute(query)
        keys = list(result.keys())
        rows = [dict(zip(keys, r, strict=True)) for r in result.all()]
    rows.sort(key=lambda r: r["id"])
    return rows
