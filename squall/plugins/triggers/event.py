"""``event`` trigger: at listed iterations or seconds."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.hook import Trigger
from squall.registry import JSON_SCHEMA, configure


def _unit_schema(unit: str, minimum: int) -> dict[str, Any]:
    return {
        "properties": {
            "unit": {"enum": [unit]},
            "at": {"type": "array", "minItems": 1, "uniqueItems": True,
                   "items": {"type": "integer", "minimum": minimum}},
        },
        "required": ["unit", "at"],
        "additionalProperties": False,
    }


@configure(name="event")
class EventTrigger(Trigger):
    """Fire at each listed value: iteration numbers (>= 1) or seconds (>= 0)."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "$schema": JSON_SCHEMA,
        "oneOf": [_unit_schema("time", 0), _unit_schema("iteration", 1)],
    }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._at = set(config["at"])

    def on_event(self, event_type: str, value: int) -> bool:
        return event_type == self.get_listening_event() and value in self._at

    def last_value(self) -> float | None:
        return float(max(self._at))
