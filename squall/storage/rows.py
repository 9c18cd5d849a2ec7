"""Query results as plain dicts: the shape every repo function returns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection


def insert_row(conn: Connection, table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Insert a row and return it whole, defaults and generated id included."""
    row = conn.execute(insert(table).values(**values).returning(*table.columns)).one()
    return dict(row._mapping)


def all_dicts(conn: Connection, query: Any) -> list[dict[str, Any]]:
    """All rows of a query as dicts (zip over plain tuples: about twice as fast as ``row._mapping``)."""
    result = conn.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def first_dict(conn: Connection, query: Any) -> dict[str, Any] | None:
    """The first row of a query as a dict, or None."""
    row = conn.execute(query).first()
    return dict(row._mapping) if row is not None else None


def by_uuid(conn: Connection, table: Table, uuid: str) -> dict[str, Any] | None:
    """The row whose ``uuid`` is this one, or the only one it is a prefix of (4 characters or more)."""
    row = first_dict(conn, select(table).where(table.c.uuid == uuid))
    if row is None and len(uuid) >= 4:
        found = all_dicts(conn, select(table).where(table.c.uuid.startswith(uuid, autoescape=True)).limit(2))
        row = found[0] if len(found) == 1 else None
    return row

