"""Database tables (SQLAlchemy 2 declarative models).

Iteration results are stored in chunks (``workload_data``), each a JSON list
of iterations in Rally's shape, so a million iterations are a few hundred
rows, written while the workload runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
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


class Base(DeclarativeBase):
    """Declarative base of all tables."""

    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType, Any: JSONType}


def _now() -> dt.datetime:
    return utils.utcnow()


class Timestamps:
    """created_at / updated_at columns."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class Env(Timestamps, Base):
    """An environment: the system under test and how to reach it."""

    __tablename__ = "envs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(36), default="ready")
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extras: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Task(Timestamps, Base):
    """One run of a task file."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, index=True)
    env_uuid: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)
    env_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(36), index=True)
    pass_sla: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    input_task: Mapped[str] = mapped_column(Text, default="")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    validation_errors: Mapped[list[Any]] = mapped_column(default=list)
    task_duration: Mapped[float] = mapped_column(Float, default=0.0)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hostname: Mapped[str | None] = mapped_column(String(255), nullable=True)
    heartbeat: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Subtask(Timestamps, Base):
    """A titled group of workloads of a task."""

    __tablename__ = "subtasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, index=True)
    task_uuid: Mapped[str] = mapped_column(ForeignKey("tasks.uuid", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(36), default="init")
    pass_sla: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    duration: Mapped[float] = mapped_column(Float, default=0.0)


class Workload(Timestamps, Base):
    """One workload: a scenario, its runner, contexts, SLA, hooks and outcome."""

    __tablename__ = "workloads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, index=True)
    task_uuid: Mapped[str] = mapped_column(ForeignKey("tasks.uuid", ondelete="CASCADE"), index=True)
    subtask_uuid: Mapped[str] = mapped_column(ForeignKey("subtasks.uuid", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    runner_type: Mapped[str] = mapped_column(String(64))
    runner: Mapped[dict[str, Any]] = mapped_column(default=dict)
    contexts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    contexts_results: Mapped[list[Any]] = mapped_column(default=list)
    sla: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sla_results: Mapped[dict[str, Any]] = mapped_column(default=dict)
    hooks: Mapped[list[Any]] = mapped_column(default=list)
    # What the task still owned on its platforms after this workload's clean-up.
    leaks: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    status: Mapped[str] = mapped_column(String(36), default="init")
    pass_sla: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    start_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    load_duration: Mapped[float] = mapped_column(Float, default=0.0)
    full_duration: Mapped[float] = mapped_column(Float, default=0.0)
    min_duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    total_iteration_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_iteration_count: Mapped[int] = mapped_column(Integer, default=0)
    expected_iterations: Mapped[int | None] = mapped_column(Integer, nullable=True)
    statistics: Mapped[dict[str, Any]] = mapped_column(default=dict)


class WorkloadData(Base):
    """A chunk of iteration results of a workload, in order."""

    __tablename__ = "workload_data"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workload_uuid: Mapped[str] = mapped_column(ForeignKey("workloads.uuid", ondelete="CASCADE"))
    task_uuid: Mapped[str] = mapped_column(String(36), index=True)
    chunk_order: Mapped[int] = mapped_column(Integer)
    iteration_count: Mapped[int] = mapped_column(Integer)
    failed_iteration_count: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float] = mapped_column(Float)
    chunk_data: Mapped[list[Any]] = mapped_column(default=list)
    # The chunk's timings as columns (see repo.chunk_columns); NULL for chunks stored before 0004.
    columns: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)

    __table_args__ = (Index("ix_workload_data_workload_chunk", "workload_uuid", "chunk_order"),)


class Preference(Base):
    """A remembered choice, such as the default environment or task."""

    __tablename__ = "preferences"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DeploymentRun(Base):
    """One execution of a deployment graph (or of a fault action) on an environment.

    Its integer id is the seed's ``task_id``.
    """

    __tablename__ = "deployment_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    env_uuid: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)
    env_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    kind: Mapped[str] = mapped_column(String(32), default="graph")
    name: Mapped[str] = mapped_column(String(255), default="")
    graph: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(32), default="running")
    task_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DeploymentHistory(Base):
    """One deployment task on one node, in one run: the audit trail (never deleted)."""

    __tablename__ = "deployment_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deployment_task_id: Mapped[int] = mapped_column(ForeignKey("deployment_runs.id"), index=True)
    task_name: Mapped[str] = mapped_column(String(255))
    node_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), default="pending")
    time_start: Mapped[float | None] = mapped_column(Float, nullable=True)
    time_end: Mapped[float | None] = mapped_column(Float, nullable=True)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        Index("ix_history_run_node", "deployment_task_id", "node_id"),
        Index("ix_history_run_status", "deployment_task_id", "status"),
        Index("ix_history_run_name", "deployment_task_id", "task_name"),
    )
