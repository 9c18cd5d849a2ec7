"""``example_hook``: the hook of the original hooks design, ``{cmd}``."""

from __future__ import annotations

import shlex
from typing import Any, ClassVar

from squall.plugin_api.hook import DEFAULT_TIMEOUT, HookAction, run_command
from squall.registry import JSON_SCHEMA, configure


@configure(name="example_hook")
class ExampleHook(HookAction):
    """Run ``cmd`` (no shell); the hook succeeds when it exits 0.

    The task files of the hooks-task-section design use this hook.
    """

    RUNS_COMMANDS: ClassVar[bool] = True
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "$schema": JSON_SCHEMA,
        "properties": {"cmd": {"type": "string", "minLength": 1}},
        "required": ["cmd"],
        "additionalProperties": False,
    }

    def run(self) -> dict[str, str]:
        rc, out = run_command(shlex.split(self.config["cmd"]), DEFAULT_TIMEOUT)
        if rc != 0:
            self.set_error("n/a", "command timed out" if rc is None else f"Subprocess returned {rc}", out)
        return {"action": self.config["cmd"], "status": "success" if rc == 0 else "failed"}
