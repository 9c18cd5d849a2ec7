"""squall's Python API: the one entry point of the CLI and the service.

>>> from squall.api import API
>>> api = API()                        # the default SQLite database
>>> task = api.task.create(config=text)
>>> api.task.start(task_id=task["uuid"])

Methods take keyword arguments only and return JSON-serialisable data.
"""

from __future__ import annotations

import threading

from squall import exceptions, registry
from squall.api.base import APIGroup
from squall.api.cleanup_group import CleanupAPI
from squall.api.context_group import ContextAPI
from squall.api.db_group import DbAPI
from squall.api.deployment_group import DeploymentAPI
from squall.api.env_group import EnvAPI
from squall.api.plugin_group import PluginAPI
from squall.api.remote import RemoteAPI
from squall.api.results_group import ResultsAPI
from squall.api.task_group import TaskAPI
from squall.api.verification_group import VerificationAPI
from squall.api.verifier_group import VerifierAPI
from squall.storage.db import Database
from squall.task.taskfile.isolated import RenderLimits, limits_from_environment, parse_size, workloads_from_environment

__all__ = ["API", "parse_size"]


class API:
    """All API groups over one results database, or over HTTP.

    With ``endpoint_url`` every call goes to that ``squall service`` and
    returns the same data, or raises the same exception, as a direct call.
    ``render_memory`` bounds the process that renders a templated task file,
    in bytes (default 512 MiB, or ``SQUALL_MAX_RENDER_MEMORY``); ``max_workloads`` is
    the most workloads one task file may hold (default 1,000, or
    ``SQUALL_MAX_WORKLOADS``). ``max_running``: the most tasks that
    ``task.launch`` lets run at once (a service's ``--max-running``; no limit
    by default).
    """

    def __init__(self, db_url: str | None = None, endpoint_url: str | None = None,
                 token: str | None = None, plugin_paths: list[str] | None = None,
                 render_memory: int | None = None, max_workloads: int | None = None,
                 max_running: int | None = None) -> None:
        if plugin_paths:
            if endpoint_url:
                raise exceptions.InvalidArgumentsError(
                    "--plugin-paths loads plugins into this process; a service loads its own "
                    "(squall --plugin-paths ... service start)")
            registry.load_paths(plugin_paths)
        self.db_url = db_url
        self.render_limits = RenderLimits(memory=render_memory) if render_memory else limits_from_environment()
        self.render_limits.check()
        self.max_workloads = max_workloads or workloads_from_environment()
        self.max_running = max_running
        self.launch_lock = threading.Lock()
        if self.max_workloads < 1:
            raise exceptions.InvalidArgumentsError("--max-workloads must be at least 1")
        self.endpoint_url = endpoint_url
        self.remote: RemoteAPI | None = RemoteAPI(endpoint_url, token) if endpoint_url else None
        self._database: Database | None = None
        self.env = EnvAPI(self)
        self.task = TaskAPI(self)
        self.results = ResultsAPI(self)
        self.plugin = PluginAPI(self)
        self.db = DbAPI(self)
        self.deployment = DeploymentAPI(self)
        self.cleanup = CleanupAPI(self)
        self.context = ContextAPI(self)
        self.verifier = VerifierAPI(self)
        self.verification = VerificationAPI(self)

    @property
    def database(self) -> Database:
        """The results database, opened on first use."""
        if self._database is None:
            self._database = Database(self.db_url)
        return self._database

    def groups(self) -> list[APIGroup]:
        """Every API group."""
        return [self.env, self.task, self.results, self.plugin, self.db, self.deployment, self.cleanup,
                self.context, self.verifier, self.verification]
