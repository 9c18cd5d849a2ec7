"""Load a task results file in Rally's JSON format (1.x) into the database."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from typing import Any

from squall import bounded, exceptions, import_shape, utils
from squall.storage import repo
from squall.storage.db import Database
from squall.task.engine import lifecycle

_CHUNK = 10_000


def _time(value: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return utils.utcnow()
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return utils.utcnow()


def _single(mapping: dict[str, Any], what: str) -> tuple[str, Any]:
    try:
        return utils.only_item(mapping, what)
    except ValueError as exc:
        raise exceptions.InvalidArgumentsError(f"results file: {exc}") from None


def parse(text: str) -> dict[str, Any]:
    """Check the document's shape; raise a precise error when it is not one."""
    if len(text) > bounded.MAX_IMPORT_CHARS:
        raise exceptions.InvalidArgumentsError(
            f"results file is {len(text):,} characters; the limit is {bounded.MAX_IMPORT_CHARS:,}")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise exceptions.InvalidArgumentsError(
            f"results file is not JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise exceptions.InvalidArgumentsError("results file is nested too deeply") from None
    if isinstance(doc, list):  # Rally's older `rally task results` format
        from squall.exporters import old_results

        return old_results.to_document(doc)
    if not isinstance(doc, dict) or "tasks" not in doc or "info" not in doc:
        raise exceptions.InvalidArgumentsError(
            "results file is not a task report in JSON (expected keys 'info' and 'tasks')")
    version = str(doc["info"].get("format_version", ""))
    if not version.startswith("1."):
        raise exceptions.InvalidArgumentsError(f"results file has unsupported format_version '{version}'")
    for task in doc["tasks"] if isinstance(doc["tasks"], list) else []:
        for sub in (task.get("subtasks") or []) if isinstance(task, dict) else []:
            for wl in (sub.get("workloads") or []) if isinstance(sub, dict) else []:
                if isinstance(wl, dict) and wl.get("seconds"):
                    _checked_seconds(wl["seconds"], str(wl.get("uuid", "?")))
    return doc


def _start_time_us(value: Any) -> int | None:
    # Rally writes epoch seconds; squall's exports before squall_format 1 wrote microseconds.
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return int(value) if value > 1e14 else int(value * 1_000_000)


def _hook_run(run: dict[str, Any], action: str) -> dict[str, Any]:
    """A hook run in squall's shape, from Rally's (error as a list) or squall's."""
    out = dict(run)
    error = run.get("error")
    if isinstance(error, list):
        parts = [str(p) for p in error] + ["", "", ""]
        out["error"] = {"exception_name": parts[0], "description": parts[1], "details": parts[2]}
    out.setdefault("hook", action)
    if "started_at" in run and "finished_at" in run:
        out.setdefault("duration", run["finished_at"] - run["started_at"])
    return out


def _hooks(hooks: Any) -> list[dict[str, Any]]:
    if not isinstance(hooks, list):
        return []
    out = []
    for hook in hooks:
        if not isinstance(hook, dict):
            continue
        config = dict(hook.get("config") or {})
        for key in ("action", "trigger"):  # Rally's stored form is a [name, args] pair
            if isinstance(config.get(key), list) and len(config[key]) == 2:
                config[key] = {str(config[key][0]): config[key][1]}
        action = next(iter(config.get("action") or {"": None}))
        out.append({**hook, "config": config,
                    "results": [_hook_run(r, action) for r in hook.get("results") or [] if isinstance(r, dict)]})
    return out


_NUMBERS = {"type": "array", "items": {"type": "number"}}
SECOND_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["s", "n", "failed", "busy", "ok_n", "ok", "fs", "a", "errors", "late", "peak"],
    "properties": {
        "s": {"type": "integer"}, "n": {"type": "integer", "minimum": 0},
        "failed": {"type": "integer", "minimum": 0}, "ok_n": {"type": "integer", "minimum": 0},
        "late": {"type": "integer", "minimum": 0}, "peak": {"type": "integer", "minimum": 0},
        "busy": {"type": "number", "minimum": 0},
        "ok": {"anyOf": [{"type": "null"}, {**_NUMBERS, "minItems": 4, "maxItems": 4}]},
        "fs": {"anyOf": [{"type": "null"}, {**_NUMBERS, "minItems": 3, "maxItems": 3}]},
        "a": {"type": "object", "additionalProperties": {**_NUMBERS, "minItems": 2, "maxItems": 2}},
        "errors": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
    },
}


def _checked_seconds(seconds: Any, workload: str) -> list[dict[str, Any]]:
    """The per-second records of an aggregate-mode workload, each checked against :data:`SECOND_SCHEMA`."""
    import jsonschema

    if not isinstance(seconds, list):
        raise exceptions.InvalidArgumentsError(f"workload {workload}: 'seconds' must be a list of records")
    checker = jsonschema.Draft202012Validator(SECOND_SCHEMA)
    for index, record in enumerate(seconds):
        error = jsonschema.exceptions.best_match(checker.iter_errors(record))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "record"
            raise exceptions.InvalidArgumentsError(
                f"workload {workload}: seconds[{index}] {where}: {error.message[:200]}")
    return seconds


def _source_uuid(task: dict[str, Any]) -> str | None:
    uuid = task.get("uuid")
    return uuid if isinstance(uuid, str) and len(uuid) <= 36 else None


def import_document(db: Database, doc: dict[str, Any], tags: list[str] | None = None) -> list[str]:
    """Store every task of the document as a new task; returns their UUIDs.

    The whole document is checked before anything is stored. Each task is
    ``importing`` until all of it is stored, then takes its status from the
    file; a failure deletes what was stored of it (a killed import is found
    ``crashed`` later, saying what is missing). Importing a file again
    replaces what an interrupted import of it left, so a retry does not
    leave two; a file imported whole and imported again gives a second task,
    as in Rally.
    """
    import_shape.check_document(doc)
    uuids = []
    for index, task in enumerate(doc["tasks"]):
        _drop_interrupted(db, task)
        uuids.append(_import_task(db, task, tags, f"tasks[{index}]"))
    return uuids


def _drop_interrupted(db: Database, task: dict[str, Any]) -> None:
    """Delete what an interrupted import of the same source task left (crashed, or importing with its
    process gone)."""
    source = _source_uuid(task)
    if source is None:
        return
    for row in repo.task_list(db, imported_from=source):
        if (row["status"] == "crashed" and _was_import(db, row)) or \
                (row["status"] == lifecycle.IMPORTING and lifecycle.is_orphaned(row)):
            repo.task_delete(db, row["uuid"])


def _was_import(db: Database, row: dict[str, Any]) -> bool:
    """Whether a crashed task is an interrupted import (not a crashed run that was imported whole)."""
    errors = repo.task_get(db, row["uuid"]).get("validation_errors") or []
    return any(isinstance(e, str) and e.startswith("import interrupted") for e in errors)


def _env_name(task: dict[str, Any]) -> str | None:
    """The task's environment name; Rally's "n/a" (no environment) is none, shown as every task without one."""
    name = task.get("env_name")
    return None if name in (None, "", "n/a") else str(name)


def _import_task(db: Database, task: dict[str, Any], tags: list[str] | None, where: str) -> str:
    row = repo.task_create(
        db, title=task.get("title") or "", description=task.get("description") or "",
        tags=list(task.get("tags") or []) + list(tags or []), status="importing",
        pass_sla=task.get("pass_sla"), env_uuid=None, env_name=_env_name(task),
        created_at=_time(task.get("created_at")), input_task="", config={},
        imported_from=_source_uuid(task), pid=os.getpid(), hostname=socket.gethostname(),
        validation_errors=[{"import_expected_workloads": import_shape.workload_count(task)}],
    )
    try:
        duration = _store_subtasks(db, row["uuid"], task, where)
        repo.task_update(db, row["uuid"], status=task.get("status") or "finished", task_duration=duration,
                         validation_errors=[])
    except BaseException as exc:
        _forget(db, row["uuid"])
        cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps what the JSON encoder raised
        if isinstance(cause, TypeError | ValueError | RecursionError):
            raise exceptions.InvalidArgumentsError(
                f"results file: {getattr(exc, 'where', where)}: cannot be stored: {cause} "
                "(a value nested deeper than 250 levels, or not JSON)") from None
        raise
    return str(row["uuid"])


def _forget(db: Database, uuid: str) -> None:
    """Delete what a failed import stored; if even that fails, leave it marked crashed, never whole."""
    try:
        repo.task_delete(db, uuid)
    except Exception:
        try:
            repo.task_update(db, uuid, status="crashed", pass_sla=False, validation_errors=[
                "import interrupted: it failed and what it stored could not be deleted; delete this task"])
        except Exception:
            pass  # the database refuses every write: the row stays 'importing' and is found crashed later


def _store_subtasks(db: Database, task_uuid: str, task: dict[str, Any], where: str) -> float:
    duration = 0.0
    for position, sub in enumerate(task.get("subtasks") or []):
        srow = repo.subtask_create(db, task_uuid=task_uuid, position=position,
                                   title=sub.get("title") or "", description=sub.get("description") or "",
                                   status=sub.get("status", "finished"), pass_sla=None)
        sub_pass = True
        for number, wl in enumerate(sub.get("workloads") or []):
            try:
                _store_workload(db, task_uuid, srow["uuid"], wl)
            except Exception as exc:
                exc.where = f"{where}.subtasks[{position}].workloads[{number}]"  # type: ignore[attr-defined]
                raise
            sub_pass = sub_pass and bool(wl.get("pass_sla"))
            duration += wl.get("full_duration") or 0.0
        repo.subtask_update(db, srow["uuid"], pass_sla=sub_pass)
    return duration


def _store_workload(db: Database, task_uuid: str, subtask_uuid: str, wl: dict[str, Any]) -> None:
    name, args = _single(wl["scenario"], "workload scenario")
    runner_type, runner = _single(wl["runner"], "workload runner")
    wrow = repo.workload_create(
        db, task_uuid=task_uuid, subtask_uuid=subtask_uuid, position=wl.get("position", 0),
        name=name, description=wl.get("description") or "", args=args or {},
        runner_type=runner_type, runner=runner or {}, contexts=wl.get("contexts") or {},
        contexts_results=wl.get("contexts_results") or [], sla=wl.get("sla") or {},
        sla_results=wl.get("sla_results") or {}, hooks=_hooks(wl.get("hooks")),
        leaks=wl.get("leaks") or [], load_started_at=wl.get("load_started_at"),
        status=wl.get("status", "finished"), pass_sla=wl.get("pass_sla"),
        start_time=_start_time_us(wl.get("start_time")),
        load_duration=wl.get("load_duration") or 0.0, full_duration=wl.get("full_duration") or 0.0,
        min_duration=wl.get("min_duration"), max_duration=wl.get("max_duration"),
        total_iteration_count=wl.get("total_iteration_count", len(wl.get("data") or [])),
        failed_iteration_count=wl.get("failed_iteration_count", 0),
        statistics=wl.get("statistics") or {},
    )
    data = wl.get("data") or []
    for order, start in enumerate(range(0, len(data), _CHUNK)):
        repo.chunk_add(db, wrow["uuid"], task_uuid, order, data[start:start + _CHUNK])
    seconds = wl.get("seconds")
    if seconds:  # a squall-json workload run with --results aggregate
        repo.seconds_add(db, wrow["uuid"], task_uuid, seconds)  # checked by parse()
