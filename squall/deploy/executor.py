"""Runs a deployment graph on the nodes of an environment, recording history.

Each (task, node) pair is one history row: ``pending`` when the run starts,
then ``running`` and ``ready`` or ``error``, or ``skipped`` when a task it
requires failed (on that node, or on any node for a task that does not run
on it) or when an ``on_error: stop`` failure ended the run. Pairs run in
parallel as soon as what they require is ready. Every transition is its own
transaction; an illegal one is refused and logged.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from squall import exceptions
from squall.platforms.nodes import connection as nodes_mod
from squall.platforms.nodes.connection import Node
from squall.storage import history_repo
from squall.storage.db import Database

LOG = logging.getLogger(__name__)
STATUSES = ("pending", "running", "ready", "error", "skipped")
TRANSITIONS = {"pending": ("running", "skipped"), "running": ("ready", "error")}
MAX_PARALLEL = 32


def transition(db: Database, row_id: int, status: str, **values: Any) -> None:
    """Move a history row to ``status`` if its current status allows it."""
    allowed_from = tuple(src for src, targets in TRANSITIONS.items() if status in targets)
    if not history_repo.history_transition(db, row_id, allowed_from, status, **values):
        current = history_repo.history_status(db, row_id)
        LOG.warning("refused history transition of row %s: %s -> %s", row_id, current, status)
        raise exceptions.IllegalTransitionError(f"history row {row_id}: {current} -> {status} is not allowed")


def _script(task: dict[str, Any]) -> str:
    return str(task.get("command") or task["script"])


class _GraphRun:
    """One run of a graph: a history row per (task, node), each started once what it requires is ready."""

    def __init__(self, db: Database, run_id: int, graph: dict[str, Any], all_nodes: list[Node]) -> None:
        self.db = db
        self.targets = {t["id"]: nodes_mod.select(all_nodes, t.get("nodes"), t.get("roles")) for t in graph["tasks"]}
        self.rows: dict[tuple[str, int], int] = {}
        for task in graph["tasks"]:
            for node in self.targets[task["id"]]:
                self.rows[(task["id"], node.id)] = history_repo.history_add(db, run_id, task["id"], node.id)
        self.by_id = {t["id"]: t for t in graph["tasks"]}
        self.outcome: dict[tuple[str, int], str] = {}
        self.stopped = threading.Event()

    def requirements(self, task_id: str, node_id: int) -> str:
        """``ready``, ``wait`` or ``failed`` for what (task, node) requires."""
        for req in self.by_id[task_id]["requires"]:
            on_node = (req, node_id) in self.rows
            keys = [(req, node_id)] if on_node else [(req, n.id) for n in self.targets[req]]
            states = [self.outcome.get(k) for k in keys]
            if any(s in ("error", "skipped") for s in states):
                return "failed"
            if any(s is None for s in states):
                return "wait"
        return "ready"

    def run_pair(self, task: dict[str, Any], node: Node) -> str:
        """Run one task on one node (with its retries); returns ``ready`` or ``error``."""
        row = self.rows[(task["id"], node.id)]
        started = time.time()
        transition(self.db, row, "running", time_start=started)
        attempts = 0
        while True:
            attempts += 1
            try:
                result = nodes_mod.run(node, _script(task), float(task["timeout"]))
            except Exception as exc:  # the node cannot be reached: this pair fails, the run goes on
                if attempts > task["retries"]:
                    summary = {"rc": None, "error": str(exc), "attempts": attempts, "node_name": node.name,
                               "duration": round(time.time() - started, 3)}
                    transition(self.db, row, "error", time_end=time.time(), summary=summary)
                    return "error"
                continue
            if result.rc == 0 or attempts > task["retries"]:
                break
        summary = {**result.summary(), "attempts": attempts, "node_name": node.name}
        status = "ready" if result.rc == 0 else "error"
        transition(self.db, row, status, time_end=time.time(), summary=summary)
        return status

    def _skip(self, key: tuple[str, int], reason: str) -> None:
        transition(self.db, self.rows[key], "skipped", summary={"reason": reason})
        self.outcome[key] = "skipped"

    def _start_ready(self, pending: set[tuple[str, int]], pool: ThreadPoolExecutor,
                     futures: dict[Future[str], tuple[str, int]]) -> None:
        order = list(self.by_id)
        for key in sorted(pending, key=lambda k: order.index(k[0])):
            task_id, node_id = key
            state = "failed" if self.stopped.is_set() else self.requirements(task_id, node_id)
            if state == "wait":
                continue
            pending.discard(key)
            if state == "failed":
                self._skip(key, "run stopped after a failure" if self.stopped.is_set()
                           else "a required task failed or was skipped")
                continue
            node = next(n for n in self.targets[task_id] if n.id == node_id)
            futures[pool.submit(self.run_pair, self.by_id[task_id], node)] = key

    def run(self) -> str:
        """Run every pair as its requirements allow; ``ready`` when all succeeded, else ``error``."""
        pending = set(self.rows)
        futures: dict[Future[str], tuple[str, int]] = {}
        with ThreadPoolExecutor(max_workers=MAX_PARALLEL) as pool:
            while pending or futures:
                self._start_ready(pending, pool, futures)
                if not futures:
                    for key in pending:  # unreachable in a valid graph; never leave rows pending
                        self._skip(key, "could not be scheduled")
                    break
                done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
                for fut in done:
                    key = futures.pop(fut)
                    status = fut.result()
                    self.outcome[key] = status
                    if status == "error" and self.by_id[key[0]]["on_error"] == "stop":
                        self.stopped.set()
        return "ready" if all(s == "ready" for s in self.outcome.values()) else "error"


def execute(db: Database, run_id: int, graph: dict[str, Any], all_nodes: list[Node]) -> str:
    """Run the graph; returns ``ready`` or ``error`` for the whole run."""
    return _GraphRun(db, run_id, graph, all_nodes).run()
