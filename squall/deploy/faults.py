"""Fault actions on nodes, each execution recorded in the deployment history."""

from __future__ import annotations

import shlex
import threading
import time
from typing import Any

from squall.deploy import executor
from squall.platforms.nodes import connection as nodes_mod
from squall.storage import history_repo
from squall.storage.db import Database

ACTIONS = ("stop", "start", "restart", "kill-stop", "kill-cont", "kill", "command")


def command_for(action: str, target: str) -> str:
    """The shell command that carries out a fault action on one node."""
    quoted = shlex.quote(target)
    if action in ("stop", "start", "restart"):
        return (f"if command -v systemctl >/dev/null 2>&1; then systemctl {action} {quoted}; "
                f"else service {quoted} {action}; fi")
    # exec: the shell would otherwise match the pattern itself (its command
    # line contains it) and be stopped or killed along with the target.
    if action == "kill-stop":
        return f"exec pkill -STOP -f {quoted}"
    if action == "kill-cont":
        return f"exec pkill -CONT -f {quoted}"
    if action == "kill":
        return f"exec pkill -KILL -f {quoted}"
    return target


def inject(db: Database, selection: dict[str, Any], spec: dict[str, Any], action: str, target: str,
           timeout: float, task_uuid: str | None = None) -> dict[str, Any]:
    """Run a fault action on the selected nodes in parallel; returns the run and per-node results.

    ``selection`` holds ``nodes`` and/or ``roles`` and the environment's
    ``env_uuid`` / ``env_name``; ``spec`` is the environment spec.
    """
    ids = selection.get("nodes")
    selected = nodes_mod.select(nodes_mod.nodes_of(spec), list(ids) if ids else None, selection.get("roles"))
    name = f"{action}:{target}" if action != "command" else "command"
    run = history_repo.run_create(db, env_uuid=selection.get("env_uuid"), env_name=selection.get("env_name"),
                                  kind="fault",
                                  name=name, graph={"fault": {"action": action, "target": target}},
                                  status="running", task_uuid=task_uuid)
    command = command_for(action, target)
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def one(node: nodes_mod.Node) -> None:
        row = history_repo.history_add(db, run["id"], name, node.id)
        executor.transition(db, row, "running", time_start=time.time())
        result = nodes_mod.run(node, command, timeout)
        status = "ready" if result.rc == 0 else "error"
        summary = {**result.summary(), "node_name": node.name, "command": command}
        executor.transition(db, row, status, time_end=time.time(), summary=summary)
        with lock:
            results.append({"node_id": node.id, "node_name": node.name, "status": status, "rc": result.rc,
                            "output": (result.stdout + result.stderr)[-500:]})

    threads = [threading.Thread(target=one, args=(n,)) for n in selected]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    overall = "ready" if results and all(r["status"] == "ready" for r in results) else "error"
    history_repo.run_finish(db, run["id"], overall)
    return {"run_id": run["id"], "status": overall, "nodes": sorted(results, key=lambda r: r["node_id"])}


class FaultRecorder:
    """What a hook may do with the deployment history: run fault actions for one task, each recorded.

    Hooks get this object, not the database: it can only add fault runs of
    its task to its environment's history.
    """

    def __init__(self, db: Database, task_uuid: str, env_uuid: str | None, env_name: str | None) -> None:
        self._db = db
        self.task_uuid = task_uuid
        self.env_uuid = env_uuid
        self.env_name = env_name

    def inject(self, spec: dict[str, Any], action: str, target: str, timeout: float,
               nodes: list[int] | None = None, roles: list[str] | None = None) -> dict[str, Any]:
        """Run ``action`` on the chosen nodes of ``spec`` and record it (see :func:`inject`)."""
        selection = {"nodes": nodes, "roles": roles, "env_uuid": self.env_uuid, "env_name": self.env_name}
        return inject(self._db, selection, spec, action, target, timeout, self.task_uuid)

