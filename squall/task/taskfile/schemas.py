"""The JSON schemas of the task file formats: v2, v1 workloads, and the old hook section.

Structure only; plugin sections are checked against each plugin's own
schema by :mod:`squall.task.taskfile.validate`.
"""

from __future__ import annotations

from typing import Any

_SINGLE_KEY = {"type": "object", "minProperties": 1, "maxProperties": 1}
_HOOK_V2 = {
    "type": "object",
    "properties": {"action": _SINGLE_KEY, "trigger": _SINGLE_KEY, "description": {"type": "string"}},
    "required": ["action", "trigger"],
    "additionalProperties": False,
}
_WORKLOAD_V2_PROPS: dict[str, Any] = {
    "scenario": _SINGLE_KEY,
    "runner": _SINGLE_KEY,
    "contexts": {"type": "object"},
    "context": {"type": "object"},
    "sla": {"type": "object"},
    "hooks": {"type": "array", "items": _HOOK_V2},
    "description": {"type": "string"},
}
_TAGS = {"type": "array", "items": {"type": "string"}}
TASK_V2_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "version": {"enum": [2]},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "tags": _TAGS,
        "env": {"type": "string"},
        # squall's: the persistent context (squall env setup-context) every workload runs on.
        "persistent_context": {"type": "string", "minLength": 1},
        "subtasks": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "tags": _TAGS,
                    "workloads": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "properties": _WORKLOAD_V2_PROPS,
                            "required": ["scenario"],
                            "additionalProperties": False,
                        },
                    },
                    **_WORKLOAD_V2_PROPS,
                },
                "required": ["title"],  # as in Rally 5.1.1
                "additionalProperties": False,
            },
        },
    },
    "required": ["version", "subtasks"],
    "additionalProperties": False,
}
_HOOK_V1 = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "args": {},
        "description": {"type": "string"},
        "trigger": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "args": {}},
            "required": ["name", "args"],
            "additionalProperties": False,
        },
    },
    "required": ["name", "args", "trigger"],
    "additionalProperties": False,
}
_HOOK_LIST = {"type": "array", "items": {"type": "object", "minProperties": 1, "maxProperties": 1}}
_OLD_HOOK_SECTION = {
    "type": "object",
    "properties": {
        "iterations": {
            "type": "object",
            "patternProperties": {
                "^[1-9][0-9]*$": _HOOK_LIST,
                "^(periodic|pereodic)$": {
                    "type": "object",
                    "patternProperties": {"^[1-9][0-9]*$": _HOOK_LIST},
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        }
    },
    "required": ["iterations"],
    "additionalProperties": False,
}
WORKLOAD_V1_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "args": {"type": "object"},
        "runner": {
            "type": "object",
            "properties": {"type": {"type": "string"}},
            "required": ["type"],
        },
        "context": {"type": "object"},
        "sla": {"type": "object"},
        "hooks": {"type": "array", "items": _HOOK_V1},
        "hook": _OLD_HOOK_SECTION,
        "description": {"type": "string"},
    },
    "additionalProperties": False,
}
