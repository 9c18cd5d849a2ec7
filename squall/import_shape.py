"""The shape a results file must have before anything of it is stored.

Every task, subtask, workload, hook and iteration of the document is checked
first, so a malformed file is refused whole with the path of its first fault
(``tasks[1].subtasks[0].workloads[2].hooks[0]: ...``), never half stored.
The workload level is checked with a JSON schema; iterations, of which there
may be millions, with a few type checks each.
"""

from __future__ import annotations

from typing import Any

from squall import exceptions

_NAMED_ONE = {"type": "object", "minProperties": 1, "maxProperties": 1,
              "additionalProperties": {"anyOf": [{"type": "object"}, {"type": "null"}]}}
_NUMBER = {"type": ["number", "null"]}
_HOOK = {
    "type": "object",
    "properties": {
        "config": {"type": "object", "properties": {
            "action": {"anyOf": [{"type": "object"}, {"type": "array", "minItems": 2, "maxItems": 2}]},
            "trigger": {"anyOf": [{"type": "object"}, {"type": "array", "minItems": 2, "maxItems": 2}]}}},
        "results": {"type": "array", "items": {"type": "object"}},
        "summary": {"type": "object"},
    },
}
WORKLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["scenario", "runner"],
    "properties": {
        "scenario": _NAMED_ONE, "runner": _NAMED_ONE,
        "description": {"type": ["string", "null"]}, "position": {"type": "integer"},
        "contexts": {"type": ["object", "null"]}, "contexts_results": {"type": ["array", "null"]},
        "sla": {"type": ["object", "null"]}, "sla_results": {"type": ["object", "null"]},
        "hooks": {"type": ["array", "null"], "items": _HOOK}, "leaks": {"type": ["array", "null"]},
        "status": {"type": "string"}, "pass_sla": {"type": ["boolean", "null"]},
        "load_duration": _NUMBER, "full_duration": _NUMBER, "min_duration": _NUMBER, "max_duration": _NUMBER,
        "start_time": _NUMBER, "total_iteration_count": {"type": "integer", "minimum": 0},
        "failed_iteration_count": {"type": "integer", "minimum": 0},
        "statistics": {"type": ["object", "null"]}, "data": {"type": ["array", "null"]},
    },
}
_TEXT = {"type": ["string", "null"]}
TASK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": _TEXT, "description": _TEXT, "status": {"type": "string"}, "env_name": _TEXT,
        "pass_sla": {"type": ["boolean", "null"]}, "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        "subtasks": {"type": ["array", "null"], "items": {
            "type": "object",
            "properties": {"title": _TEXT, "description": _TEXT, "status": {"type": "string"},
                           "workloads": {"type": ["array", "null"], "items": WORKLOAD_SCHEMA}}}},
    },
}
# An iteration's fields and the types they may have (Rally's iteration dict; others are kept as they are).
_NUMBERS = ((int, float), "a number")
_ITERATION_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "timestamp": _NUMBERS, "duration": _NUMBERS, "idle_duration": _NUMBERS, "error": ((list,), "a list"),
    "output": ((dict,), "an object"), "atomic_actions": ((list, dict), "a list or an object"),
}


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def check_document(doc: dict[str, Any]) -> None:
    """Refuse a document that could not be stored whole, naming the first place at fault."""
    import jsonschema

    tasks = doc.get("tasks")
    if not isinstance(tasks, list):
        raise exceptions.InvalidArgumentsError("results file: 'tasks' must be a list of tasks")
    checker = jsonschema.Draft202012Validator(TASK_SCHEMA)
    for index, task in enumerate(tasks):
        error = jsonschema.exceptions.best_match(checker.iter_errors(task))
        if error is not None:
            where = _path(["tasks", index, *error.absolute_path])
            raise exceptions.InvalidArgumentsError(f"results file: {where}: {error.message[:300]}")
        for s, sub in enumerate(task.get("subtasks") or []):
            for w, workload in enumerate(sub.get("workloads") or []):
                _check_iterations(workload.get("data") or [], f"tasks[{index}].subtasks[{s}].workloads[{w}]")


def _check_iterations(data: list[Any], where: str) -> None:
    for number, iteration in enumerate(data):
        if not isinstance(iteration, dict):
            raise exceptions.InvalidArgumentsError(f"results file: {where}.data[{number}]: must be an object")
        for key, (kinds, wanted) in _ITERATION_TYPES.items():
            value = iteration.get(key)
            if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
                raise exceptions.InvalidArgumentsError(
                    f"results file: {where}.data[{number}].{key}: must be {wanted}")


def workload_count(task: dict[str, Any]) -> int:
    """How many workloads a (checked) task of the document holds."""
    return sum(len(sub.get("workloads") or []) for sub in task.get("subtasks") or [])
