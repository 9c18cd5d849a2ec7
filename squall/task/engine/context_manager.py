"""The contexts of one workload, set up in ``ORDER`` and cleaned up in reverse.

Clean-up runs for every context whose set-up started, also when a later
set-up, the load or the user's abort failed. Each set-up and clean-up is
recorded in Rally's ``contexts_results`` shape.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any, cast

from squall import exceptions, registry
from squall.plugin_api.context import Context

LOG = logging.getLogger(__name__)


def _run_step(ctx: Context, step: str) -> dict[str, Any]:
    started = time.time()
    error = None
    try:
        getattr(ctx, step)()
    except Exception as exc:  # a context's failure is recorded, never lost
        LOG.info("context %s %s failed: %s", ctx.plugin_name, step, exc)  # recorded; the CLI shows it
        error = {
            "etype": type(exc).__name__,
            "msg": str(exc),
            "traceback": traceback.format_exc(),
        }
    return {"started_at": started, "finished_at": time.time(), "atomic_actions": [], "error": error}


class ContextManager:
    """Sets up the contexts of one workload and always cleans them up."""

    def __init__(self, contexts: dict[str, Any], context: dict[str, Any]) -> None:
        classes = [(cast(type[Context], registry.get("context", name)), cfg) for name, cfg in contexts.items()]
        classes.sort(key=lambda item: (item[0].ORDER, item[0].plugin_name))
        self.context = context
        self._contexts = [cls(cfg, context) for cls, cfg in classes]
        self._started: list[Context] = []
        self.results: list[dict[str, Any]] = []

    def platforms(self) -> set[str]:
        """The platforms of the workload's contexts (``default`` for the platform-free ones)."""
        return {ctx.plugin_platform for ctx in self._contexts}

    def setup(self) -> None:
        """Set up each context in order; the first failure stops and raises."""
        for ctx in self._contexts:
            self._started.append(ctx)
            record = {
                "plugin_name": ctx.plugin_name,
                "plugin_cfg": ctx.config,
                "setup": _run_step(ctx, "setup"),
                "cleanup": {"started_at": 0.0, "finished_at": 0.0, "atomic_actions": [], "error": None},
            }
            self.results.append(record)
            error = record["setup"]["error"]
            if error is not None:
                raise exceptions.ContextSetupError(name=ctx.plugin_name, etype=error["etype"], msg=error["msg"])

    def cleanup(self) -> None:
        """Clean up every started context in reverse order, whatever fails."""
        by_name = {r["plugin_name"]: r for r in self.results}
        for ctx in reversed(self._started):
            by_name[ctx.plugin_name]["cleanup"] = _run_step(ctx, "cleanup")
        self._started = []
