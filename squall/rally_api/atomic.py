"""``rally.task.atomic``: squall's atomic-action timers under Rally's names."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from squall.plugin_api.atomic import ActionTimer, AtomicAction, action_timer

__all__ = ["ActionTimer", "ActionTimerMixin", "action_timer", "optional_action_timer"]


class ActionTimerMixin:
    """Something that collects atomic actions of its own (Rally plugins time helpers with it)."""

    def __init__(self) -> None:
        self._atomic_actions: list[AtomicAction] = []
        self._atomic_stack: list[AtomicAction] = []

    def atomic_actions(self) -> list[AtomicAction]:
        """The actions timed so far."""
        return self._atomic_actions

    def reset_atomic_actions(self) -> None:
        """Forget the actions timed so far."""
        self._atomic_actions = []
        self._atomic_stack = []


def optional_action_timer(name: str, argument_name: str = "atomic_action",
                          default: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Time the call as ``name`` unless the keyword ``argument_name`` is false (Rally's helper)."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        timed = action_timer(name)(func)

        @functools.wraps(func)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if kwargs.pop(argument_name, default):
                return timed(self, *args, **kwargs)
            return func(self, *args, **kwargs)

        return wrapper

    return decorator
