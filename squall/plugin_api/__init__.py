"""What a plugin author imports: the base of each plugin kind, its decorator, and the atomic-action timers.

One file is one plugin; a third-party package registers its plugins through
the ``squall.plugins`` entry point (docs/plugins.md)::

    from squall.plugin_api import ActionTimer, Scenario, configure_scenario

    @configure_scenario(name="MyService.ping")
    class Ping(Scenario):
        def run(self, url: str) -> None:
            with ActionTimer(self, "ping"):
                ...

squall's own plugins (``squall/plugins``, ``squall/platforms``) import
these too, and nothing of squall's engine (``squall.task``): the layer test
holds them to it.
"""

from __future__ import annotations

from squall.plugin_api.atomic import (
    ActionsRecorder,
    ActionTimer,
    AtomicAction,
    AtomicActionsHolder,
    CallbackIteration,
    CallbackStep,
    IterationDone,
    StepDone,
    action_timer,
    flatten,
)
from squall.plugin_api.context import Context
from squall.plugin_api.context import configure as configure_context
from squall.plugin_api.exporter import Exporter, ResultsReader
from squall.plugin_api.hook import DEFAULT_TIMEOUT, HookAction, HookRunResult, Trigger, run_command
from squall.plugin_api.runner import MAX_CONCURRENCY, PlannedLoad, RateSchedule, Runner, Schedule, Stages
from squall.plugin_api.scenario import Scenario, VirtualUser
from squall.plugin_api.scenario import configure as configure_scenario
from squall.plugin_api.sla import SLA, SLAFigures, readable
from squall.plugin_api.values import Values
from squall.registry import configure

__all__ = [
    "DEFAULT_TIMEOUT", "MAX_CONCURRENCY", "SLA", "ActionTimer", "ActionsRecorder", "AtomicAction",
    "AtomicActionsHolder", "CallbackIteration", "CallbackStep", "Context", "Exporter", "HookAction", "HookRunResult",
    "IterationDone", "PlannedLoad", "RateSchedule", "ResultsReader", "Runner", "SLAFigures", "Schedule", "Scenario",
    "Stages", "StepDone", "Trigger", "Values", "VirtualUser",
    "action_timer", "configure", "configure_context", "configure_scenario", "flatten", "readable", "run_command",
]
