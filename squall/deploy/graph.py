"""Deployment graphs: named tasks with their nodes, commands and order.

```yaml
tasks:
  - id: install
    roles: [controller]          # or nodes: [1, 2]; neither: every node
    command: apt-get install -y x
    timeout: 600
    retries: 1
    on_error: stop               # or continue
  - id: configure
    requires: [install]
    script: |
      set -e
      ...
```
"""

from __future__ import annotations

from typing import Any

from squall import exceptions, schema

GRAPH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "tasks": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "roles": {"type": "array", "items": {"type": "string"}},
                    "nodes": {"type": "array", "items": {"type": "integer"}},
                    "command": {"type": "string", "minLength": 1},
                    "script": {"type": "string", "minLength": 1},
                    "requires": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                    "timeout": {"type": "number", "exclusiveMinimum": 0},
                    "retries": {"type": "integer", "minimum": 0},
                    "on_error": {"enum": ["stop", "continue"]},
                },
                "required": ["id"],
                "oneOf": [{"required": ["command"]}, {"required": ["script"]}],
                "additionalProperties": False,
            },
        },
    },
    "required": ["tasks"],
    "additionalProperties": False,
}
DEFAULT_TIMEOUT = 300.0


def parse(data: Any) -> dict[str, Any]:
    """Validate a graph document; return it with defaults filled in, in dependency order."""
    if not isinstance(data, dict):
        raise exceptions.InvalidConfigError("deployment graph must be a mapping with 'tasks'")
    errors = schema.collect(GRAPH_SCHEMA, data, "")
    if errors:
        raise exceptions.InvalidConfigError("deployment graph is invalid:\n" + "\n".join(f"  - {e}" for e in errors))
    tasks = {}
    for i, task in enumerate(data["tasks"]):
        if task["id"] in tasks:
            errors.append(f"tasks[{i}].id: '{task['id']}' is defined twice")
        tasks[task["id"]] = {"requires": [], "timeout": DEFAULT_TIMEOUT, "retries": 0, "on_error": "stop", **task}
    for i, task in enumerate(data["tasks"]):
        for req in task.get("requires", []):
            if req not in tasks:
                errors.append(f"tasks[{i}].requires: unknown task '{req}'")
    if errors:
        raise exceptions.InvalidConfigError("deployment graph is invalid:\n" + "\n".join(f"  - {e}" for e in errors))
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise exceptions.InvalidConfigError("deployment graph has a cycle: " + " -> ".join(chain + [name]))
        state[name] = "visiting"
        for req in tasks[name]["requires"]:
            visit(req, chain + [name])
        state[name] = "done"
        order.append(name)

    for name in tasks:
        visit(name, [])
    return {"name": data.get("name", ""), "tasks": [tasks[n] for n in order]}
