"""The load each workload's runner planned over time, added to a report's chart data (a ramp's stages)."""

from __future__ import annotations

from typing import Any

from squall import registry
from squall.exceptions import SquallError
from squall.plugin_api.runner import PlannedLoad, Runner


def add_planned_load(document: dict[str, Any]) -> dict[str, Any]:
    """Give each workload of a report document whose runner plans a figure over time (users, or a rate) its
    ``series.planned``: ``{"what", "values"}`` sampled at the series' times. ``document`` is changed and returned."""
    for task in document["tasks"]:
        for sub in task["subtasks"]:
            for wl in sub["workloads"]:
                planned = _planned(wl["runner"])
                if planned is not None:
                    wl["series"]["planned"] = {"what": planned.what, "values": planned.sampled(wl["series"]["t"])}
    return document


def _planned(runner: dict[str, Any]) -> PlannedLoad | None:
    ((kind, config),) = runner.items()
    try:
        runner_cls = registry.get("runner", kind)
        if not issubclass(runner_cls, Runner):
            return None
        return runner_cls(config).planned_load()
    except (SquallError, KeyError, TypeError, ValueError):  # an imported task's runner squall lacks, or a bad config
        return None
