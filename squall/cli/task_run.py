"""Running a task from the CLI: waiting for its end, the live progress bars, Ctrl-C, the exit code."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from squall import exceptions
from squall.cli.output import console, print_detailed, program


class LiveProgress:
    """Polls the API for progress and draws a bar per workload."""

    def __init__(self, api: Any, task_id: str) -> None:
        self.api = api
        self.task_id = task_id
        self.done = threading.Event()
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.completed:,.0f}/{task.fields[total_text]}"),
            TextColumn("{task.fields[rate]:,.0f} it/s"), TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False,
        )
        self.bars: dict[int, Any] = {}
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _update(self) -> None:
        info = self.api.task.progress(task_id=self.task_id)
        for wl in info["workloads"]:
            pos = wl["position"]
            if pos not in self.bars:
                self.bars[pos] = self.progress.add_task(f"#{pos} {wl['name']}", total=wl["expected"],
                                                        total_text=wl["expected"] or "?", rate=0.0, failed=0)
            bar = self.bars[pos]
            elapsed = self.progress.tasks[bar].elapsed or 0.0
            self.progress.update(bar, completed=wl["done"], failed=wl["failed"],
                                 rate=(wl["done"] / elapsed) if elapsed else 0.0)
            if wl["status"] != "running":
                self.progress.update(bar, total=wl["done"] or 1, completed=wl["done"])
                self.progress.stop_task(bar)

    def _loop(self) -> None:
        while not self.done.wait(0.25):
            try:
                self._update()
            except (exceptions.SquallError, OSError):  # progress is best effort; the task goes on
                pass

    def __enter__(self) -> LiveProgress:
        self.progress.start()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()
        try:
            self._update()
        except (exceptions.SquallError, OSError):
            pass
        self.progress.stop()


EXIT_SLA_FAILED = 2  # Rally's 'task start' code when a workload failed its SLA, or was aborted by 'task abort'
EXIT_INTERRUPTED = 130  # the shell's code for a run stopped by Ctrl-C (SIGINT)


def start_exit_code(status: str, pass_sla: bool | None, interrupted: bool = False) -> int:
    """The exit code of ``task start``: 0 passed, 1 crashed, 2 SLA failed or aborted, 130 Ctrl-C."""
    if status == "aborted":
        return EXIT_INTERRUPTED if interrupted else EXIT_SLA_FAILED
    if status != "finished":
        return 1
    return EXIT_SLA_FAILED if pass_sla is False else 0


class CtrlC:
    """Notes whether Ctrl-C (SIGINT) reached this process, which still raises KeyboardInterrupt."""

    def __init__(self) -> None:
        self.seen = False
        self._previous: Any = None

    def _handler(self, _signum: int, _frame: Any) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def __enter__(self) -> CtrlC:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


FINAL_STATUSES = ("finished", "aborted", "crashed")


def run_to_end(api: Any, task_id: str, abort_on_sla_failure: bool, prometheus_port: int | None = None,
               executor: dict[str, Any] | None = None) -> None:
    """Start the task and return once it has ended.

    Locally ``start`` runs the task here; against a service it returns at
    once, and this waits, turning Ctrl-C into an abort request.
    """
    extra: dict[str, Any] = {"prometheus_port": prometheus_port} if prometheus_port is not None else {}
    extra.update(executor or {})  # executor, dask_workers, fail_on_worker_loss, results, as given
    status = api.task.start(task_id=task_id, abort_on_sla_failure=abort_on_sla_failure, **extra)["status"]
    aborted = False
    while status not in FINAL_STATUSES:
        try:
            time.sleep(0.25)
            status = api.task.status(task_id=task_id)["status"]
        except KeyboardInterrupt:
            if not aborted:
                aborted = True
                try:
                    api.task.abort(task_id=task_id)
                except exceptions.InvalidStateError:
                    pass


def run_and_report(api: Any, task: dict[str, Any], abort_on_sla_failure: bool, prometheus_port: int | None,
                   executor: dict[str, Any], quiet: bool, rally_seconds: bool) -> None:
    """Run a created task to its end (a progress bar on a terminal), print its results and how to see them
    again, and exit with ``task start``'s code."""
    console.print(f"Task [bold]{task['uuid']}[/bold] ({task['title']}) starting...")
    with CtrlC() as ctrl_c:
        if quiet or not console.is_terminal:
            run_to_end(api, task["uuid"], abort_on_sla_failure, prometheus_port, executor)
        else:
            with LiveProgress(api, task["uuid"]):
                run_to_end(api, task["uuid"], abort_on_sla_failure, prometheus_port, executor)
    final = api.task.get(task_id=task["uuid"])
    print_detailed(final, api.task.hooks(task_id=task["uuid"]), {}, rally_seconds)
    # Printed to be pasted: the program as this shell finds it, and never wrapped.
    me = program()
    console.print(f"\nFor details: {me} task detailed {task['uuid']}\n"
                  f"Export:      {me} task export {task['uuid']} --type json --to results.json",
                  soft_wrap=True, markup=False, highlight=False)
    code = start_exit_code(final["status"], final["pass_sla"], ctrl_c.seen)
    if code:
        raise typer.Exit(code)
