"""``rps``: start iterations at a given rate, constant or ramping."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from squall.plugin_api.runner import (
    MAX_CONCURRENCY,
    RateSchedule,
    Runner,
    Schedule,
    processes_for,
    ramp_segments,
    split,
)
from squall.registry import JSON_SCHEMA, configure

# Thread mode: a slot is a thread, so cap what an unbounded config would create.
DEFAULT_MAX_CONCURRENCY = 1000


@configure(name="rps")
class RPSRunner(Runner):
    """Start ``times`` iterations at ``rps`` per second (open loop), or start them for ``duration`` seconds.

    ``rps`` is a number or a ramp ``{start, end, step, duration}``: the rate
    starts at ``start`` and changes by ``step`` every ``duration`` seconds
    until it reaches ``end``. At most ``max_concurrency`` iterations run at
    once; when all are busy, new ones start late. With both ``times`` and
    ``duration``, the load ends at whichever comes first.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "times": {"type": "integer", "minimum": 1},
            "rps": {
                "anyOf": [
                    {"type": "number", "exclusiveMinimum": 0},
                    {
                        "type": "object",
                        "properties": {
                            "start": {"type": "number", "minimum": 0},
                            "end": {"type": "number", "minimum": 1},
                            "step": {"type": "number", "minimum": 1},
                            "duration": {"type": "number", "minimum": 1},
                        },
                        "required": ["start", "end", "step"],
                        "additionalProperties": False,
                    },
                ]
            },
            "duration": {"type": "number", "exclusiveMinimum": 0,
                         "description": "seconds to start iterations for (instead of, or besides, times)"},
            "timeout": {"type": "number", "exclusiveMinimum": 0},
            "max_concurrency": {"type": "integer", "minimum": 1, "maximum": MAX_CONCURRENCY},
            "max_cpu_count": {"type": "integer", "minimum": 1},
        },
        "required": ["rps"],
        "anyOf": [{"required": ["times"]}, {"required": ["duration"]}],
        "additionalProperties": False,
    }

    def schedule(self) -> Schedule:
        times = self.config.get("times")
        duration = self.config.get("duration")
        rate = RateSchedule(ramp_segments(self.config["rps"]))
        most = times if times is not None else max(1, math.ceil(rate.final_rate * float(duration or 0)))
        max_conc = min(self.config.get("max_concurrency", DEFAULT_MAX_CONCURRENCY), most)
        # One process per core unless the rate is so low that one is plenty.
        wanted = max(1, math.ceil(rate.final_rate / 500))
        procs = processes_for(min(max_conc, wanted), self.config.get("max_cpu_count"))
        return Schedule(processes=procs, slots=split(max_conc, procs), times=times, rate=rate,
                        duration=float(duration) if duration is not None else None,
                        timeout=self.config.get("timeout"))
