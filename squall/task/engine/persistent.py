"""Persistent contexts: contexts set up once on an environment and shared by many tasks.

The cleanup design's second use case. ``setup`` runs the contexts a file
names as a task's workload would, under a UUID of the context's own (so its
resources carry a squall name no task has), and stores the state they left
in the workload context (users and their credentials, tenants, networks,
images). A task run on it skips those contexts and starts from that state;
its own clean-up, its crash and ``squall cleanup --task`` never touch it.
``cleanup`` deletes everything carrying the context's name, and what those
resources own, in dependency order.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from squall import exceptions, registry
from squall.env import platform
from squall.storage import context_repo
from squall.storage.db import Database
from squall.task.engine.context_manager import ContextManager
from squall.task.taskfile import validate

#: Contexts a persistent context cannot hold: they clean up a workload's own resources.
NOT_PERSISTABLE = ("cleanup", "admin_cleanup")
#: Workload-context keys the engine sets itself; everything else is what the contexts left.
ENGINE_KEYS = ("task", "owner_id", "env", "config", "persistent_context")


def contexts_of(document: Any) -> dict[str, Any]:
    """The contexts of a setup file: ``{NAME: CONFIG}``, or that mapping under ``contexts`` (or Rally's ``context``)."""
    if isinstance(document, dict) and len(document) == 1 and next(iter(document)) in ("contexts", "context"):
        document = next(iter(document.values()))
    if not isinstance(document, dict) or not document:
        raise exceptions.InvalidConfigError("a persistent context file must be a mapping of contexts "
                                            "(e.g. {users: {tenants: 2}, network: {}})")
    return document


def config_errors(contexts: dict[str, Any], env_spec: dict[str, Any], env_name: str) -> list[str]:
    """Every problem of the contexts: unknown ones, schema errors, ones that cannot persist, missing platforms."""
    errors = []
    for name, cfg in contexts.items():
        found = validate.plugin_errors("context", name, cfg, f"contexts.{name}")
        cls = registry.find("context", name)
        if cls is not None and cls.plugin_name in NOT_PERSISTABLE:
            found.append(f"contexts.{name}: a clean-up context cannot be persistent")
        errors.extend(found)
    named = [("context", name, f"contexts.{name}") for name in contexts]
    return errors + validate.missing_platforms(named, env_spec, env_name)


def _canonical(contexts: dict[str, Any]) -> dict[str, Any]:
    return {registry.get("context", name).plugin_name: cfg for name, cfg in contexts.items()}


def _workload_context(row: dict[str, Any], env_spec: dict[str, Any]) -> dict[str, Any]:
    return {"task": {"uuid": row["uuid"]}, "owner_id": row["uuid"], "env": env_spec, "config": row["config"],
            "persistent_context": {"uuid": row["uuid"], "name": row["name"]}}


def _stored_state(context: dict[str, Any]) -> dict[str, Any]:
    state = {k: v for k, v in context.items() if k not in ENGINE_KEYS}
    try:
        return dict(json.loads(json.dumps(state)))
    except (TypeError, ValueError) as exc:
        raise exceptions.InvalidConfigError(f"the contexts left state squall cannot store: {exc}") from None


def setup(db: Database, env_row: dict[str, Any], name: str, contexts: dict[str, Any]) -> dict[str, Any]:
    """Set the contexts up and store what they made as the persistent context ``name``; returns its row.

    A failed set-up cleans up what it made and forgets the context; when
    that clean-up fails too, the row stays (status ``failed``) for
    ``cleanup`` to finish.
    """
    contexts = _canonical(contexts)
    row = context_repo.context_create(db, name=name, env_uuid=env_row["uuid"], status="setting_up",
                                      config=contexts, state={}, results=[])
    context = _workload_context(row, env_row["spec"])
    manager = ContextManager(contexts, context)
    try:
        manager.setup()
        state = _stored_state(context)
    except BaseException as exc:
        manager.cleanup()
        swept = platform.cleanup_spec(env_row["spec"], row["uuid"], dry_run=False, negative=False)
        left = [r for r in manager.results if r["cleanup"]["error"]] or [p for p in swept if p["failed"]]
        if left:
            context_repo.context_update(db, row["uuid"], status="failed", results=manager.results)
        else:
            context_repo.context_delete(db, row["uuid"])
        if isinstance(exc, exceptions.SquallError) and left:
            raise exceptions.InvalidStateError(
                f"{exc}; its clean-up left resources: run 'squall env cleanup-context {name}'") from None
        raise
    context_repo.context_update(db, row["uuid"], status="ready", state=state, results=manager.results)
    return context_repo.context_get(db, row["uuid"])


def provided(row: dict[str, Any]) -> tuple[set[str], dict[str, Any]]:
    """What a persistent context gives a workload: the contexts it replaces, and a copy of their state."""
    return set(row["config"]), {**copy.deepcopy(row["state"]),
                                "persistent_context": {"uuid": row["uuid"], "name": row["name"]}}


def cleanup(db: Database, row: dict[str, Any], env_spec: dict[str, Any], dry_run: bool = False) -> dict[str, Any]:
    """Delete everything the persistent context made, by its name and by owner; forget it when nothing is left.

    Returns ``{name, uuid, dry_run, platforms: [cleanup reports]}``; a
    clean-up that failed for some resource keeps the row (``cleanup_failed``)
    so that it can be run again.
    """
    if not dry_run:
        context_repo.context_update(db, row["uuid"], status="cleaning")
    reports = platform.cleanup_spec(env_spec, row["uuid"], dry_run=dry_run, negative=False)
    if not dry_run:
        if any(r["failed"] for r in reports):
            context_repo.context_update(db, row["uuid"], status="cleanup_failed")
        else:
            context_repo.context_delete(db, row["uuid"])
    return {"name": row["name"], "uuid": row["uuid"], "dry_run": dry_run, "platforms": reports}
