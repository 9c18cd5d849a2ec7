"""``rally.task.context``: Rally's ``Context`` base and ``configure``, on squall's contexts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from squall.plugin_api import context as squall_context
from squall.rally_api import validation
from squall.rally_api.utils import RandomNameGeneratorMixin

C = TypeVar("C", bound=type)


class Context(squall_context.Context, RandomNameGeneratorMixin, validation.ValidatablePluginMixin):
    """A Rally context: ``setup()`` and ``cleanup()``, with ``self.config`` and ``self.context``.

    ``DEFAULT_CONFIG`` fills keys the task leaves out, as in Rally.
    """

    def __init__(self, config: Any, context: dict[str, Any]) -> None:
        super().__init__(config, context)
        self.task = context.get("task", {})


def configure(name: str, platform: str = "default", order: int = 0,
              hidden: bool = False) -> Callable[[C], C]:
    """Register a Rally context class; ``order`` sets its place in the set-up sequence."""
    register = squall_context.configure(name, order=order, platform=platform)

    def decorator(cls: C) -> C:
        registered = register(cls)
        validation.apply_platform(registered)
        return registered  # type: ignore[return-value]

    return decorator
