"""Queries of persistent contexts (``squall env setup-context``); plain dicts out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from squall import exceptions, utils
from squall.storage.db import Database
from squall.storage.models import persistent_contexts, tasks
from squall.storage.rows import all_dicts, first_dict, insert_row


def context_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a persistent context; DuplicateError when the name is taken."""
    values.setdefault("uuid", utils.new_uuid())
    try:
        with db.transaction() as conn:
            return insert_row(conn, persistent_contexts, values)
    except IntegrityError:
        raise exceptions.DuplicateError(f"a persistent context named '{values.get('name')}' exists") from None


def context_get(db: Database, name_or_uuid: str) -> dict[str, Any]:
    """A persistent context by name or UUID."""
    table = persistent_contexts
    with db.transaction() as conn:
        row = first_dict(conn, select(table).where(or_(table.c.uuid == name_or_uuid, table.c.name == name_or_uuid)))
    if row is None:
        raise exceptions.NotFoundError(kind="persistent context", name=name_or_uuid)
    return row


def context_list(db: Database, env_uuid: str | None = None) -> list[dict[str, Any]]:
    """Persistent contexts (of one environment, when given), oldest first."""
    query = select(persistent_contexts).order_by(persistent_contexts.c.id)
    if env_uuid is not None:
        query = query.where(persistent_contexts.c.env_uuid == env_uuid)
    with db.transaction() as conn:
        return all_dicts(conn, query)


def context_update(db: Database, uuid: str, **values: Any) -> None:
    """Change a persistent context's columns."""
    with db.transaction() as conn:
        conn.execute(update(persistent_contexts).where(persistent_contexts.c.uuid == uuid).values(**values))


def context_delete(db: Database, uuid: str) -> None:
    """Forget a persistent context (its tasks keep its UUID)."""
    with db.transaction() as conn:
        conn.execute(delete(persistent_contexts).where(persistent_contexts.c.uuid == uuid))


def tasks_using(db: Database, uuid: str, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    """Tasks on this persistent context whose status is one of ``statuses``."""
    query = select(tasks).where(tasks.c.persistent_context == uuid, tasks.c.status.in_(statuses))
    with db.transaction() as conn:
        return all_dicts(conn, query)
