"""What an ``HttpJourney.run`` workload may say, checked before it runs: the JSON schema of its arguments, regular
expressions and JSON paths that must compile, and variables that must be set before a step uses them."""

from __future__ import annotations

import re
from typing import Any

from squall import schema
from squall.platforms.http.journey_steps import json_path_parts, variables_in

BUILTIN_VARIABLES = frozenset({"base_url", "iteration", "user"})

_SCALAR = {"type": ["string", "number", "integer", "boolean", "null"]}
_THINK = {"oneOf": [{"type": "number", "minimum": 0},
                    {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 2, "maxItems": 2}]}
_EXTRACT = {
    "type": "object",
    "additionalProperties": {"oneOf": [
        {"type": "object", "properties": {"json": {"type": "string", "minLength": 1}}, "required": ["json"],
         "additionalProperties": False},
        {"type": "object", "properties": {"regex": {"type": "string", "minLength": 1},
                                          "group": {"type": "integer", "minimum": 0}},
         "required": ["regex"], "additionalProperties": False},
        {"type": "object", "properties": {"header": {"type": "string", "minLength": 1}}, "required": ["header"],
         "additionalProperties": False},
        {"type": "object", "properties": {"cookie": {"type": "string", "minLength": 1}}, "required": ["cookie"],
         "additionalProperties": False},
    ]},
}
_CHECK = {
    "type": "object",
    "properties": {
        "status": {"oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}, "minItems": 1}]},
        "body_contains": {"type": "string"},
        "body_matches": {"type": "string"},
        "json": {"type": "object"},
        "header": {"type": "object", "additionalProperties": _SCALAR},
        "max_duration": {"type": "number", "exclusiveMinimum": 0},
    },
    "additionalProperties": False,
}
REQUEST_STEP = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "method": {"type": "string", "pattern": "^(GET|POST|PUT|PATCH|DELETE|OPTIONS|get|post|put|patch|delete"
                                                "|options)$"},
        "url": {"type": "string", "minLength": 1},
        "headers": {"type": "object", "additionalProperties": _SCALAR},
        "params": {"type": "object", "additionalProperties": _SCALAR},
        "cookies": {"type": "object", "additionalProperties": _SCALAR},
        "json": {},
        "form": {"type": "object", "additionalProperties": _SCALAR},
        "body": {"type": "string"},
        "timeout": {"type": "number", "exclusiveMinimum": 0},
        "allow_redirects": {"type": "boolean"},
        "check": _CHECK,
        "extract": _EXTRACT,
        "think_time": _THINK,
    },
    "required": ["url"],
    "additionalProperties": False,
}
CHOICE_STEP = {
    "type": "object",
    "properties": {"choose": {"type": "array", "minItems": 1, "items": {
        "type": "object",
        "properties": {"weight": {"type": "number", "exclusiveMinimum": 0},
                       "steps": {"type": "array", "minItems": 1, "items": REQUEST_STEP}},
        "required": ["steps"], "additionalProperties": False}}},
    "required": ["choose"],
    "additionalProperties": False,
}
STEPS = {"type": "array", "items": {"oneOf": [REQUEST_STEP, CHOICE_STEP]}}
ARGUMENTS = {
    "type": "object",
    "properties": {
        "base_url": {"type": "string", "pattern": "^https?://"},
        "steps": {**STEPS, "minItems": 1},
        "on_start": STEPS,
        "on_stop": STEPS,
        "variables": {"type": "object", "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}},
        "feed": {
            "type": "object",
            "properties": {
                "file": {"type": "string", "minLength": 1},
                "rows": {"type": "array", "items": {"type": "object"}, "minItems": 1},
                "order": {"enum": ["sequential", "random"]},
            },
            "oneOf": [{"required": ["file"]}, {"required": ["rows"]}],
            "additionalProperties": False,
        },
    },
    "required": ["steps"],
    "additionalProperties": False,
}


def flat_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every request step, those of each choice included, in order."""
    out = []
    for step in steps:
        if "choose" in step:
            for option in step["choose"]:
                out += option["steps"]
        else:
            out.append(step)
    return out


def errors(args: dict[str, Any], path: str) -> list[str]:
    """What is wrong with a journey's arguments, one message each (empty when it can run)."""
    found = schema.collect(ARGUMENTS, args, path)
    if found:
        return found
    known = set(BUILTIN_VARIABLES) | set(args.get("variables") or {})
    feed = args.get("feed")
    open_feed = feed is not None and "file" in feed  # its columns are known once the file is read
    if feed is not None and "rows" in feed:
        known |= set().union(*(set(row) for row in feed["rows"]))
    known = _part_errors(args, "on_start", path, known, open_feed, found)
    _part_errors(args, "steps", path, known, open_feed, found)
    _part_errors(args, "on_stop", path, known, open_feed, found)  # sees on_start's values, not an iteration's
    return found


def _part_errors(args: dict[str, Any], part: str, path: str, known: set[str], open_feed: bool,
                 found: list[str]) -> set[str]:
    """Add the faults of one list of steps to ``found``; the variables known after it."""
    known = set(known)
    for n, step in enumerate(flat_steps(args.get(part) or [])):
        found += _step_errors(step, f"{path}.{part}[{n}]", known, open_feed)
        known |= set(step.get("extract") or {})
    return known


def _step_errors(step: dict[str, Any], where: str, known: set[str], open_feed: bool) -> list[str]:
    found = []
    used = variables_in({k: v for k, v in step.items() if k not in ("extract", "name")})
    missing = sorted(used - known)
    if missing and not open_feed:
        found.append(f"{where}: uses {', '.join('${' + m + '}' for m in missing)}, set by no variable, feed column "
                     "or earlier step's extract")
    patterns = [(step.get("check") or {}).get("body_matches")]
    patterns += [rule.get("regex") for rule in (step.get("extract") or {}).values()]
    for pattern in filter(None, patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            found.append(f"{where}: the regular expression {pattern!r} does not compile: {exc}")
    paths = list((step.get("check") or {}).get("json") or {})
    paths += [rule["json"] for rule in (step.get("extract") or {}).values() if "json" in rule]
    for json_path in paths:
        try:
            json_path_parts(json_path)
        except ValueError as exc:
            found.append(f"{where}: {exc}")
    if sum(key in step for key in ("json", "form", "body")) > 1:
        found.append(f"{where}: give one body: json, form or body")
    return found
