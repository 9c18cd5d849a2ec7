"""Reads and writes of squall's objects; the only module that issues queries.

Every function takes a :class:`~squall.storage.db.Database` and returns plain
dicts, so nothing above storage holds connections or rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from squall import exceptions, utils
from squall.storage.chunk import Chunk, chunk_rows
from squall.storage.db import Database
from squall.storage.models import envs, preferences, subtasks, tasks, workload_data, workload_seconds, workloads
from squall.storage.rows import all_dicts, by_uuid, first_dict, insert_row


# -- environments ------------------------------------------------------------
def env_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert an environment; DuplicateError if the name is taken."""
    values.setdefault("uuid", utils.new_uuid())
    try:
        with db.transaction() as conn:
            return insert_row(conn, envs, values)
    except IntegrityError:
        raise exceptions.DuplicateError(f"environment '{values.get('name')}' already exists") from None


def env_get(db: Database, name_or_uuid: str) -> dict[str, Any]:
    """One environment by name or UUID."""
    with db.transaction() as conn:
        env = first_dict(conn, select(envs).where(or_(envs.c.uuid == name_or_uuid, envs.c.name == name_or_uuid)))
    if env is None:
        raise exceptions.NotFoundError(kind="environment", name=name_or_uuid)
    return env


def env_list(db: Database) -> list[dict[str, Any]]:
    """All environments, oldest first."""
    with db.transaction() as conn:
        return all_dicts(conn, select(envs).order_by(envs.c.id))


def env_update(db: Database, uuid: str, **values: Any) -> dict[str, Any]:
    """Change an environment's spec or description; its UUID and name stay."""
    values["updated_at"] = utils.utcnow()
    with db.transaction() as conn:
        conn.execute(update(envs).where(envs.c.uuid == uuid).values(**values))
        env = first_dict(conn, select(envs).where(envs.c.uuid == uuid))
    if env is None:
        raise exceptions.NotFoundError(kind="environment", name=uuid)
    return env


def env_delete(db: Database, uuid: str) -> None:
    """Delete an environment row (tasks keep their env name and UUID)."""
    with db.transaction() as conn:
        conn.execute(delete(envs).where(envs.c.uuid == uuid))


# -- tasks -------------------------------------------------------------------
def task_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a task row."""
    values.setdefault("uuid", utils.new_uuid())
    with db.transaction() as conn:
        return insert_row(conn, tasks, values)


def task_get(db: Database, uuid: str) -> dict[str, Any]:
    """One task row by UUID (a unique prefix of at least 4 characters also works)."""
    with db.transaction() as conn:
        task = by_uuid(conn, tasks, uuid)
    if task is None:
        raise exceptions.NotFoundError(kind="task", name=uuid)
    return task


def task_update(db: Database, uuid: str, **values: Any) -> None:
    """Update fields of a task."""
    values["updated_at"] = utils.utcnow()
    with db.transaction() as conn:
        conn.execute(update(tasks).where(tasks.c.uuid == uuid).values(**values))


def task_set_status_if(db: Database, uuid: str, allowed: tuple[str, ...], status: str) -> bool:
    """Set the status only if the current one is in ``allowed`` (atomic)."""
    with db.transaction() as conn:
        result = conn.execute(
            update(tasks).where(tasks.c.uuid == uuid, tasks.c.status.in_(allowed))
            .values(status=status, updated_at=utils.utcnow())
        )
        return bool(result.rowcount)


def task_claim(db: Database, uuid: str, pid: int, hostname: str) -> bool:
    """Move a new task to ``running`` for process ``pid``, only if it is still ``validated`` (atomic:
    of several callers starting one task at once, exactly one wins)."""
    now = utils.utcnow()
    with db.transaction() as conn:
        result = conn.execute(
            update(tasks).where(tasks.c.uuid == uuid, tasks.c.status == "validated")
            .values(status="running", pid=pid, hostname=hostname, heartbeat=now, updated_at=now)
        )
        return bool(result.rowcount)


_TASK_SUMMARY = ("id", "uuid", "title", "description", "status", "pass_sla", "tags", "env_uuid", "env_name",
                 "created_at", "updated_at", "task_duration", "pid", "hostname", "heartbeat", "imported_from")


def task_list(
    db: Database,
    status: str | None = None,
    env_uuid: str | None = None,
    tags: list[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int | None = None,
    imported_from: str | None = None,
) -> list[dict[str, Any]]:
    """Tasks, oldest first, filtered in SQL (tags filtered after).

    Rows carry the summary columns only, not the task file or its config.
    """
    query = select(*[tasks.c[c] for c in _TASK_SUMMARY]).order_by(tasks.c.id)
    if status:
        query = query.where(tasks.c.status == status)
    if env_uuid:
        query = query.where(tasks.c.env_uuid == env_uuid)
    if imported_from:
        query = query.where(tasks.c.imported_from == imported_from)
    if since:
        query = query.where(tasks.c.created_at >= since)
    if until:
        query = query.where(tasks.c.created_at <= until)
    with db.transaction() as conn:
        rows = all_dicts(conn, query)
    if tags:
        wanted = set(tags)
        rows = [r for r in rows if wanted & set(r["tags"] or [])]
    if limit is not None:
        rows = rows[-limit:]
    return rows


def task_delete(db: Database, uuid: str) -> None:
    """Delete a task and everything stored under it."""
    with db.transaction() as conn:
        conn.execute(delete(workload_data).where(workload_data.c.task_uuid == uuid))
        conn.execute(delete(workload_seconds).where(workload_seconds.c.task_uuid == uuid))
        conn.execute(delete(workloads).where(workloads.c.task_uuid == uuid))
        conn.execute(delete(subtasks).where(subtasks.c.task_uuid == uuid))
        conn.execute(delete(tasks).where(tasks.c.uuid == uuid))


# -- subtasks and workloads --------------------------------------------------
def subtask_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a subtask row."""
    values.setdefault("uuid", utils.new_uuid())
    with db.transaction() as conn:
        return insert_row(conn, subtasks, values)


def subtask_update(db: Database, uuid: str, **values: Any) -> None:
    """Update fields of a subtask."""
    values["updated_at"] = utils.utcnow()
    with db.transaction() as conn:
        conn.execute(update(subtasks).where(subtasks.c.uuid == uuid).values(**values))


def workload_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a workload row."""
    values.setdefault("uuid", utils.new_uuid())
    with db.transaction() as conn:
        return insert_row(conn, workloads, values)


def workload_update(db: Database, uuid: str, **values: Any) -> None:
    """Update fields of a workload."""
    values["updated_at"] = utils.utcnow()
    with db.transaction() as conn:
        conn.execute(update(workloads).where(workloads.c.uuid == uuid).values(**values))


def task_tree(db: Database, uuid: str) -> dict[str, Any]:
    """A task with its subtasks and their workloads (without iteration data)."""
    task = task_get(db, uuid)
    with db.transaction() as conn:
        subs = all_dicts(conn, select(subtasks).where(subtasks.c.task_uuid == task["uuid"])
                         .order_by(subtasks.c.position))
        wls = all_dicts(conn, select(workloads).where(workloads.c.task_uuid == task["uuid"])
                        .order_by(workloads.c.position))
    for sub in subs:
        sub["workloads"] = [w for w in wls if w["subtask_uuid"] == sub["uuid"]]
    task["subtasks"] = subs
    return task


# -- iteration data ----------------------------------------------------------
def chunk_add(db: Database, workload_uuid: str, task_uuid: str, order: int,
              iterations: list[dict[str, Any]] | Chunk) -> None:
    """Store one chunk of iteration results (Rally's dicts, or a :class:`~squall.storage.chunk.Chunk` that keeps
    successes as columns) and its columns."""
    chunk = iterations if isinstance(iterations, Chunk) else Chunk(iterations)
    data, columns, last = chunk.stored()
    with db.transaction() as conn:
        conn.execute(insert(workload_data).values(
            workload_uuid=workload_uuid, task_uuid=task_uuid, chunk_order=order,
            iteration_count=len(chunk), failed_iteration_count=columns["failed"],
            started_at=min(columns["t"]), finished_at=last, chunk_data=data, columns=columns,
        ))


def _chunk_ids(db: Database, workload_uuid: str) -> list[int]:
    with db.transaction() as conn:
        return list(conn.scalars(select(workload_data.c.id).where(workload_data.c.workload_uuid == workload_uuid)
                                 .order_by(workload_data.c.chunk_order)))


def chunk_columns(db: Database, workload_uuid: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """``(chunk id, columns)`` of a workload's chunks in order; columns None for chunks stored before 0004."""
    for chunk_id in _chunk_ids(db, workload_uuid):
        with db.transaction() as conn:
            cols = conn.scalars(select(workload_data.c.columns).where(workload_data.c.id == chunk_id)).one()
        yield chunk_id, cols


def chunk_by_id(db: Database, chunk_id: int) -> list[dict[str, Any]]:
    """The iterations of one chunk."""
    with db.transaction() as conn:
        return chunk_rows(conn.scalars(select(workload_data.c.chunk_data).where(workload_data.c.id == chunk_id)).one())


def chunks(db: Database, workload_uuid: str) -> Iterator[list[dict[str, Any]]]:
    """The iteration results of a workload, one chunk at a time, in order."""
    for chunk_id in _chunk_ids(db, workload_uuid):
        yield chunk_by_id(db, chunk_id)


def seconds_add(db: Database, workload_uuid: str, task_uuid: str, records: list[dict[str, Any]]) -> None:
    """Store per-second records of an aggregate-mode workload (each has its second as ``s``)."""
    with db.transaction() as conn:
        conn.execute(insert(workload_seconds), [
            {"workload_uuid": workload_uuid, "task_uuid": task_uuid, "second": r["s"], "data": r} for r in records])


def seconds(db: Database, workload_uuid: str) -> list[dict[str, Any]]:
    """The per-second records of an aggregate-mode workload, by second (empty for a workload of rows)."""
    with db.transaction() as conn:
        return list(conn.scalars(select(workload_seconds.c.data)
                                 .where(workload_seconds.c.workload_uuid == workload_uuid)
                                 .order_by(workload_seconds.c.second, workload_seconds.c.id)))


# -- preferences -------------------------------------------------------------
def pref_get(db: Database, key: str) -> str | None:
    """A remembered value, or None."""
    with db.transaction() as conn:
        value = conn.scalars(select(preferences.c.value).where(preferences.c.key == key)).first()
    return str(value) if value is not None else None


def pref_set(db: Database, key: str, value: str | None) -> None:
    """Remember (or with None, forget) a value."""
    with db.transaction() as conn:
        conn.execute(delete(preferences).where(preferences.c.key == key))
        if value is not None:
            conn.execute(insert(preferences).values(key=key, value=value))
