"""Nodes of an environment and running commands on them.

A node has an integer ``id``, a ``name``, ``roles`` and a ``connection``.
``local`` nodes run commands as subprocesses of squall; ``ssh`` nodes over
SSH (:mod:`squall.platforms.nodes.ssh`). A command that outlives its timeout is killed
together with every process it started (it runs in its own process group),
on the node where it ran.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from squall import exceptions

TAIL = 4000  # characters of stdout/stderr kept in a history summary

NODE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "minimum": 0},
        "name": {"type": "string", "minLength": 1},
        "roles": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "connection": {
            "oneOf": [
                {"type": "object", "properties": {"type": {"const": "local"}}, "required": ["type"],
                 "additionalProperties": False},
                {"type": "object",
                 "properties": {"type": {"const": "ssh"}, "host": {"type": "string", "minLength": 1},
                                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                                "user": {"type": "string", "minLength": 1}, "key": {"type": "string"},
                                "connect_timeout": {"type": "number", "exclusiveMinimum": 0}},
                 "required": ["type", "host"], "additionalProperties": False},
            ]
        },
    },
    "required": ["id", "name"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Node:
    """One host of the system under test."""

    id: int
    name: str
    roles: tuple[str, ...] = ()
    connection: dict[str, Any] = field(default_factory=lambda: {"type": "local"})


@dataclass
class CommandResult:
    """What one command did on one node."""

    rc: int | None
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False

    def summary(self) -> dict[str, Any]:
        """The history row's summary: rc, output tails, duration."""
        return {"rc": self.rc, "stdout": self.stdout[-TAIL:], "stderr": self.stderr[-TAIL:],
                "duration": round(self.duration, 6), "timed_out": self.timed_out}


def nodes_of(spec: dict[str, Any]) -> list[Node]:
    """The nodes of an environment spec (its ``nodes`` platform)."""
    return [Node(id=n["id"], name=n["name"], roles=tuple(n.get("roles") or ()),
                 connection=dict(n.get("connection") or {"type": "local"})) for n in spec.get("nodes") or []]


def select(nodes: list[Node], ids: list[int] | None = None, roles: list[str] | None = None) -> list[Node]:
    """Nodes with one of ``ids`` or one of ``roles`` (all nodes when neither is given)."""
    if not ids and not roles:
        return list(nodes)
    wanted_ids, wanted_roles = set(ids or ()), set(roles or ())
    return [n for n in nodes if n.id in wanted_ids or wanted_roles & set(n.roles)]


def run(node: Node, command: str, timeout: float) -> CommandResult:
    """Run a shell command on a node; kill its whole process group on timeout."""
    kind = node.connection.get("type", "local")
    if kind == "ssh":
        from squall.platforms.nodes import ssh

        rc, out, err, timed_out, seconds = ssh.run(node.connection, command, timeout)
        return CommandResult(rc, out, err, seconds, timed_out)
    if kind != "local":
        raise exceptions.InvalidConfigError(f"node {node.id}: unsupported connection {kind}")
    started = time.perf_counter()
    proc = subprocess.Popen(["/bin/sh", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, stdin=subprocess.DEVNULL)
    try:
        out, err = proc.communicate(timeout=timeout)
        return CommandResult(proc.returncode, out, err, time.perf_counter() - started)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return CommandResult(None, out, err, time.perf_counter() - started, timed_out=True)


def check(node: Node) -> dict[str, Any]:
    """Is the node reachable? ``{id, name, available, message}``."""
    try:
        if node.connection.get("type") == "ssh":
            from squall.platforms.nodes import ssh

            ssh.forget(node.connection)  # a check is a fresh connection, not a cached one
        result = run(node, "true", 10)
    except (OSError, exceptions.SquallError) as exc:
        return {"id": node.id, "name": node.name, "available": False, "message": str(exc)}
    ok = result.rc == 0
    return {"id": node.id, "name": node.name, "available": ok,
            "message": "runs commands" if ok else f"'true' returned {result.rc}"}
