"""API group ``verifier``: the test suites squall can run (Rally's ``rally verify *-verifier``)."""

from __future__ import annotations

import builtins
from typing import Any

from squall import exceptions, registry, schema
from squall.api.base import APIGroup, api_method, public_row
from squall.storage import repo, verify_repo
from squall.verify import verifier_setup

DEFAULT_VERIFIER_KEY = "default_verifier"


def _installs(api: Any, kwargs: dict[str, Any]) -> builtins.list[str]:
    """create/update run commands when the verifier installs software (Tempest with pip)."""
    try:
        if "plugin" in kwargs:
            plugin = kwargs["plugin"]
        else:
            plugin = api.verifier.resolve(kwargs.get("verifier"))["plugin"]
        cls = registry.get("verifier", plugin)
    except exceptions.SquallError:
        return []  # the call itself will say what is wrong
    return [f"the {cls.plugin_name} verifier installs software"] if getattr(cls, "INSTALLS", False) else []


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

    @api_method("POST", runs_commands=_installs)
    def create(self, name: str, plugin: str, settings: dict[str, Any] | None = None, env: str | None = None,
               version: str = "", use: bool = True) -> dict[str, Any]:
        """Store a verifier: a plugin and its settings (a pytest suite's path, a command, Tempest's version).

        A verifier that needs software (Tempest) installs it now; when that fails, nothing is kept.
        """
        cls = registry.get("verifier", plugin)
        settings = dict(settings or {})
        if version and "version" in cls.CONFIG_SCHEMA.get("properties", {}):
            settings.setdefault("version", version)
        errors = schema.collect(cls.CONFIG_SCHEMA, settings, "settings")
        if errors:
            raise exceptions.InvalidArgumentsError("; ".join(errors))
        env_row = self.api.env.resolve(env) if env else None
        row = verify_repo.verifier_create(self.db, name=name, plugin=cls.plugin_name, settings=settings,
                                          version=version, env_uuid=env_row["uuid"] if env_row else None)
        if getattr(cls, "INSTALLS", False):
            try:
                row = verifier_setup.install(self.db, row)
            except (exceptions.SquallError, OSError, RuntimeError):
                verify_repo.verifier_delete(self.db, row["uuid"])
                verifier_setup.remove_home(row)
                raise
        if use:
            repo.pref_set(self.db, DEFAULT_VERIFIER_KEY, row["uuid"])
        return public_row(row)

    @api_method("POST", runs_commands=_installs)
    def update(self, verifier: str | None = None, version: str | None = None,
               settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """Change a verifier's settings (or only its version) and install again what it needs."""
        row = self.resolve(verifier)
        cls = registry.get("verifier", row["plugin"])
        new = dict(row["settings"] if settings is None else settings)
        if version:
            if "version" not in cls.CONFIG_SCHEMA.get("properties", {}):
                raise exceptions.InvalidArgumentsError(f"the {row['plugin']} verifier has no version to change")
            new["version"] = version
        errors = schema.collect(cls.CONFIG_SCHEMA, new, "settings")
        if errors:
            raise exceptions.InvalidArgumentsError("; ".join(errors))
        verify_repo.verifier_update(self.db, row["uuid"], settings=new)
        row = verify_repo.verifier_get(self.db, row["uuid"])
        if getattr(cls, "INSTALLS", False):
            row = verifier_setup.install(self.db, row)
        return public_row(row)

    @api_method("GET", runs_commands=False)
    def configuration(self, verifier: str | None = None, env: str | None = None,
                      include_secrets: bool = False) -> dict[str, Any]:
        """The verifier's configuration file for the environment (``config`` None until it is configured)."""
        row = self.resolve(verifier)
        env_row = self._env_row(row, env)
        text = verify_repo.config_get(self.db, row["uuid"], env_row["uuid"] if env_row else verifier_setup.NO_ENV)
        return self._config_answer(row, env_row, text, include_secrets)

    @api_method("POST", runs_commands=False, remote=True)
    def configure(self, verifier: str | None = None, env: str | None = None, reconfigure: bool = False,
                  extend: str | dict[str, dict[str, Any]] | None = None, override: str | None = None,
                  include_secrets: bool = False) -> dict[str, Any]:
        """Make the verifier's configuration for the environment (from the cloud, on first use or with
        ``reconfigure``), then ``extend`` it with options (ini text or sections) or ``override`` it whole."""
        if extend is not None and override is not None:
            raise exceptions.InvalidArgumentsError("extend and override exclude each other")
        row = self.resolve(verifier)
        env_row = self._env_row(row, env)
        text = verifier_setup.configuration(self.db, row, env_row, reconfigure=reconfigure)
        if text is None:
            raise exceptions.InvalidArgumentsError(f"the {row['plugin']} verifier has no configuration file; "
                                                   "its settings are shown by show-verifier")
        if extend is not None or override is not None:
            plugin = verifier_setup.verifier_of(row)
            text = plugin.extend_config(text, extend) if extend is not None else plugin.override_config(
                text, str(override))
            verify_repo.config_set(self.db, row["uuid"], env_row["uuid"] if env_row else verifier_setup.NO_ENV,
                                   text)
        return self._config_answer(row, env_row, text, include_secrets)

    def _env_row(self, row: dict[str, Any], env: str | None) -> dict[str, Any] | None:
        """The environment named, else the verifier's own, else the one in use."""
        if env or not row["env_uuid"]:
            return self.api.env.resolve(env)  # type: ignore[no-any-return]
        return repo.env_get(self.db, row["env_uuid"])

    def _config_answer(self, row: dict[str, Any], env_row: dict[str, Any] | None, text: str | None,
                       include_secrets: bool) -> dict[str, Any]:
        if text is not None and not include_secrets:
            text = verifier_setup.verifier_of(row).shown_config(text)
        return {"verifier": row["uuid"], "env": env_row["uuid"] if env_row else None, "config": text}

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
    def list_tests(self, verifier: str | None = None, pattern: str | None = None,
                   env: str | None = None) -> builtins.list[str]:
        """The ids of a verifier's tests (matching ``pattern``), collected without running them."""
        row = self.resolve(verifier)
        env_row = self._env_row(row, env)
        plugin = verifier_setup.verifier_of(row, env_row["spec"] if env_row else None)
        plugin.config = verifier_setup.configuration(self.db, row, env_row)
        return plugin.list_tests(pattern)

    @api_method("DELETE", runs_commands=False)
    def delete(self, verifier: str) -> dict[str, Any]:
        """Delete a verifier with its verifications."""
        row = self.resolve(verifier)
        verify_repo.verifier_delete(self.db, row["uuid"])
        verifier_setup.remove_home(row)
        if repo.pref_get(self.db, DEFAULT_VERIFIER_KEY) == row["uuid"]:
            repo.pref_set(self.db, DEFAULT_VERIFIER_KEY, None)
        return {"deleted": row["uuid"]}
