"""API group ``verifier``: the test suites squall can run (Rally's ``rally verify *-verifier``)."""

from __future__ import annotations

import builtins
from typing import Any

from squall import exceptions, registry, schema
from squall.api.base import APIGroup, api_method, public_row
from squall.storage import repo, verify_repo

DEFAULT_VERIFIER_KEY = "default_verifier"


class VerifierAPI(APIGroup):
    """Create, list, show, use and delete verifiers."""

    group_name = "verifier"

    def resolve(self, verifier: str | None) -> dict[str, Any]:
        """The verifier row named, or the one in use."""
        name = verifier or repo.pref_get(self.db, DEFAULT_VERIFIER_KEY)
        if not name:
            raise exceptions.InvalidArgumentsError("no verifier given and none in use (see 'squall verify "
                                                   "create-verifier' and 'use-verifier')")
        return verify_repo.verifier_get(self.db, name)

    @api_method("GET", runs_commands=False)
    def list_plugins(self) -> builtins.list[dict[str, Any]]:
        """The verifier plugins: name, title and the settings each takes."""
        return [{k: info[k] for k in ("name", "title", "description", "schema")}
                for info in (c.get_info() for c in registry.all_plugins()) if info["kind"] == "verifier"]

    @api_method("POST", runs_commands=False)
    def create(self, name: str, plugin: str, settings: dict[str, Any] | None = None, env: str | None = None,
               version: str = "", use: bool = True) -> dict[str, Any]:
        """Store a verifier: a plugin and its settings (a pytest suite's path, a command); nothing runs yet."""
        cls = registry.get("verifier", plugin)
        settings = dict(settings or {})
        errors = schema.collect(cls.CONFIG_SCHEMA, settings, "settings")
        if errors:
            raise exceptions.InvalidArgumentsError("; ".join(errors))
        env_row = self.api.env.resolve(env) if env else None
        row = verify_repo.verifier_create(self.db, name=name, plugin=cls.plugin_name, settings=settings,
                                          version=version, env_uuid=env_row["uuid"] if env_row else None)
        if use:
            repo.pref_set(self.db, DEFAULT_VERIFIER_KEY, row["uuid"])
        return public_row(row)

    @api_method("GET", runs_commands=False)
    def list(self) -> builtins.list[dict[str, Any]]:
        """Every verifier."""
        return [public_row(r) for r in verify_repo.verifier_list(self.db)]

    @api_method("GET", runs_commands=False)
    def get(self, verifier: str | None = None) -> dict[str, Any]:
        """One verifier (default: the one in use)."""
        return public_row(self.resolve(verifier))

    @api_method("POST", runs_commands=False)
    def use(self, verifier: str) -> dict[str, Any]:
        """Make a verifier the default of later commands."""
        row = self.resolve(verifier)
        repo.pref_set(self.db, DEFAULT_VERIFIER_KEY, row["uuid"])
        return public_row(row)

    @api_method("GET", runs_commands=True)
    def list_tests(self, verifier: str | None = None, pattern: str | None = None) -> builtins.list[str]:
        """The ids of a verifier's tests (matching ``pattern``), collected without running them."""
        from squall.verify.run import verifier_of

        return verifier_of(self.resolve(verifier)).list_tests(pattern)

    @api_method("DELETE", runs_commands=False)
    def delete(self, verifier: str) -> dict[str, Any]:
        """Delete a verifier with its verifications."""
        row = self.resolve(verifier)
        verify_repo.verifier_delete(self.db, row["uuid"])
        if repo.pref_get(self.db, DEFAULT_VERIFIER_KEY) == row["uuid"]:
            repo.pref_set(self.db, DEFAULT_VERIFIER_KEY, None)
        return {"deleted": row["uuid"]}
