"""Queries of verifiers, verifications and their test results; plain dicts out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from squall import exceptions, utils
from squall.storage.db import Database
from squall.storage.models import verification_results, verifications, verifier_configs, verifiers
from squall.storage.rows import all_dicts, by_uuid, first_dict, insert_row


def verifier_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a verifier; DuplicateError when the name is taken."""
    values.setdefault("uuid", utils.new_uuid())
    try:
        with db.transaction() as conn:
            return insert_row(conn, verifiers, values)
    except IntegrityError:
        raise exceptions.DuplicateError(f"a verifier named '{values.get('name')}' exists") from None


def verifier_get(db: Database, name_or_uuid: str) -> dict[str, Any]:
    """A verifier by name or UUID."""
    with db.transaction() as conn:
        row = first_dict(conn, select(verifiers).where(
            or_(verifiers.c.uuid == name_or_uuid, verifiers.c.name == name_or_uuid)))
    if row is None:
        raise exceptions.NotFoundError(kind="verifier", name=name_or_uuid)
    return row


def verifier_list(db: Database) -> list[dict[str, Any]]:
    """Every verifier, oldest first."""
    with db.transaction() as conn:
        return all_dicts(conn, select(verifiers).order_by(verifiers.c.id))


def verifier_update(db: Database, uuid: str, **values: Any) -> None:
    """Change a verifier's columns."""
    with db.transaction() as conn:
        conn.execute(update(verifiers).where(verifiers.c.uuid == uuid).values(**values))


def verifier_delete(db: Database, uuid: str) -> None:
    """Delete a verifier with its verifications and their results."""
    with db.transaction() as conn:
        runs = select(verifications.c.uuid).where(verifications.c.verifier_uuid == uuid)
        conn.execute(delete(verification_results).where(verification_results.c.verification_uuid.in_(runs)))
        conn.execute(delete(verifications).where(verifications.c.verifier_uuid == uuid))
        conn.execute(delete(verifier_configs).where(verifier_configs.c.verifier_uuid == uuid))
        conn.execute(delete(verifiers).where(verifiers.c.uuid == uuid))


def config_get(db: Database, verifier_uuid: str, env_uuid: str) -> str | None:
    """The verifier's configuration file for an environment, if it has one yet."""
    with db.transaction() as conn:
        return conn.scalars(select(verifier_configs.c.config).where(  # type: ignore[no-any-return]
            verifier_configs.c.verifier_uuid == verifier_uuid, verifier_configs.c.env_uuid == env_uuid)).first()


def config_set(db: Database, verifier_uuid: str, env_uuid: str, config: str) -> None:
    """Store (or replace) the verifier's configuration file for an environment."""
    where = (verifier_configs.c.verifier_uuid == verifier_uuid, verifier_configs.c.env_uuid == env_uuid)
    with db.transaction() as conn:
        changed = conn.execute(update(verifier_configs).where(*where).values(config=config, updated_at=utils.utcnow()))
        if not changed.rowcount:
            insert_row(conn, verifier_configs, {"verifier_uuid": verifier_uuid, "env_uuid": env_uuid,
                                                "config": config})


def verification_create(db: Database, **values: Any) -> dict[str, Any]:
    """Insert a verification row."""
    values.setdefault("uuid", utils.new_uuid())
    with db.transaction() as conn:
        return insert_row(conn, verifications, values)


def verification_get(db: Database, uuid: str) -> dict[str, Any]:
    """One verification by UUID (or a unique prefix of at least 4 characters)."""
    with db.transaction() as conn:
        row = by_uuid(conn, verifications, uuid)
    if row is None:
        raise exceptions.NotFoundError(kind="verification", name=uuid)
    return row


def verification_list(db: Database, verifier_uuid: str | None = None, env_uuid: str | None = None,
                      status: str | None = None, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Verifications, oldest first, filtered by verifier, environment, status and tags."""
    query = select(verifications).order_by(verifications.c.id)
    if verifier_uuid:
        query = query.where(verifications.c.verifier_uuid == verifier_uuid)
    if env_uuid:
        query = query.where(verifications.c.env_uuid == env_uuid)
    if status:
        query = query.where(verifications.c.status == status)
    with db.transaction() as conn:
        rows = all_dicts(conn, query)
    if tags:
        wanted = set(tags)
        rows = [r for r in rows if wanted & set(r["tags"] or [])]
    return rows


def verification_update(db: Database, uuid: str, **values: Any) -> None:
    """Change a verification's columns (status, counts, error)."""
    with db.transaction() as conn:
        conn.execute(update(verifications).where(verifications.c.uuid == uuid).values(**values))


def verification_delete(db: Database, uuid: str) -> None:
    """Delete a verification and its results."""
    with db.transaction() as conn:
        conn.execute(delete(verification_results).where(verification_results.c.verification_uuid == uuid))
        conn.execute(delete(verifications).where(verifications.c.uuid == uuid))


def results_add(db: Database, verification_uuid: str, order: int, tests: list[Any]) -> None:
    """Store one chunk of test results."""
    with db.transaction() as conn:
        insert_row(conn, verification_results, {"verification_uuid": verification_uuid, "chunk_order": order,
                                                "tests": tests})


def results(db: Database, verification_uuid: str) -> Iterator[Any]:
    """The test results of a verification, chunk by chunk, in the order they came."""
    with db.transaction() as conn:
        ids = list(conn.scalars(select(verification_results.c.id)
                                .where(verification_results.c.verification_uuid == verification_uuid)
                                .order_by(verification_results.c.chunk_order)))
    for chunk_id in ids:
        with db.transaction() as conn:
            tests = conn.scalars(select(verification_results.c.tests)
                                 .where(verification_results.c.id == chunk_id)).one()
        yield from tests
