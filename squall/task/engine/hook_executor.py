"""Runs a workload's hooks while its load runs.

Two watcher threads turn the load into trigger events: one follows the shared
count of started iterations (every millisecond), one wakes at each whole
second since the load started. Each time a trigger fires, the hook's action
runs in a new thread, so a slow hook never holds back the load or another
hook. When the load ends (or is aborted) triggers stop; running hooks are
waited for, up to a limit, and the ones still running are reported failed.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

from squall import registry
from squall.plugin_api.hook import HookAction, HookRunResult, Trigger
from squall.task.taskfile.normalise import HookConfig, hook_parts

# How long hooks still running when the load ends are waited for.
WAIT_SECONDS = float(os.environ.get("SQUALL_HOOK_WAIT", "120"))
_POLL = 0.001


class _Hook:
    def __init__(self, config: HookConfig) -> None:
        action_name, action_args, trigger_name, trigger_args = hook_parts(config)
        self.config = config
        self.action_cls = cast(type[HookAction], registry.get("hook", action_name))
        self.action_args = action_args
        self.trigger = cast(type[Trigger], registry.get("trigger", trigger_name))(trigger_args)
        self.results: list[HookRunResult] = []
        self.running: list[tuple[threading.Thread, dict[str, Any]]] = []


class HookExecutor:
    """Fires the hooks of one workload from iteration and time events."""

    def __init__(self, hooks: list[HookConfig], started_iterations: Callable[[], int],
                 load_stopped: Callable[[], bool], context: dict[str, Any],
                 on_result: Callable[[HookRunResult], None] | None = None) -> None:
        self.hooks = [_Hook(h) for h in hooks]
        self.started_iterations = started_iterations
        self.load_stopped = load_stopped
        self.context = context
        self.on_result = on_result
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._watchers: list[threading.Thread] = []
        self.t0 = 0.0

    def _fire(self, hook: _Hook, event_type: str, value: int) -> None:
        if self.load_stopped():  # aborted: no new hook runs
            return
        triggered_by = {"event_type": event_type, "value": value}
        iteration = value if event_type == "iteration" else self.started_iterations()
        action = hook.action_cls(hook.action_args, self.context)
        record: dict[str, Any] = {"started_at": time.time(), "triggered_by": triggered_by, "iteration": iteration}

        def body() -> None:
            result = action.run_once(triggered_by, iteration)
            with self._lock:
                hook.results.append(result)
            if self.on_result is not None:
                self.on_result(result)

        thread = threading.Thread(target=body, name=f"hook-{hook.action_cls.plugin_name}", daemon=True)
        with self._lock:
            hook.running.append((thread, record))
        thread.start()

    def _watch_iterations(self, hooks: list[_Hook]) -> None:
        seen = 0
        while True:
            finished = self._done.is_set()
            current = self.started_iterations()
            for number in range(seen + 1, current + 1):
                for hook in hooks:
                    if hook.trigger.on_event("iteration", number):
                        self._fire(hook, "iteration", number)
            seen = current
            if finished or self.load_stopped():
                return
            time.sleep(_POLL)

    def _watch_time(self, hooks: list[_Hook]) -> None:
        lasts = [h.trigger.last_value() for h in hooks]
        horizon = None if any(v is None for v in lasts) else max(v for v in lasts if v is not None)
        second = 0
        while horizon is None or second <= horizon:
            if self._done.wait(max(0.0, self.t0 + second - time.monotonic())):
                return
            for hook in hooks:
                if hook.trigger.on_event("time", second):
                    self._fire(hook, "time", second)
            second += 1

    def start(self, t0: float) -> None:
        """Start watching; ``t0`` is the load's start on the monotonic clock."""
        self.t0 = t0
        by_unit: dict[str, list[_Hook]] = {"iteration": [], "time": []}
        for hook in self.hooks:
            by_unit.setdefault(hook.trigger.get_listening_event(), []).append(hook)
        if by_unit["iteration"]:
            self._watchers.append(threading.Thread(target=self._watch_iterations, args=(by_unit["iteration"],),
                                                   name="hook-iterations", daemon=True))
        if by_unit["time"]:
            self._watchers.append(threading.Thread(target=self._watch_time, args=(by_unit["time"],),
                                                   name="hook-timer", daemon=True))
        for watcher in self._watchers:
            watcher.start()

    def finish(self, wait: float | None = None) -> None:
        """Stop the triggers, then wait for running hooks (bounded)."""
        self._done.set()
        for watcher in self._watchers:
            watcher.join()
        deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
        for hook in self.hooks:
            for thread, record in list(hook.running):
                thread.join(max(0.0, deadline - time.monotonic()))
                if thread.is_alive():
                    now = time.time()
                    result: HookRunResult = {
                        "hook": hook.action_cls.plugin_name, "status": "failed",
                        "started_at": record["started_at"], "finished_at": now,
                        "duration": now - record["started_at"], "iteration": record["iteration"],
                        "triggered_by": record["triggered_by"],
                        "error": {"exception_name": "HookTimeout",
                                  "description": f"still running {WAIT_SECONDS if wait is None else wait:g} s "
                                                 "after the load ended; no longer waited for",
                                  "details": ""},
                    }
                    with self._lock:
                        hook.results.append(result)
                    if self.on_result is not None:
                        self.on_result(result)

    def results(self) -> list[dict[str, Any]]:
        """Per hook: ``{config, results, summary}`` (Rally's shape), runs in start order."""
        out = []
        for hook in self.hooks:
            with self._lock:
                runs = sorted(hook.results, key=lambda r: r["started_at"])
            out.append({
                "config": {"description": hook.config["description"], "action": hook.config["action"],
                           "trigger": hook.config["trigger"]},
                "results": runs,
                "summary": dict(Counter(r["status"] for r in runs)),
            })
        return out
