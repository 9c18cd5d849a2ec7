"""Connection to the results database, and its schema lifecycle.

SQLite file under ``~/.squall/`` by default; any SQLAlchemy URL (PostgreSQL
included) through ``SQUALL_DB_URL`` or ``--db``. The schema is managed by
Alembic; a fresh database is created on first use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from squall import exceptions

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision; a test keeps it equal to Alembic's head so
# that everyday commands need not import Alembic to check the schema.
SCHEMA_HEAD = "0004"


def default_url() -> str:
    """``SQUALL_DB_URL``, or an SQLite file in ``$SQUALL_HOME`` (``~/.squall``)."""
    if url := os.environ.get("SQUALL_DB_URL"):
        return url
    home = Path(os.environ.get("SQUALL_HOME", Path.home() / ".squall"))
    return f"sqlite:///{home / 'squall.db'}"


def lock_timeout_ms() -> int:
    """How long a statement waits for a lock another process holds: ``SQUALL_DB_LOCK_TIMEOUT`` seconds (30)."""
    raw = os.environ.get("SQUALL_DB_LOCK_TIMEOUT", "30")
    try:
        seconds = float(raw)
    except ValueError:
        raise exceptions.InvalidArgumentsError(f"SQUALL_DB_LOCK_TIMEOUT must be a number of seconds, not {raw!r}") \
            from None
    return max(0, int(seconds * 1000))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={lock_timeout_ms()}")
    cur.close()


def _postgresql_settings(dbapi_conn: Any, _record: Any) -> None:
    # PostgreSQL waits for a lock forever by default; give up as SQLite does.
    cur = dbapi_conn.cursor()
    cur.execute(f"SET lock_timeout = {lock_timeout_ms()}")
    cur.close()
    dbapi_conn.commit()


def _json_dumps(value: Any) -> str:
    # orjson encodes and decodes iteration chunks several times faster than
    # the json module: it sets how fast results are stored and read back.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def redact(url: str) -> str:
    """The URL with any password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _explain(exc: OperationalError) -> str:
    message = str(exc.orig).strip()
    if "locked" in message or "lock timeout" in message:
        return (f"{message} (another process held a lock for longer than {lock_timeout_ms() / 1000:g} s; "
                "set SQUALL_DB_LOCK_TIMEOUT to wait longer)")
    if "full" in message or "No space" in message:
        return f"{message} (free some space; what was stored before is kept)"
    return message


class Database:
    """An engine, its transactions and the schema operations of one database."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        if self.url.startswith("sqlite:///"):
            path = Path(self.url.removeprefix("sqlite:///"))
            if str(path) not in ("", ":memory:"):
                path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(self.url, future=True, json_serializer=_json_dumps,
                                                json_deserializer=orjson.loads)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise exceptions.DatabaseError(f"cannot use database {redact(self.url)}: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        elif self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "connect", _postgresql_settings)
        self._checked = False

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction: committed on success, rolled back on any error."""
        self.ensure_schema()
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise exceptions.DatabaseError(f"database error: {_explain(exc)}") from None

    # -- schema --------------------------------------------------------------
    def _alembic_config(self, connection: Any) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = connection
        return cfg

    def head_revision(self) -> str:
        """The newest schema revision this squall knows."""
        return SCHEMA_HEAD

    def alembic_head(self) -> str:
        """The head revision as Alembic computes it from the migration scripts."""
        from alembic.script import ScriptDirectory

        return str(ScriptDirectory.from_config(self._alembic_config(None)).get_current_head())

    def current_revision(self) -> str | None:
        """The schema revision of the database, or None when it has none."""
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
                return row[0] if row else None
        except OperationalError as exc:
            raise exceptions.DatabaseError(f"cannot reach database {redact(self.url)}: {exc.orig}") from None

    def upgrade(self) -> None:
        """Create the schema or bring it up to date."""
        from alembic import command

        with self.engine.begin() as conn:
            command.upgrade(self._alembic_config(conn), "head")
        self._checked = True
        self.optimize()

    def ensure_schema(self) -> None:
        """Create a fresh database; refuse an outdated one with advice."""
        if self._checked:
            return
        current = self.current_revision()
        if current is None:
            self.upgrade()
        elif current != self.head_revision():
            raise exceptions.DatabaseError(
                f"database {redact(self.url)} has schema {current}; this squall needs "
                f"{self.head_revision()}: run 'squall db upgrade'"
            )
        self._checked = True

    def optimize(self) -> None:
        """Refresh the query planner's statistics where SQLite lacks them.

        Without statistics SQLite may pick the (run, status) index for a
        history query filtered by nodes too, and scan most of a large run.
        PostgreSQL's autovacuum keeps its own statistics.
        """
        if self.engine.dialect.name != "sqlite":
            return
        with self.engine.begin() as conn:
            # PRAGMA optimize only revisits tables this connection queried;
            # a table that never had statistics gets a first ANALYZE.
            has_stats = conn.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar()
            fresh = has_stats and conn.execute(text(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'deployment_history'")).scalar()
            conn.execute(text("PRAGMA optimize" if fresh else "ANALYZE"))

    def drop(self) -> None:
        """Drop every squall table (``db recreate``)."""
        from squall.storage.models import metadata

        metadata.drop_all(self.engine)
        with self.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        self._checked = False
