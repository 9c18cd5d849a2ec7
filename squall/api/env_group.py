"""API group ``env``: environments (Rally's deployments)."""

from __future__ import annotations

from typing import Any

from squall import exceptions, utils
from squall.api.base import APIGroup, api_method
from squall.env.platform import check_spec, from_rally_deployment, validate_spec
from squall.env.secrets import redact
from squall.storage import context_repo, repo

DEFAULT_ENV_KEY = "default_env"


def _public(env: dict[str, Any], default: str | None = None, include_secrets: bool = False) -> dict[str, Any]:
    return {
        "uuid": env["uuid"], "name": env["name"], "description": env["description"],
        "status": env["status"], "spec": env["spec"] if include_secrets else redact(env["spec"]),
        "default": env["uuid"] == default,
        "created_at": utils.iso(env["created_at"]), "updated_at": utils.iso(env["updated_at"]),
    }


def _node_checks(api: Any, kwargs: dict[str, Any]) -> list[str]:
    """An environment check connects to every node over SSH and runs a command there."""
    row = api.env.resolve(kwargs.get("env"))
    if row and "nodes" in row["spec"]:
        return [f"checking environment '{row['name']}' runs a command on each of its nodes"]
    return []


class EnvAPI(APIGroup):
    """Create, inspect, check and delete environments."""

    group_name = "env"

    def _default_uuid(self) -> str | None:
        return repo.pref_get(self.db, DEFAULT_ENV_KEY)

    def resolve(self, env: str | None) -> dict[str, Any] | None:
        """The environment row named, the default one, or None."""
        if env:
            return repo.env_get(self.db, env)
        default = self._default_uuid()
        if default is None:
            return None
        try:
            return repo.env_get(self.db, default)
        except exceptions.NotFoundError:
            return None

    @api_method("POST", runs_commands=False)
    def create(self, name: str, spec: dict[str, Any] | None = None, description: str = "",
               use: bool = True) -> dict[str, Any]:
        """Create an environment from a spec (``{PLATFORM: CONFIG}``, or Rally's old ``{"type": "ExistingCloud",
        "creds": ...}`` deployment, converted: ``converted_from_deployment`` says so); make it default."""
        if not name or not name.strip():
            raise exceptions.InvalidArgumentsError("environment name must not be empty")
        spec, converted = from_rally_deployment(spec or {})
        spec = validate_spec(spec)
        env = repo.env_create(self.db, name=name, spec=spec, description=description)
        if use:
            repo.pref_set(self.db, DEFAULT_ENV_KEY, env["uuid"])
        return {**_public(env, self._default_uuid()), "converted_from_deployment": converted}

    @api_method("GET", runs_commands=False)
    def list(self) -> list[dict[str, Any]]:
        """Every environment."""
        default = self._default_uuid()
        return [_public(e, default) for e in repo.env_list(self.db)]

    @api_method("GET", runs_commands=False)
    def get(self, env: str | None = None, include_secrets: bool = False) -> dict[str, Any]:
        """One environment by name or UUID (default: the one in use).

        Passwords, tokens and other secrets in its spec show as ``***``
        unless ``include_secrets`` is true.
        """
        return _public(self._row(env), self._default_uuid(), include_secrets)

    def _row(self, env: str | None) -> dict[str, Any]:
        row = self.resolve(env)
        if row is None:
            raise exceptions.NotFoundError(kind="environment", name=env or "(default)")
        return row

    @api_method("POST", runs_commands=False)
    def use(self, env: str) -> dict[str, Any]:
        """Make an environment the default for later commands."""
        row = repo.env_get(self.db, env)
        repo.pref_set(self.db, DEFAULT_ENV_KEY, row["uuid"])
        return _public(row, row["uuid"])

    @api_method("GET", runs_commands=_node_checks, remote=True)
    def check(self, env: str | None = None) -> dict[str, Any]:
        """Check that every platform of the environment can be reached."""
        row = self._row(env)
        results = check_spec(row["spec"])
        return {"env": row["name"], "available": all(r["available"] for r in results), "platforms": results}

    @api_method("POST", runs_commands=False)
    def update(self, env: str, spec: dict[str, Any] | None = None,
               description: str | None = None) -> dict[str, Any]:
        """Replace an environment's spec (Rally's deployment config, old or new form) or description; its UUID,
        name and tasks stay. A new spec is refused while the environment has persistent contexts, which were
        set up on the old one."""
        row = repo.env_get(self.db, env)
        values: dict[str, Any] = {}
        converted = False
        if spec is not None:
            spec, converted = from_rally_deployment(spec)
            values["spec"] = validate_spec(spec)
            kept = context_repo.context_list(self.db, row["uuid"])
            if kept and values["spec"] != row["spec"]:
                raise exceptions.InvalidStateError(
                    f"environment '{row['name']}' has persistent contexts set up on its current spec: clean "
                    f"them up first (squall env cleanup-context {kept[0]['name']})")
        if description is not None:
            values["description"] = description
        updated = repo.env_update(self.db, row["uuid"], **values) if values else row
        return {**_public(updated, self._default_uuid()), "converted_from_deployment": converted}

    @api_method("DELETE", runs_commands=False)
    def delete(self, env: str) -> dict[str, Any]:
        """Delete an environment; its tasks and their results stay. Refused while it has persistent contexts."""
        row = repo.env_get(self.db, env)
        kept = context_repo.context_list(self.db, row["uuid"])
        if kept:
            raise exceptions.InvalidStateError(
                f"environment '{row['name']}' has persistent contexts: clean them up first "
                f"(squall env cleanup-context {kept[0]['name']})")
        repo.env_delete(self.db, row["uuid"])
        if self._default_uuid() == row["uuid"]:
            repo.pref_set(self.db, DEFAULT_ENV_KEY, None)
        return {"deleted": row["uuid"], "name": row["name"]}
