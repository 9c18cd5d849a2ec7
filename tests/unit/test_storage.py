"""Schema lifecycle of the results database."""

from __future__ import annotations

from pathlib import Path

import pytest

from squall import exceptions
from squall.storage.db import SCHEMA_HEAD, Database


def test_schema_head_constant_matches_the_migrations(tmp_path: Path) -> None:
    assert Database(f"sqlite:///{tmp_path / 'a.db'}").alembic_head() == SCHEMA_HEAD


def test_fresh_database_is_created_on_first_use(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'new' / 'b.db'}")
    assert db.current_revision() is None
    db.ensure_schema()
    assert db.current_revision() == SCHEMA_HEAD


def test_outdated_database_is_refused_with_advice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    db = Database(url)
    db.upgrade()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num='0001'")
    with pytest.raises(exceptions.DatabaseError, match="run 'squall db upgrade'"):
        Database(url).ensure_schema()


def test_another_programs_database_is_refused_and_never_dropped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rally.db'}"
    db = Database(url)
    with db.engine.begin() as conn:  # Rally's schema: its own alembic revision and a table of results
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('bc908ac9a1fc')")
        conn.exec_driver_sql("CREATE TABLE tasks (uuid VARCHAR(36))")
        conn.exec_driver_sql("INSERT INTO tasks VALUES ('theirs')")
    for step in (Database(url).ensure_schema, Database(url).upgrade, Database(url).recreate):
        with pytest.raises(exceptions.DatabaseError, match="does not know .revision bc908ac9a1fc.*Rally's"):
            step()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT uuid FROM tasks").scalars().all() == ["theirs"]


def test_unreachable_database_is_a_clear_error() -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(exceptions.DatabaseError, match="cannot reach database"):
        db.ensure_schema()


def test_upgrade_keeps_existing_data(tmp_path: Path) -> None:
    from alembic import command

    from squall.storage import repo

    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = Database(url)
    with db.engine.begin() as conn:
        command.upgrade(db._alembic_config(conn), "0001")
    db._checked = True  # write with the old schema, as an older squall did
    repo.env_create(db, name="kept", spec={})
    with pytest.raises(exceptions.DatabaseError, match="squall db upgrade"):
        Database(url).ensure_schema()
    fresh = Database(url)
    fresh.upgrade()
    assert fresh.current_revision() == SCHEMA_HEAD
    assert [e["name"] for e in repo.env_list(fresh)] == ["kept"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migrations_build_exactly_the_tables_the_code_queries(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The Core tables in models.py and the Alembic migrations describe one schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from squall.storage.models import metadata

    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    db = Database(url)
    db.upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
