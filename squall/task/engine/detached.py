"""Running a created task: here, in this process (``run_task``), or in a process of its own (``launch``).

    python -m squall.task.engine.detached --db URL --task UUID [--abort-on-sla-failure]

is what ``launch`` starts; it runs the task to its end.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from typing import Any

from squall import exceptions
from squall.env.executor_spec import RESULT_MODES, ExecutorSpec, executor_argument, parse_executor
from squall.storage import context_repo, repo
from squall.storage.db import Database
from squall.task.engine import lifecycle
from squall.task.engine.metrics import LiveMetrics
from squall.task.engine.task_engine import TaskEngine


def _startable(db: Database, task_uuid: str) -> dict[str, Any]:
    task = repo.task_get(db, task_uuid)
    if task["status"] != "validated":
        raise exceptions.InvalidStateError(f"task {task['uuid']} is {task['status']}; only a new task can start")
    _persistent_context(db, task)
    return task


def _claim(db: Database, task: dict[str, Any], pid: int) -> None:
    """Make the task ``running`` for ``pid``; InvalidStateError when another caller started it first."""
    if not repo.task_claim(db, task["uuid"], pid, socket.gethostname()):
        now = repo.task_get(db, task["uuid"])["status"]
        raise exceptions.InvalidStateError(f"task {task['uuid']} is {now}; only a new task can start "
                                           "(another request started it first)")


def run_task(db: Database, task_uuid: str, abort_on_sla_failure: bool = False, check: bool = True,
             prometheus_port: int | None = None, executor: ExecutorSpec | None = None) -> str:
    """Run a created task to its end in this process; returns its final status.

    The environment is read as it is now; one deleted since the task was
    created leaves the task without platforms (its validation said what it needs).
    """
    task = _startable(db, task_uuid) if check else repo.task_get(db, task_uuid)
    if check:
        _claim(db, task, os.getpid())
    try:
        on = _persistent_context(db, task)
    except exceptions.InvalidStateError:
        lifecycle.mark_crashed(db, task)  # it was claimed (running): say that it ended
        raise
    env_spec: dict[str, Any] = {}
    if task["env_uuid"]:
        try:
            env_spec = repo.env_get(db, task["env_uuid"])["spec"]
        except exceptions.NotFoundError:
            env_spec = {}
    metrics = _serve_metrics(task["uuid"], prometheus_port) if prometheus_port is not None else None
    try:
        return TaskEngine(db, task["uuid"], task["config"], env_spec, abort_on_sla_failure,  # type: ignore[arg-type]
                          env_uuid=task["env_uuid"], env_name=task["env_name"],
                          persistent_context=on, metrics=metrics, executor=executor).run()
    finally:
        if metrics is not None:
            metrics.close()


def _serve_metrics(task_uuid: str, port: int) -> LiveMetrics:
    """The task's live metrics, served on 127.0.0.1:``port``; a clear error when the port is taken."""
    metrics = LiveMetrics(task_uuid)
    try:
        metrics.serve(port)
    except OSError as exc:
        raise exceptions.InvalidArgumentsError(f"cannot serve metrics on 127.0.0.1:{port}: {exc.strerror}") from None
    return metrics


def _persistent_context(db: Database, task: dict[str, Any]) -> dict[str, Any] | None:
    """The persistent context the task runs on, which must still be ready; None when it makes its own."""
    if not task["persistent_context"]:
        return None
    try:
        row = context_repo.context_get(db, task["persistent_context"])
    except exceptions.NotFoundError:
        row = None
    if row is None or row["status"] != "ready":
        raise exceptions.InvalidStateError(f"task {task['uuid']}: its persistent context "
                                           f"{task['persistent_context']} is gone or not ready")
    return row


def launch(db: Database, task_uuid: str, abort_on_sla_failure: bool = False,
           executor: ExecutorSpec | None = None) -> None:
    """Start a created task in a process of its own and return at once; the task is running from now on."""
    task = _startable(db, task_uuid)
    executor = executor or ExecutorSpec("local")
    cmd = [sys.executable, "-m", "squall.task.engine.detached", "--db", db.url, "--task", task["uuid"],
           "--executor", executor_argument(executor), "--results", executor.results]
    if executor.dask_workers is not None:
        cmd += ["--dask-workers", str(executor.dask_workers)]
    if executor.fail_on_worker_loss:
        cmd.append("--fail-on-worker-loss")
    if abort_on_sla_failure:
        cmd.append("--abort-on-sla-failure")
    # Claimed first, under this process's pid: of several concurrent starts, one process is started.
    _claim(db, task, os.getpid())
    try:
        child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        repo.task_update(db, task["uuid"], status="validated", pid=None, hostname=None)
        raise exceptions.SquallError(f"cannot start the task's process: {exc}") from None
    # If the child dies early, crash detection sees its pid gone.
    repo.task_update(db, task["uuid"], pid=child.pid)


def main(argv: list[str] | None = None) -> int:
    """Run the task to its end; SIGTERM and SIGINT abort it gracefully."""
    parser = argparse.ArgumentParser(prog="squall.task.engine.detached")
    parser.add_argument("--db", required=True)
    parser.add_argument("--task", required=True)
    parser.add_argument("--abort-on-sla-failure", action="store_true")
    parser.add_argument("--results", choices=RESULT_MODES, default="rows")
    parser.add_argument("--executor", default="local")
    parser.add_argument("--dask-workers", type=int)
    parser.add_argument("--fail-on-worker-loss", action="store_true")
    opts = parser.parse_args(argv)
    # A service stopping its workers sends SIGTERM: treat it like Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # launch() already marked the task running, so the status check is its, not ours.
    run_task(Database(opts.db), opts.task, opts.abort_on_sla_failure, check=False,
             executor=parse_executor(opts.executor, opts.dask_workers, opts.fail_on_worker_loss, opts.results))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
