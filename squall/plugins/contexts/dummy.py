"""``dummy_context``: a context that only records that it ran, for tests and demos."""

from __future__ import annotations

from typing import Any, ClassVar

from squall import utils
from squall.plugin_api.context import Context, configure
from squall.registry import JSON_SCHEMA


@configure(name="dummy_context", order=750)
class DummyContext(Context):
    """Sleep ``sleep`` seconds at set-up and clean-up; fail on request.

    With ``fail_setup`` or ``fail_cleanup`` the step raises, which shows how
    squall records context failures.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "sleep": {"type": "number", "minimum": 0},
            "fail_setup": {"type": "boolean"},
            "fail_cleanup": {"type": "boolean"},
        },
        "additionalProperties": False,
    }
    DEFAULT_CONFIG: ClassVar[dict[str, Any]] = {"sleep": 0.0, "fail_setup": False, "fail_cleanup": False}

    def setup(self) -> None:
        utils.interruptable_sleep(self.config["sleep"])
        if self.config["fail_setup"]:
            raise RuntimeError("dummy_context was asked to fail its set-up")
        self.context["dummy"] = {"ready": True}

    def cleanup(self) -> None:
        utils.interruptable_sleep(self.config["sleep"])
        if self.config["fail_cleanup"]:
            raise RuntimeError("dummy_context was asked to fail its clean-up")
