"""``fault_injection``: act on environment nodes during a load (stop a service, freeze a process, ...)."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.deploy import faults
from squall.plugin_api.hook import HookAction
from squall.registry import JSON_SCHEMA, configure


@configure(name="fault_injection")
class FaultInjection(HookAction):
    """Run a fault action on the nodes chosen by ``nodes`` (ids) or ``roles``.

    ``action``: ``stop``/``start``/``restart`` a ``service``; ``kill-stop``,
    ``kill-cont`` or ``kill`` the processes matching ``process``; or run
    ``command``. Each execution is a deployment run of kind ``fault`` in the
    environment's history (``squall tasks-history RUN``), and the hook fails
    when the action fails on any node.
    """

    RUNS_COMMANDS: ClassVar[bool] = True
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "action": {"enum": list(faults.ACTIONS)},
            "service": {"type": "string", "minLength": 1},
            "process": {"type": "string", "minLength": 1},
            "command": {"type": "string", "minLength": 1},
            "nodes": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
            "roles": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "timeout": {"type": "number", "exclusiveMinimum": 0},
        },
        "required": ["action"],
        "additionalProperties": False,
        "allOf": [
            {"if": {"properties": {"action": {"enum": ["stop", "start", "restart"]}}},
             "then": {"required": ["service"]}},
            {"if": {"properties": {"action": {"enum": ["kill-stop", "kill-cont", "kill"]}}},
             "then": {"required": ["process"]}},
            {"if": {"properties": {"action": {"const": "command"}}}, "then": {"required": ["command"]}},
        ],
    }

    def run(self) -> None:
        cfg = self.config
        target = cfg.get("service") or cfg.get("process") or cfg.get("command") or ""
        recorder: faults.FaultRecorder | None = self.context.get("faults")
        if recorder is None:
            self.set_error("ConfigError", "fault_injection runs only inside a task", "")
            return
        env_spec = self.context.get("env") or {}
        if not env_spec.get("nodes"):
            self.set_error("ConfigError", "the task's environment has no nodes", "")
            return
        outcome = recorder.inject(env_spec, cfg["action"], target, float(cfg.get("timeout", 60)),
                                  nodes=cfg.get("nodes"), roles=cfg.get("roles"))
        lines = [f"run {outcome['run_id']}: node {r['node_id']} ({r['node_name']}) {r['status']} rc={r['rc']}"
                 for r in outcome["nodes"]]
        self.add_output(complete={"title": f"fault_injection {cfg['action']} {target}", "chart_plugin": "TextArea",
                                  "data": lines or ["no node matched"]})
        if outcome["status"] != "ready":
            failed = [r for r in outcome["nodes"] if r["status"] != "ready"]
            self.set_error("FaultActionFailed", f"failed on {len(failed)} of {len(outcome['nodes'])} node(s)"
                           if outcome["nodes"] else "no node matched", "\n".join(r["output"] for r in failed))
