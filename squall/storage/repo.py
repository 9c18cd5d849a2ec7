"""Reads and writes of squall's objects; the only module that issues queries.

Every function takes a :class:`~squall.storage.db.Database` and returns plain
dicts, so nothing above storage holds ORM objects or sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from squall import exceptions, utils
from squall.storage.columns import columns_of
from squall.storage.db import Database
from squall.storage.models import Base, Env, Preference, Subtask, Task, Workload, WorkloadData


def _row(obj: Base) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


# -- environments ------------------------------------------------------------
def env_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert an environment; DuplicateError if the name is taken."""
    values.setdefault("uuid", utils.new_uuid())
    try:
        with db.session() as s:
            env = Env(**values)
            s.add(env)
            s.flush()
            return _row(env)
    except IntegrityError:
        raise exceptions.DuplicateError(f"environment '{values.get('name')}' already exists") from None


def env_get(db: Database, name_or_uuid: str) -> dict[str, Any]:
    """One environment by name or UUID."""
    with db.session() as s:
        env = s.scalars(select(Env).where(or_(Env.uuid == name_or_uuid, Env.name == name_or_uuid))).first()
        if env is None:
            raise exceptions.NotFoundError(kind="environment", name=name_or_uuid)
        return _row(env)


def env_list(db: Database) -> list[dict[str, Any]]:
    """All environments, oldest first."""
    with db.session() as s:
        return [_row(e) for e in s.scalars(select(Env).order_by(Env.id))]


def env_delete(db: Database, uuid: str) -> None:
    """Delete an environment row (tasks keep their env name and UUID)."""
    with db.session() as s:
        s.execute(delete(Env).where(Env.uuid == uuid))


# -- tasks -------------------------------------------------------------------
def task_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a task row."""
    values.setdefault("uuid", utils.new_uuid())
    with db.session() as s:
        task = Task(**values)
        s.add(task)
        s.flush()
        return _row(task)


def task_get(db: Database, uuid: str) -> dict[str, Any]:
    """One task row by UUID (a unique prefix of at least 4 characters also works)."""
    with db.session() as s:
        task = s.scalars(select(Task).where(Task.uuid == uuid)).first()
        if task is None and len(uuid) >= 4:
            found = list(s.scalars(select(Task).where(Task.uuid.startswith(uuid)).limit(2)))
            task = found[0] if len(found) == 1 else None
        if task is None:
            raise exceptions.NotFoundError(kind="task", name=uuid)
        return _row(task)


def task_update(db: Database, uuid: str, **values: Any) -> None:
    """Update fields of a task."""
    values["updated_at"] = utils.utcnow()
    with db.session() as s:
        s.execute(update(Task).where(Task.uuid == uuid).values(**values))


def task_set_status_if(db: Database, uuid: str, allowed: tuple[str, ...], status: str) -> bool:
    """Set the status only if the current one is in ``allowed`` (atomic)."""
    with db.session() as s:
        result = s.execute(
            update(Task).where(Task.uuid == uuid, Task.status.in_(allowed))
            .values(status=status, updated_at=utils.utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


_TASK_SUMMARY = ("id", "uuid", "title", "description", "status", "pass_sla", "tags", "env_uuid", "env_name",
                 "created_at", "updated_at", "task_duration", "pid", "hostname", "heartbeat")


def task_list(
    db: Database,
    status: str | None = None,
    env_uuid: str | None = None,
    tags: list[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Tasks, oldest first, filtered in SQL (tags filtered after).

    Rows carry the summary columns only, not the task file or its config.
    """
    query = select(*[getattr(Task, c) for c in _TASK_SUMMARY]).order_by(Task.id)
    if status:
        query = query.where(Task.status == status)
    if env_uuid:
        query = query.where(Task.env_uuid == env_uuid)
    if since:
        query = query.where(Task.created_at >= since)
    if until:
        query = query.where(Task.created_at <= until)
    with db.session() as s:
        rows = [dict(r._mapping) for r in s.execute(query)]
    if tags:
        wanted = set(tags)
        rows = [r for r in rows if wanted & set(r["tags"] or [])]
    if limit is not None:
        rows = rows[-limit:]
    return rows


def task_delete(db: Database, uuid: str) -> None:
    """Delete a task and everything stored under it."""
    with db.session() as s:
        s.execute(delete(WorkloadData).where(WorkloadData.task_uuid == uuid))
        s.execute(delete(Workload).where(Workload.task_uuid == uuid))
        s.execute(delete(Subtask).where(Subtask.task_uuid == uuid))
        s.execute(delete(Task).where(Task.uuid == uuid))


# -- subtasks and workloads --------------------------------------------------
def subtask_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a subtask row."""
    values.setdefault("uuid", utils.new_uuid())
    with db.session() as s:
        sub = Subtask(**values)
        s.add(sub)
        s.flush()
        return _row(sub)


def subtask_update(db: Database, uuid: str, **values: Any) -> None:
    """Update fields of a subtask."""
    values["updated_at"] = utils.utcnow()
    with db.session() as s:
        s.execute(update(Subtask).where(Subtask.uuid == uuid).values(**values))


def workload_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a workload row."""
    values.setdefault("uuid", utils.new_uuid())
    with db.session() as s:
        wl = Workload(**values)
        s.add(wl)
        s.flush()
        return _row(wl)


def workload_update(db: Database, uuid: str, **values: Any) -> None:
    """Update fields of a workload."""
    values["updated_at"] = utils.utcnow()
    with db.session() as s:
        s.execute(update(Workload).where(Workload.uuid == uuid).values(**values))


def task_tree(db: Database, uuid: str) -> dict[str, Any]:
    """A task with its subtasks and their workloads (without iteration data)."""
    task = task_get(db, uuid)
    with db.session() as s:
        subtasks = [_row(x) for x in s.scalars(
            select(Subtask).where(Subtask.task_uuid == task["uuid"]).order_by(Subtask.position))]
        workloads = [_row(x) for x in s.scalars(
            select(Workload).where(Workload.task_uuid == task["uuid"]).order_by(Workload.position))]
    for sub in subtasks:
        sub["workloads"] = [w for w in workloads if w["subtask_uuid"] == sub["uuid"]]
    task["subtasks"] = subtasks
    return task


# -- iteration data ----------------------------------------------------------
def chunk_add(db: Database, workload_uuid: str, task_uuid: str, order: int,
              iterations: list[dict[str, Any]]) -> None:
    """Store one chunk of iteration results (and its columns)."""
    columns = columns_of(iterations)
    with db.session() as s:
        s.add(WorkloadData(
            workload_uuid=workload_uuid, task_uuid=task_uuid, chunk_order=order,
            iteration_count=len(iterations), failed_iteration_count=columns["failed"],
            started_at=min(columns["t"]),
            finished_at=max(it["timestamp"] + it["duration"] for it in iterations),
            chunk_data=iterations, columns=columns,
        ))


def _chunk_ids(db: Database, workload_uuid: str) -> list[int]:
    with db.session() as s:
        return list(s.scalars(select(WorkloadData.id).where(WorkloadData.workload_uuid == workload_uuid)
                              .order_by(WorkloadData.chunk_order)))


def chunk_columns(db: Database, workload_uuid: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """``(chunk id, columns)`` of a workload's chunks in order; columns None for chunks stored before 0004."""
    for chunk_id in _chunk_ids(db, workload_uuid):
        with db.session() as s:
            cols = s.scalars(select(WorkloadData.columns).where(WorkloadData.id == chunk_id)).one()
        yield chunk_id, cols


def chunk_by_id(db: Database, chunk_id: int) -> list[dict[str, Any]]:
    """The iterations of one chunk."""
    with db.session() as s:
        return list(s.scalars(select(WorkloadData.chunk_data).where(WorkloadData.id == chunk_id)).one())


def chunks(db: Database, workload_uuid: str) -> Iterator[list[dict[str, Any]]]:
    """The iteration results of a workload, one chunk at a time, in order."""
    for chunk_id in _chunk_ids(db, workload_uuid):
        yield chunk_by_id(db, chunk_id)


def chunk_counts(db: Database, workload_uuid: str) -> tuple[int, int]:
    """(iterations, failed iterations) stored so far for a workload."""
    with db.session() as s:
        row = s.execute(select(func.coalesce(func.sum(WorkloadData.iteration_count), 0),
                               func.coalesce(func.sum(WorkloadData.failed_iteration_count), 0))
                        .where(WorkloadData.workload_uuid == workload_uuid)).one()
        return int(row[0]), int(row[1])


# -- preferences -------------------------------------------------------------
def pref_get(db: Database, key: str) -> str | None:
    """A remembered value, or None."""
    with db.session() as s:
        pref = s.get(Preference, key)
        return pref.value if pref else None


def pref_set(db: Database, key: str, value: str | None) -> None:
    """Remember (or with None, forget) a value."""
    with db.session() as s:
        pref = s.get(Preference, key)
        if value is None:
            if pref is not None:
                s.delete(pref)
        elif pref is None:
            s.add(Preference(key=key, value=value))
        else:
            pref.value = value
