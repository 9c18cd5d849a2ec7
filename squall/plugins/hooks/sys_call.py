"""``sys_call``: run a command (no shell) beside the load."""

from __future__ import annotations

import json
import shlex
from typing import Any, ClassVar

from squall.plugin_api.hook import DEFAULT_TIMEOUT, HookAction, run_command
from squall.registry import JSON_SCHEMA, configure


def is_rally_output(data: Any) -> bool:
    """True for ``{"additive": [...], "complete": [...]}`` with chart mappings."""
    if not isinstance(data, dict) or not data or not set(data) <= {"additive", "complete"}:
        return False
    return all(isinstance(v, list) and all(isinstance(c, dict) and "chart_plugin" in c for c in v)
               for v in data.values())


@configure(name="sys_call")
class SysCall(HookAction):
    """Run a command without a shell; a non-zero exit code fails the hook.

    The config is the command line (Rally's form) or ``{cmd, timeout}``.
    JSON on stdout in Rally's output shape (``{"additive": [...],
    "complete": [...]}``) becomes charts; any other output is kept as text.
    """

    RUNS_COMMANDS: ClassVar[bool] = True
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "oneOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "properties": {"cmd": {"type": "string", "minLength": 1},
                               "timeout": {"type": "number", "exclusiveMinimum": 0}},
                "required": ["cmd"],
                "additionalProperties": False,
            },
        ],
    }

    def run(self) -> None:
        cfg = self.config if isinstance(self.config, dict) else {"cmd": self.config}
        argv = shlex.split(cfg["cmd"])
        timeout = float(cfg.get("timeout", DEFAULT_TIMEOUT))
        try:
            rc, out = run_command(argv, timeout)
        except OSError as exc:
            self.set_error(type(exc).__name__, f"cannot run {argv[0]}: {exc.strerror}", "")
            return
        if rc is None:
            self.set_error("TimeoutExpired", f"command did not finish in {timeout:g} s and was killed", out)
            return
        if rc:
            self.set_error("n/a", f"Subprocess returned {rc}", out)
            return
        self._keep_output(out)

    def _keep_output(self, out: str) -> None:
        text = out.strip()
        if not text:
            return
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if is_rally_output(data):
            for chart in data.get("additive", []):
                self.add_output(additive=chart)
            for chart in data.get("complete", []):
                self.add_output(complete=chart)
            return
        self.add_output(complete={"title": "System call", "chart_plugin": "TextArea",
                                  "description": "Output of the command", "data": text.splitlines()})
