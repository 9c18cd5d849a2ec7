"""``ramping_vus`` and ``ramping_arrival_rate``: load that moves by stages inside one workload, as k6's executors.

Both take ``stages``, a list of ``{duration, target}``: the figure (virtual
users, or iterations started a second) moves in a straight line from where
it was to ``target`` over ``duration`` seconds. One workload, one statistics
table, however many stages.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from squall.plugin_api.runner import (
    MAX_CONCURRENCY,
    PlannedLoad,
    RateSchedule,
    Runner,
    Schedule,
    Stages,
    processes_for,
    split,
)
from squall.registry import JSON_SCHEMA, configure

_STAGES = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {"duration": {"type": "number", "minimum": 0, "description": "seconds the stage lasts"},
                       "target": {"type": "number", "minimum": 0, "description": "where the figure ends it"}},
        "required": ["duration", "target"],
        "additionalProperties": False,
    },
}
_TIMEOUT = {"type": "number", "exclusiveMinimum": 0, "description": "Seconds before an iteration fails"}
_CPU = {"type": "integer", "minimum": 1, "description": "Worker processes at most"}


def _schema(**own: dict[str, Any]) -> dict[str, Any]:
    """A ramping runner's schema: its own properties, the stages, a timeout and a CPU cap."""
    return {"$schema": JSON_SCHEMA, "type": "object",
            "properties": {**own, "stages": _STAGES, "timeout": _TIMEOUT, "max_cpu_count": _CPU},
            "required": ["stages"], "additionalProperties": False}


def _stages(config: dict[str, Any], start_key: str) -> Stages:
    return Stages(float(config.get(start_key, 0)),
                  tuple((float(s["duration"]), float(s["target"])) for s in config["stages"]))


def _errors(config: dict[str, Any], path: str, start_key: str) -> list[str]:
    stages = config.get("stages") or []
    if sum(float(s.get("duration", 0)) for s in stages) <= 0:
        return [f"{path}.stages: the stages last 0 seconds in all"]
    if max([float(config.get(start_key, 0)), *(float(s.get("target", 0)) for s in stages)]) <= 0:
        return [f"{path}.stages: every target is 0: nothing would run"]
    return []


@configure(name="ramping_vus")
class RampingUsersRunner(Runner):
    """Virtual users that ramp up, hold and ramp down by ``stages`` (k6's ramping-vus, Locust's LoadTestShape).

    Each user runs iterations one after another while the stages let it in (user ``n`` runs while more than
    ``n`` users are wanted); a user the stages let go finishes its iteration and stops. The load ends with the
    last stage.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = _schema(
        start_vus={"type": "integer", "minimum": 0, "description": "users at the start (default 0)"})

    @classmethod
    def config_errors(cls, config: dict[str, Any], path: str) -> list[str]:
        """Stages that last no time or want no user, and more users than squall runs at once."""
        found = _errors(config, path, "start_vus")
        peak = _stages(config, "start_vus").peak if not found else 0
        if peak > MAX_CONCURRENCY:
            found.append(f"{path}.stages: {peak:g} users, more than the {MAX_CONCURRENCY:,} squall runs at once")
        return found

    def schedule(self) -> Schedule:
        users = _stages(self.config, "start_vus")
        slots = max(1, math.ceil(users.peak))
        procs = processes_for(slots, self.config.get("max_cpu_count"))
        return Schedule(processes=procs, slots=split(slots, procs), duration=users.seconds, users=users,
                        timeout=self.config.get("timeout"))

    def expected_iterations(self) -> int | None:
        return None

    def planned_load(self) -> PlannedLoad:
        """The virtual users the stages want, over time."""
        return PlannedLoad("users", _stages(self.config, "start_vus"))


@configure(name="ramping_arrival_rate")
class RampingRateRunner(Runner):
    """Iterations started at a rate that moves by ``stages`` (k6's ramping-arrival-rate): open loop, each
    iteration due at its time whatever the ones before it do, at most ``max_concurrency`` running at once
    (when all are busy, new ones start late and the latency from their due time shows it)."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = _schema(
        start_rate={"type": "number", "minimum": 0, "description": "iterations a second at the start"},
        max_concurrency={"type": "integer", "minimum": 1, "maximum": MAX_CONCURRENCY})

    @classmethod
    def config_errors(cls, config: dict[str, Any], path: str) -> list[str]:
        """Stages that last no time or start no iteration."""
        found = _errors(config, path, "start_rate")
        if not found and _stages(config, "start_rate").total() < 1:
            found.append(f"{path}.stages: fewer than one iteration would start in all")
        return found

    def schedule(self) -> Schedule:
        rates = _stages(self.config, "start_rate")
        times = math.floor(rates.total())
        max_conc = min(self.config.get("max_concurrency", 1000), max(1, times))
        procs = processes_for(min(max_conc, max(1, math.ceil(rates.peak / 500))), self.config.get("max_cpu_count"))
        return Schedule(processes=procs, slots=split(max_conc, procs), times=times,
                        rate=RateSchedule(rates.rate_segments()), timeout=self.config.get("timeout"))

    def expected_iterations(self) -> int | None:
        return math.floor(_stages(self.config, "start_rate").total())

    def planned_load(self) -> PlannedLoad:
        """The iterations due a second, over time."""
        return PlannedLoad("rate", _stages(self.config, "start_rate"))
