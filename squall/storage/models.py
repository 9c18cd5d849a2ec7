"""Database tables, as SQLAlchemy Core tables.

Core rather than the ORM: every query lives in the repo modules and returns
plain dicts, so mapped classes would add nothing but start-up time (importing
``sqlalchemy.orm`` and building the mappers cost about 0.15 s of each
command). Iteration results are stored in chunks (``workload_data``), each a
JSON list of iterations in Rally's shape, so a million iterations are a few
hundred rows, written while the workload runs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from squall import utils


class JSONType(TypeDecorator[Any]):
    """JSON, stored as JSONB on PostgreSQL.

    The PostgreSQL dialect is imported only when that dialect is in use: it
    pulls in every PostgreSQL driver module, which a SQLite run does not need.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """JSONB on PostgreSQL, the generic JSON type elsewhere."""
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


metadata = MetaData()


def _col(name: str, type_: Any, *args: Any, nullable: bool = False, **kwargs: Any) -> Column[Any]:
    # Columns are NOT NULL unless said otherwise, as the migrations made them.
    return Column(name, type_, *args, nullable=nullable, **kwargs)


def _id() -> Column[Any]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _timestamps() -> list[Column[Any]]:
    return [_col("created_at", DateTime(timezone=True), default=utils.utcnow),
            _col("updated_at", DateTime(timezone=True), default=utils.utcnow, onupdate=utils.utcnow)]


def _json(name: str, default: Any = dict, **kwargs: Any) -> Column[Any]:
    return _col(name, JSONType(), default=default, **kwargs)


envs = Table(
    "envs", metadata,
    _id(),
    _col("uuid", String(36), unique=True, index=True),
    _col("name", String(255), unique=True, index=True),
    _col("description", Text, default=""),
    _col("status", String(36), default="ready"),
    _json("spec"),
    _json("extras"),
    *_timestamps(),
)
"""An environment: the system under test and how to reach it."""

tasks = Table(
    "tasks", metadata,
    _id(),
    _col("uuid", String(36), unique=True, index=True),
    _col("env_uuid", String(36), index=True, nullable=True),
    _col("env_name", String(255), nullable=True),
    _col("title", String(255), default=""),
    _col("description", Text, default=""),
    _json("tags", default=list),
    _col("status", String(36), index=True),
    _col("pass_sla", Boolean, nullable=True),
    _col("input_task", Text, default=""),
    _json("config"),
    _json("validation_errors", default=list),
    _col("task_duration", Float, default=0.0),
    _col("pid", Integer, nullable=True),
    _col("hostname", String(255), nullable=True),
    _col("heartbeat", DateTime(timezone=True), nullable=True),
    # The UUID of the task an imported one was read from (migration 0006); None for runs made here.
    _col("imported_from", String(36), nullable=True),
    # The persistent context the task ran on (migration 0009); None when it made its own.
    _col("persistent_context", String(36), nullable=True),
    *_timestamps(),
)
"""One run of a task file."""

subtasks = Table(
    "subtasks", metadata,
    _id(),
    _col("uuid", String(36), unique=True, index=True),
    _col("task_uuid", String(36), ForeignKey("tasks.uuid", ondelete="CASCADE"), index=True),
    _col("position", Integer, default=0),
    _col("title", String(255), default=""),
    _col("description", Text, default=""),
    _json("tags", default=list),
    _col("status", String(36), default="running"),
    _col("pass_sla", Boolean, nullable=True),
    _col("duration", Float, default=0.0),
    *_timestamps(),
)
"""A titled group of workloads of a task."""

workloads = Table(
    "workloads", metadata,
    _id(),
    _col("uuid", String(36), unique=True, index=True),
    _col("task_uuid", String(36), ForeignKey("tasks.uuid", ondelete="CASCADE"), index=True),
    _col("subtask_uuid", String(36), ForeignKey("subtasks.uuid", ondelete="CASCADE"), index=True),
    _col("position", Integer, default=0),
    _col("name", String(255)),
    _col("description", Text, default=""),
    _json("args"),
    _col("runner_type", String(64)),
    _json("runner"),
    _json("contexts"),
    _json("contexts_results", default=list),
    _json("sla"),
    _json("sla_results"),
    _json("hooks", default=list),
    # What the task still owned on its platforms after this workload's clean-up.
    _json("leaks", default=list, server_default="[]"),
    _col("status", String(36), default="running"),
    _col("pass_sla", Boolean, nullable=True),
    _col("start_time", BigInteger, nullable=True),
    # Epoch seconds when the load's clock started (every worker ready): the zero of
    # rate schedules, time triggers and the report's time axis.
    _col("load_started_at", Float, nullable=True),
    _col("load_duration", Float, default=0.0),
    _col("full_duration", Float, default=0.0),
    _col("min_duration", Float, nullable=True),
    _col("max_duration", Float, nullable=True),
    _col("total_iteration_count", Integer, default=0),
    _col("failed_iteration_count", Integer, default=0),
    _col("expected_iterations", Integer, nullable=True),
    _json("statistics"),
    *_timestamps(),
)
"""One workload: a scenario, its runner, contexts, SLA, hooks and outcome."""

workload_data = Table(
    "workload_data", metadata,
    _id(),
    _col("workload_uuid", String(36), ForeignKey("workloads.uuid", ondelete="CASCADE")),
    _col("task_uuid", String(36), index=True),
    _col("chunk_order", Integer),
    _col("iteration_count", Integer),
    _col("failed_iteration_count", Integer),
    _col("started_at", Float),
    _col("finished_at", Float),
    _json("chunk_data", default=list),
    # The chunk's timings as columns (see repo.chunk_columns); NULL for chunks stored before 0004.
    _json("columns", default=None, nullable=True),
    Index("ix_workload_data_workload_chunk", "workload_uuid", "chunk_order"),
)
"""Chunks of iteration results of a workload, in order."""

workload_seconds = Table(
    "workload_seconds", metadata,
    _id(),
    _col("workload_uuid", String(36), ForeignKey("workloads.uuid", ondelete="CASCADE")),
    _col("task_uuid", String(36), index=True),
    _col("second", Integer),
    _json("data"),
    Index("ix_workload_seconds_workload_second", "workload_uuid", "second"),
)
"""``--results aggregate``: one record per second of a workload's load (iterations by end time), in place of
iteration chunks; a second may have more than one record (a worker that reported late)."""

preferences = Table(
    "preferences", metadata,
    Column("key", String(64), primary_key=True),
    _col("value", Text),
)
"""Remembered choices, such as the default environment or task."""

deployment_runs = Table(
    "deployment_runs", metadata,
    _id(),
    _col("env_uuid", String(36), index=True, nullable=True),
    _col("env_name", String(255), nullable=True),
    _col("kind", String(32), default="graph"),
    _col("name", String(255), default=""),
    _json("graph"),
    _col("status", String(32), default="running"),
    _col("task_uuid", String(36), nullable=True),
    _col("created_at", DateTime(timezone=True), default=utils.utcnow),
    _col("finished_at", DateTime(timezone=True), nullable=True),
)
"""Executions of a deployment graph (or of a fault action); a run's integer id is the seed's ``task_id``."""

deployment_history = Table(
    "deployment_history", metadata,
    _id(),
    _col("deployment_task_id", Integer, ForeignKey("deployment_runs.id"), index=True),
    _col("task_name", String(255)),
    _col("node_id", Integer),
    _col("status", String(32), default="pending"),
    _col("time_start", Float, nullable=True),
    _col("time_end", Float, nullable=True),
    _json("summary"),
    Index("ix_history_run_node", "deployment_task_id", "node_id"),
    Index("ix_history_run_status", "deployment_task_id", "status"),
    Index("ix_history_run_name", "deployment_task_id", "task_name"),
)
"""One deployment task on one node, in one run: the audit trail (never deleted)."""

verifiers = Table(
    "verifiers", metadata,
    _id(),
    _col("uuid", String(36), unique=True, index=True),
    _col("name", String(255), unique=True, index=True),
    _col("plugin", String(255)),
    _col("version", String(255), default=""),
    _col("status", String(36), default="ready"),
    _col("env_uuid", String(36), nullable=True),
    # The plugin's settings (command, paths, arguments); its configuration file, when it writes one.
    _json("settings"),
    *_timestamps(),
)
"""A verifier: a test suite and how to run it (migration 0007)."""

verifications = Table(
    "verifications", metadata,
    _id(),
    _col("uuid", String(36), unique=True, index=True),
    _col("verifier_uuid", String(36), ForeignKey("verifiers.uuid", ondelete="CASCADE"), index=True),
    _col("env_uuid", String(36), nullable=True, index=True),
    _col("env_name", String(255), nullable=True),
    _col("status", String(36), index=True),
    _json("tags", default=list),
    _json("run_args"),
    _col("verifier_version", String(255), default=""),
    _col("tests_count", Integer, default=0),
    _col("success", Integer, default=0),
    _col("failures", Integer, default=0),
    _col("skipped", Integer, default=0),
    _col("expected_failures", Integer, default=0),
    _col("unexpected_success", Integer, default=0),
    _col("tests_duration", Float, default=0.0),
    _col("error", Text, nullable=True),
    _col("imported_from", String(1024), nullable=True),
    _col("config", Text, nullable=True),  # the configuration file it ran with (migration 0008)
    *_timestamps(),
)
"""One run of a verifier, with its counts (migration 0007)."""

verifier_configs = Table(
    "verifier_configs", metadata,
    _id(),
    _col("verifier_uuid", String(36), ForeignKey("verifiers.uuid", ondelete="CASCADE")),
    _col("env_uuid", String(36)),
    _col("config", Text),
    *_timestamps(),
    Index("ix_verifier_configs_pair", "verifier_uuid", "env_uuid", unique=True),
)
"""A verifier's configuration file for one environment, e.g. a tempest.conf (migration 0008)."""

verification_results = Table(
    "verification_results", metadata,
    _id(),
    _col("verification_uuid", String(36), ForeignKey("verifications.uuid", ondelete="CASCADE")),
    _col("chunk_order", Integer),
    # [{name, status, duration, reason, traceback, timestamp}, ...] as the run reported them.
    _json("tests", default=list),
    Index("ix_verification_results_chunk", "verification_uuid", "chunk_order"),
)
"""The test results of a verification, in chunks written as the run goes (migration 0007)."""


persistent_contexts = Table(
    "persistent_contexts", metadata,
    _id(),
    _col("uuid", String(36), unique=True, index=True),
    _col("name", String(255), unique=True, index=True),
    _col("env_uuid", String(36), index=True),
    _col("status", String(36)),
    _json("config"),
    _json("state"),
    _json("results", default=list),
    *_timestamps(),
)
"""Contexts set up once on an environment (``squall env setup-context``) and used by many tasks."""
