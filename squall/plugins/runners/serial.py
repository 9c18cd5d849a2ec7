"""``serial``: one iteration after another."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.runner import Runner, Schedule
from squall.registry import JSON_SCHEMA, configure


@configure(name="serial")
class SerialRunner(Runner):
    """Run ``times`` iterations one after another, in one worker process."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {"times": {"type": "integer", "minimum": 1}},
        "additionalProperties": False,
    }

    def schedule(self) -> Schedule:
        return Schedule(processes=1, slots=(1,), times=self.config.get("times", 1))

    def expected_iterations(self) -> int | None:
        return int(self.config.get("times", 1))
