"""API group ``context``: persistent contexts, set up once on an environment and shared by tasks."""

from __future__ import annotations

from typing import Any

from squall import exceptions, utils
from squall.api.base import APIGroup, api_method
from squall.env.secrets import redact
from squall.storage import context_repo
from squall.task.engine import lifecycle, persistent
from squall.task.taskfile import validate


def _public(row: dict[str, Any], env_name: str | None, include_secrets: bool = False) -> dict[str, Any]:
    return {"uuid": row["uuid"], "name": row["name"], "env_uuid": row["env_uuid"], "env_name": env_name,
            "status": row["status"], "config": row["config"],
            "state": row["state"] if include_secrets else redact(row["state"]),
            "contexts_results": row["results"],
            "created_at": utils.iso(row["created_at"]), "updated_at": utils.iso(row["updated_at"])}


def _file_reads(api: Any, kwargs: dict[str, Any]) -> list[str]:
    """The host files the contexts being set up would read (an image from a local path)."""
    config = kwargs.get("config")
    return validate.context_file_reads(config, "contexts") if isinstance(config, dict) else []


class ContextAPI(APIGroup):
    """Set up, list, show and clean up persistent contexts."""

    group_name = "context"

    def _env_name(self, env_uuid: str) -> str | None:
        try:
            return str(self.api.env.get(env=env_uuid)["name"])
        except exceptions.NotFoundError:
            return None

    @api_method("POST", runs_commands=_file_reads, remote=True)
    def setup(self, name: str, config: dict[str, Any], env: str | None = None) -> dict[str, Any]:
        """Set up the contexts of ``config`` (``{NAME: CONFIG}``) once on the environment, as ``name``.

        Their resources carry the context's own squall name; tasks created
        with ``persistent_context=name`` use them, and only ``cleanup``
        deletes them. A failed set-up cleans up what it made.
        """
        if not name or not name.strip():
            raise exceptions.InvalidArgumentsError("a persistent context needs a name")
        env_row = self.api.env.resolve(env)
        if env_row is None:
            raise exceptions.InvalidArgumentsError("no environment given and none in use")
        contexts = persistent.contexts_of(config)
        errors = persistent.config_errors(contexts, env_row["spec"], env_row["name"])
        if errors:
            raise exceptions.InvalidConfigError("persistent context is invalid:\n"
                                                + "\n".join(f"  - {e}" for e in errors))
        row = persistent.setup(self.db, env_row, name, contexts)
        return _public(row, env_row["name"])

    @api_method("GET", runs_commands=False)
    def list(self, env: str | None = None) -> list[dict[str, Any]]:
        """The persistent contexts (of one environment, when given)."""
        env_uuid = None
        if env is not None:
            env_uuid = self.api.env.get(env=env)["uuid"]
        rows = context_repo.context_list(self.db, env_uuid)
        return [_public(r, self._env_name(r["env_uuid"])) for r in rows]

    @api_method("GET", runs_commands=False)
    def get(self, name: str, include_secrets: bool = False) -> dict[str, Any]:
        """One persistent context by name or UUID (its users' passwords hidden unless ``include_secrets``)."""
        row = context_repo.context_get(self.db, name)
        return _public(row, self._env_name(row["env_uuid"]), include_secrets)

    @api_method("POST", runs_commands=False, remote=True)
    def cleanup(self, name: str, dry_run: bool = False) -> dict[str, Any]:
        """Delete everything the persistent context made, by name and by owner, then forget it.

        Refused while a task runs on it. ``dry_run`` lists what would go.
        """
        row = context_repo.context_get(self.db, name)
        running = [lifecycle.refresh(self.db, t) for t in context_repo.tasks_using(self.db, row["uuid"],
                                                                                     lifecycle.ACTIVE)]
        running = [t for t in running if t["status"] in lifecycle.ACTIVE]
        if running and not dry_run:
            raise exceptions.InvalidStateError(
                f"persistent context '{row['name']}' is in use by running task {running[0]['uuid']}")
        try:
            env_row = self.api.env.resolve(row["env_uuid"])
        except exceptions.NotFoundError:
            env_row = None
        if env_row is None:
            raise exceptions.InvalidStateError(
                f"persistent context '{row['name']}': its environment {row['env_uuid']} is gone")
        return persistent.cleanup(self.db, row, env_row["spec"], dry_run)
