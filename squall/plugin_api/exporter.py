"""Exporter plugins: a task's results as a file (``squall task export --type NAME``).

An exporter reads the tasks through a :class:`ResultsReader` (never the
database) and returns text. squall's own are ``json`` (Rally 5.1.1's
schema), ``squall-json``, ``old-json-results``, ``junit-xml`` and ``csv``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from squall import registry


class ResultsReader(Protocol):
    """The tasks an exporter writes, and the records of their workloads."""

    @property
    def tasks(self) -> list[dict[str, Any]]:
        """Each task as a tree: the task's fields, ``subtasks``, each with ``workloads`` (their settings,
        statistics, SLA results and hooks; iterations come from :meth:`iterations`)."""

    def iterations(self, workload_uuid: str) -> list[dict[str, Any]]:
        """Every iteration of a workload in Rally's shape (``timestamp``, ``duration``, ``idle_duration``,
        ``error``, ``atomic_actions``, ``output``), in the order they ended."""

    def seconds(self, workload_uuid: str) -> list[dict[str, Any]]:
        """The per-second figures of a workload run with ``--results aggregate`` (empty otherwise)."""


class Exporter(registry.Plugin):
    """Base of exporters: implement :meth:`export`."""

    plugin_kind: ClassVar[str] = "exporter"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {}
    #: How many tasks one file can hold (None: any number).
    MAX_TASKS: ClassVar[int | None] = None

    def export(self, results: ResultsReader) -> str:
        """The file's text."""
        raise NotImplementedError
