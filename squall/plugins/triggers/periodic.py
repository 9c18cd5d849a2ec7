"""``periodic`` trigger: every ``step`` iterations or seconds."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.hook import Trigger
from squall.registry import JSON_SCHEMA, configure


def _unit_schema(unit: str, start_minimum: int) -> dict[str, Any]:
    return {
        "properties": {
            "unit": {"enum": [unit]},
            "step": {"type": "integer", "minimum": 1},
            "start": {"type": "integer", "minimum": start_minimum},
            "end": {"type": "integer", "minimum": 1},
        },
        "required": ["unit", "step"],
        "additionalProperties": False,
    }


@configure(name="periodic")
class PeriodicTrigger(Trigger):
    """Fire at ``start``, ``start + step``, ... up to ``end`` (open-ended without it).

    ``start`` defaults to 1 for iterations and 0 for time, as in Rally.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "$schema": JSON_SCHEMA,
        "oneOf": [_unit_schema("time", 0), _unit_schema("iteration", 1)],
    }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.start = int(config.get("start", 0 if config["unit"] == "time" else 1))
        self.step = int(config["step"])
        self.end = config.get("end")

    def on_event(self, event_type: str, value: int) -> bool:
        if event_type != self.get_listening_event() or value < self.start:
            return False
        if self.end is not None and value > self.end:
            return False
        return (value - self.start) % self.step == 0

    def last_value(self) -> float | None:
        return None if self.end is None else float(self.end)
