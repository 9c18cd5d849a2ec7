"""A verifier's set-up: its folder, what it installs, and its configuration file for each environment."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from squall import exceptions, registry, utils
from squall.storage import verify_repo
from squall.storage.db import Database
from squall.verify.verifier import Verifier

NO_ENV = ""  # the configuration key of a verifier run without an environment


def home_of(row: dict[str, Any]) -> Path:
    """The verifier's own folder (its venv, when it installs one): ``$SQUALL_HOME/verifiers/UUID``."""
    return utils.squall_home() / "verifiers" / row["uuid"]


def verifier_of(row: dict[str, Any], env_spec: dict[str, Any] | None = None) -> Verifier:
    """The plugin instance of a stored verifier."""
    cls = registry.get("verifier", row["plugin"])
    return cls(row["settings"], env_spec, home_of(row))  # type: ignore[call-arg,return-value]


def install(db: Database, row: dict[str, Any]) -> dict[str, Any]:
    """Install what the verifier needs; its row gets the version (status ``installed``), or ``failed``."""
    verifier = verifier_of(row)
    verify_repo.verifier_update(db, row["uuid"], status="installing")
    try:
        version = verifier.install()
    except (exceptions.SquallError, OSError, RuntimeError):
        verify_repo.verifier_update(db, row["uuid"], status="failed")
        raise
    verify_repo.verifier_update(db, row["uuid"], status="installed", version=version or row["version"])
    return verify_repo.verifier_get(db, row["uuid"])


def remove_home(row: dict[str, Any]) -> None:
    """Delete the verifier's own folder (a venv given in its settings is not its own, and stays)."""
    shutil.rmtree(home_of(row), ignore_errors=True)


def configuration(db: Database, row: dict[str, Any], env_row: dict[str, Any] | None,
                  reconfigure: bool = False) -> str | None:
    """The verifier's configuration for the environment, made (and stored) on first use or when asked."""
    env_uuid = env_row["uuid"] if env_row else NO_ENV
    text = None if reconfigure else verify_repo.config_get(db, row["uuid"], env_uuid)
    if text is None:
        text = verifier_of(row, env_row["spec"] if env_row else None).configure()
        if text is not None:
            verify_repo.config_set(db, row["uuid"], env_uuid, text)
    return text
