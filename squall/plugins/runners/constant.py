"""``constant`` and ``constant_for_duration``: a fixed number of iterations in flight."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.runner import MAX_CONCURRENCY, Runner, Schedule, processes_for, split
from squall.registry import JSON_SCHEMA, configure

_TIMEOUT = {"type": "number", "exclusiveMinimum": 0, "description": "Seconds before an iteration fails"}
_CPU = {"type": "integer", "minimum": 1, "description": "Worker processes at most"}


@configure(name="constant")
class ConstantRunner(Runner):
    """Run ``times`` iterations, ``concurrency`` of them at a time.

    Worker processes (one per core, at most ``max_cpu_count``) share the
    concurrency; each starts a new iteration as soon as one of its own ends.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "times": {"type": "integer", "minimum": 1},
            "concurrency": {"type": "integer", "minimum": 1, "maximum": MAX_CONCURRENCY},
            "timeout": _TIMEOUT,
            "max_cpu_count": _CPU,
        },
        "additionalProperties": False,
    }

    @classmethod
    def config_errors(cls, config: dict[str, Any], path: str) -> list[str]:
        """Rally's check_constant: more parallel iterations than iterations is refused."""
        times, concurrency = config.get("times", 1), config.get("concurrency", 1)
        if concurrency > times:
            return [f"{path}: concurrency ({concurrency}) must not exceed times ({times}), as in Rally"]
        return []

    def schedule(self) -> Schedule:
        times = self.config.get("times", 1)
        concurrency = min(self.config.get("concurrency", 1), times)
        procs = processes_for(concurrency, self.config.get("max_cpu_count"))
        return Schedule(processes=procs, slots=split(concurrency, procs), times=times,
                        timeout=self.config.get("timeout"))

    def expected_iterations(self) -> int | None:
        return int(self.config.get("times", 1))


@configure(name="constant_for_duration")
class ConstantForDurationRunner(Runner):
    """Keep ``concurrency`` iterations running for ``duration`` seconds."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "duration": {"type": "number", "minimum": 0},
            "concurrency": {"type": "integer", "minimum": 1, "maximum": MAX_CONCURRENCY},
            "timeout": _TIMEOUT,
            "max_cpu_count": _CPU,
        },
        "required": ["duration"],
        "additionalProperties": False,
    }

    def schedule(self) -> Schedule:
        concurrency = self.config.get("concurrency", 1)
        procs = processes_for(concurrency, self.config.get("max_cpu_count"))
        return Schedule(processes=procs, slots=split(concurrency, procs),
                        duration=float(self.config["duration"]), timeout=self.config.get("timeout"))

    def expected_iterations(self) -> int | None:
        return None
