"""Running a verification from the CLI: a live progress line, the run's table, and Rally's exit codes."""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.status import Status

from squall import exceptions
from squall.cli.output import Table, console

# Rally's `verify start` codes: 2 when a test passed unexpectedly (checked first), 3 when a test failed.
EXIT_UNEXPECTED_SUCCESS = 2
EXIT_TESTS_FAILED = 3


class VerifyProgress:
    """While a verification runs, a line of its counts: tests done, failed, skipped, and the rate.

    It polls the API for the running verification of the verifier that started after it did (the counts
    are stored as results stream in), so it works the same against a remote service.
    """

    def __init__(self, api: Any, verifier: str | None) -> None:
        self.api = api
        self.verifier = verifier
        self.started = time.time()
        self.done = threading.Event()
        self.status = Status("starting the suite...", console=console)
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _line(self) -> str | None:
        rows = [r for r in self.api.verification.list(verifier=self.verifier, status="running")
                if (r["created_at"] or "") >= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.started - 2))]
        if not rows:
            return None
        row = rows[-1]
        elapsed = max(time.time() - self.started, 1e-6)
        return (f"{row['tests_count']} tests done, {row['failures']} failed, {row['skipped']} skipped, "
                f"{row['tests_count'] / elapsed:.1f} tests/s, {elapsed:.0f} s")

    def _loop(self) -> None:
        while not self.done.wait(1.0):
            try:
                line = self._line()
            except (exceptions.SquallError, OSError):  # progress is best effort; the run goes on
                continue
            if line:
                self.status.update(line)

    def __enter__(self) -> VerifyProgress:
        if console.is_terminal:
            self.status.start()
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        if self.thread.is_alive():
            self.thread.join()
        self.status.stop()


def runs_table(rows: list[dict[str, Any]]) -> Table:
    """Verifications as a table: counts by status, duration, tags."""
    table = Table()
    for col in ("UUID", "Verifier", "Env", "Status", "Tests", "Passed", "Failed", "Skipped", "xfail", "uxsuccess",
                "Duration (s)", "Tags", "Created"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["uuid"], r["verifier_uuid"][:8], r["env_name"] or "-", r["status"], str(r["tests_count"]),
                      str(r["success"]), str(r["failures"]), str(r["skipped"]), str(r["expected_failures"]),
                      str(r["unexpected_success"]), f"{r['tests_duration']:.3f}", ", ".join(r["tags"] or []),
                      (r["created_at"] or "")[:19])
    return table


def print_run(row: dict[str, Any], detailed: bool) -> None:
    """A verification's table, its error, and with ``detailed`` the tracebacks of what did not pass."""
    console.print(runs_table([row]))
    if row.get("error"):
        console.print(f"[red]error:[/red] {row['error']}", markup=True, soft_wrap=True)
    if detailed:
        for test in row.get("tests", []):
            if test["status"] in ("fail", "uxsuccess"):
                console.print(f"[red]{test['status']}[/red] {test['name']}", markup=True, soft_wrap=True)
                if test.get("traceback"):
                    console.print(test["traceback"], markup=False, soft_wrap=True)


def exit_code(row: dict[str, Any]) -> int:
    """Rally's ``verify start`` code for a run: 0, 2 (unexpected success), 3 (failures), 1 when it crashed."""
    if row["status"] == "crashed":
        return 1
    if row["unexpected_success"]:
        return EXIT_UNEXPECTED_SUCCESS
    if row["failures"]:
        return EXIT_TESTS_FAILED
    return 0
