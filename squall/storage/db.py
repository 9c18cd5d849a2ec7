"""Connection to the results database, and its schema lifecycle.

SQLite file under ``~/.squall/`` by default; any SQLAlchemy URL (PostgreSQL
included) through ``SQUALL_DB_URL`` or ``--db``. The schema is managed by
Alembic; a fresh database is created on first use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from squall import exceptions, utils

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision; a test keeps it equal to Alembic's head so
# that everyday commands need not import Alembic to check the schema.
SCHEMA_HEAD = "0010"
SCHEMA_LOCK_KEY = 0x5C0A11  # the advisory lock id of schema changes on PostgreSQL


def default_url() -> str:
    """``SQUALL_DB_URL``, or an SQLite file in ``$SQUALL_HOME`` (``~/.squall``)."""
    if url := os.environ.get("SQUALL_DB_URL"):
        return url
    return f"sqlite:///{utils.squall_home() / 'squall.db'}"


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
    if "disk I/O error" in message:
        return (f"{message} (the system refused a write: a failing disk, a full one or a file-size limit; "
                "what was stored before is kept)")
    return message


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class Database:
    """An engine, its transactions and the schema operations of one database."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        # An SQLite file deleted or replaced under an open connection takes
        # every later write with it, silently: its identity is checked around
        # each transaction.
        self._sqlite_file: Path | None = None
        self._identity: tuple[int, int] | None = None
        if self.url.startswith("sqlite:///"):
            path = Path(self.url.removeprefix("sqlite:///"))
            if str(path) not in ("", ":memory:"):
                path.parent.mkdir(parents=True, exist_ok=True)
                self._sqlite_file = path.absolute()
        try:
            self.engine: Engine = create_engine(self.url, future=True, json_serializer=_json_dumps,
                                                json_deserializer=orjson.loads)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise exceptions.DatabaseError(f"cannot use database {redact(self.url)}: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            if self._sqlite_file is not None:
                event.listen(self.engine, "connect", self._remember_file)
        elif self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "connect", _postgresql_settings)
        self._checked = False
        self._schema_holder = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction: committed on success, rolled back on any error."""
        self.ensure_schema()
        self.check_file()
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise exceptions.DatabaseError(f"database error: {_explain(exc)}") from None
        self.check_file()

    def _remember_file(self, _dbapi_conn: Any, _record: Any) -> None:
        assert self._sqlite_file is not None
        identity = _file_identity(self._sqlite_file)
        if self._identity is None:
            self._identity = identity
        elif identity != self._identity:
            raise exceptions.DatabaseError(self._gone_message())

    def _gone_message(self) -> str:
        return (f"the database file {self._sqlite_file} was deleted or replaced while squall was using it; "
                "what was written since is lost, so squall stopped")

    def check_file(self) -> None:
        """Raise DatabaseError if the SQLite file this engine opened is no longer at its path."""
        if self._identity is not None and _file_identity(self._sqlite_file) != self._identity:  # type: ignore[arg-type]
            raise exceptions.DatabaseError(self._gone_message())

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

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Hold the lock that serialises schema changes (create, upgrade, recreate).

        SQLite: an exclusive ``flock`` on a file beside the database.
        PostgreSQL: a session advisory lock. Other processes wait for it.
        """
        if getattr(self._schema_holder, "held", False):  # this thread holds it already
            yield
            return
        with self._schema_lock_held():
            self._schema_holder.held = True
            try:
                yield
            finally:
                self._schema_holder.held = False

    @contextmanager
    def _schema_lock_held(self) -> Iterator[None]:
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                conn.execute(text("SET lock_timeout = 0"))
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK_KEY})
                    conn.commit()
            return
        path = self.url.removeprefix("sqlite:///") if self.url.startswith("sqlite:///") else ""
        if path in ("", ":memory:"):
            yield
            return
        import fcntl

        with open(path + ".schema-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def knows_revision(self, revision: str | None) -> bool:
        """Whether ``revision`` is one of squall's schema revisions (None, no schema, is)."""
        if revision is None:
            return True
        from alembic.script import ScriptDirectory

        with self.engine.connect() as conn:
            script = ScriptDirectory.from_config(self._alembic_config(conn))
        return revision in {rev.revision for rev in script.walk_revisions()}

    def _foreign_schema(self, revision: str | None) -> str:
        return (f"database {redact(self.url)} holds a schema squall does not know (revision {revision}): another "
                "program's database, such as Rally's? squall keeps its own; give it another URL (--db, "
                "SQUALL_DB_URL), and bring Rally's results over with 'squall task import'")

    def upgrade(self) -> None:
        """Create the schema or bring it up to date (under the schema lock)."""
        from alembic import command

        if not self.knows_revision(self.current_revision()):
            raise exceptions.DatabaseError(self._foreign_schema(self.current_revision()))
        with self.schema_lock():
            with self.engine.begin() as conn:
                command.upgrade(self._alembic_config(conn), "head")
            self._checked = True
            self.optimize()

    def recreate(self) -> None:
        """Drop every table and create an empty schema, as one step under the schema lock. A database of another
        program's schema (Rally's) is refused, never dropped."""
        if not self.knows_revision(self.current_revision()):
            raise exceptions.DatabaseError(self._foreign_schema(self.current_revision()))
        with self.schema_lock():
            self.drop()
            self.upgrade()

    def ensure_schema(self) -> None:
        """Create a fresh database; refuse an outdated one with advice."""
        if self._checked:
            return
        current = self.current_revision()
        if current is None:
            with self.schema_lock():  # two first uses at once: one creates, the other waits and sees it
                if self.current_revision() is None:
                    self.upgrade()
                current = self.current_revision()
        if current != self.head_revision() and not self.knows_revision(current):
            raise exceptions.DatabaseError(self._foreign_schema(current))
        if current != self.head_revision():
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
        """Drop every squall table (``db recreate``), under the schema lock."""
        from squall.storage.models import metadata

        with self.schema_lock():
            metadata.drop_all(self.engine)
            with self.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            self._checked = False
