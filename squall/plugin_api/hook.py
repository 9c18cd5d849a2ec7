"""Hook actions and triggers: code run beside the load at chosen moments.

A hook pairs an action (what to do, kind ``hook``) with a trigger (when, kind
``trigger``). Triggers listen to ``iteration`` events (the number of the
iteration that just started) or ``time`` events (whole seconds since the load
started); each time a trigger accepts an event, the action runs once in its
own thread. Results follow Rally's shape, plus the hook name, the iteration
current when the run started and its duration.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Any, ClassVar, TypedDict

from squall import registry
from squall.results import error_triple

# Seconds a hook command may run unless its config says otherwise.
DEFAULT_TIMEOUT = 60.0


def run_command(argv: list[str], timeout: float) -> tuple[int | None, str]:
    """Run ``argv`` in its own process group; kill the group on timeout.

    Returns (exit code or None on timeout, combined stdout and stderr).
    """
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out


class HookRunResult(TypedDict, total=False):
    """One run of a hook action."""

    hook: str
    status: str
    started_at: float
    finished_at: float
    duration: float
    iteration: int
    triggered_by: dict[str, Any]
    error: dict[str, str]
    output: dict[str, list[dict[str, Any]]]


class HookAction(registry.Plugin):
    """Base of hook actions: implement ``run()``.

    Report problems with :meth:`set_error` (or :meth:`set_status`) and charts
    with :meth:`add_output`. ``run`` may also return a mapping with
    ``status`` (the shape of the original hooks design).
    """

    plugin_kind: ClassVar[str] = "hook"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {}
    # Actions that run commands on squall's machine; a service may refuse them.
    RUNS_COMMANDS: ClassVar[bool] = False

    def __init__(self, config: Any, context: dict[str, Any] | None = None) -> None:
        self.config = config
        self.context = context or {}
        self._status = "success"
        self._error: dict[str, str] | None = None
        self._output: dict[str, list[dict[str, Any]]] = {"additive": [], "complete": []}

    def run(self) -> Any:
        """Do the action once."""
        raise NotImplementedError

    def set_error(self, exception_name: str, description: str, details: str) -> None:
        """Mark this run failed, with what went wrong."""
        self._status = "failed"
        self._error = {"exception_name": exception_name, "description": description, "details": details}

    def set_status(self, status: str) -> None:
        """Set the run's status (``success``, ``failed``, ...)."""
        self._status = status

    def add_output(self, additive: dict[str, Any] | None = None, complete: dict[str, Any] | None = None) -> None:
        """Add a chart or text output (Rally's output shape)."""
        if additive:
            self._output["additive"].append(additive)
        if complete:
            self._output["complete"].append(complete)

    def run_once(self, triggered_by: dict[str, Any], iteration: int) -> HookRunResult:
        """Run the action, catching everything, and describe the run."""
        started = time.time()
        try:
            returned = self.run()
            if isinstance(returned, dict) and returned.get("status"):
                self.set_status(str(returned["status"]))
        except Exception as exc:
            self.set_error(*error_triple(exc))
        finished = time.time()
        result: HookRunResult = {
            "hook": self.plugin_name,
            "status": self._status,
            "started_at": started,
            "finished_at": finished,
            "duration": finished - started,
            "iteration": iteration,
            "triggered_by": triggered_by,
        }
        if self._error:
            result["error"] = self._error
        if self._output["additive"] or self._output["complete"]:
            result["output"] = self._output
        return result


class Trigger(registry.Plugin):
    """Base of triggers: say which events matter and which values fire."""

    plugin_kind: ClassVar[str] = "trigger"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {}

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def get_listening_event(self) -> str:
        """``iteration`` or ``time``."""
        return str(self.config["unit"])

    def on_event(self, event_type: str, value: int) -> bool:
        """True when the hook must run for this event."""
        raise NotImplementedError

    def last_value(self) -> float | None:
        """The last value that can fire (None: no end), so idle timers can stop."""
        return None
