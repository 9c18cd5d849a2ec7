"""Timing of named, nested atomic actions inside an iteration.

Use ``with ActionTimer(self, "name"):`` or decorate a scenario method with
``@action_timer("name")``. Results have Rally's shape:
``{name, started_at, finished_at, failed, children: [...]}``.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, TypedDict, TypeVar


class AtomicAction(TypedDict, total=False):
    """One timed action; ``children`` are the actions timed inside it."""

    name: str
    started_at: float
    finished_at: float | None
    failed: bool
    children: list[AtomicAction]


class AtomicActionsHolder(Protocol):
    """Anything that collects atomic actions (a scenario, a context)."""

    _atomic_actions: list[AtomicAction]
    _atomic_stack: list[AtomicAction]


class ActionsRecorder:
    """A holder of its own, for calls made outside an iteration (a context's set-up)."""

    def __init__(self) -> None:
        self._atomic_actions: list[AtomicAction] = []
        self._atomic_stack: list[AtomicAction] = []


def new_action(name: str) -> AtomicAction:
    """A just-started action: Rally's record, ``finished_at`` still None."""
    return {"name": name, "started_at": time.time(), "finished_at": None, "failed": False, "children": []}


class ActionTimer:
    """Context manager that times one atomic action, nested in the current one."""

    def __init__(self, holder: AtomicActionsHolder, name: str) -> None:
        self.holder = holder
        self.name = name
        self.action: AtomicAction | None = None

    def __enter__(self) -> ActionTimer:
        action = new_action(self.name)
        stack = self.holder._atomic_stack
        siblings = stack[-1]["children"] if stack else self.holder._atomic_actions
        siblings.append(action)
        stack.append(action)
        self.action = action
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.action is not None
        self.action["finished_at"] = time.time()
        if exc_type is not None:
            self.action["failed"] = True
        stack = self.holder._atomic_stack
        if stack and stack[-1] is self.action:
            stack.pop()

    async def __aenter__(self) -> ActionTimer:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)


F = TypeVar("F", bound=Callable[..., Any])


def action_timer(name: str) -> Callable[[F], F]:
    """Decorate a method of a scenario so each call is timed as ``name``."""

    def decorator(func: F) -> F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(self: AtomicActionsHolder, *args: Any, **kwargs: Any) -> Any:
                # ActionTimer's work, inlined: an HTTP iteration is a few microseconds of Python in all.
                action = new_action(name)
                stack = self._atomic_stack
                (stack[-1]["children"] if stack else self._atomic_actions).append(action)
                stack.append(action)
                try:
                    return await func(self, *args, **kwargs)
                except BaseException:
                    action["failed"] = True
                    raise
                finally:
                    action["finished_at"] = time.time()
                    if stack and stack[-1] is action:
                        stack.pop()

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(self: AtomicActionsHolder, *args: Any, **kwargs: Any) -> Any:
            with ActionTimer(self, name):
                return func(self, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


#: Called once when a :class:`CallbackStep` ends: None when it passed, else the exception that failed it.
StepDone = Callable[[BaseException | None], None]


class CallbackStep(Protocol):
    """An iteration that is one atomic action, begun by a call and ended by a callback: no coroutine, future or
    task per iteration (what a load of tens of thousands of iterations per second can afford)."""

    action: str

    def start(self, done: StepDone) -> None:
        """Begin one iteration; ``done`` is called once, from the event loop, when it has ended."""


#: Called once when a :class:`CallbackIteration` ends: the exception that failed it (None: it passed), its atomic
#: actions, and the seconds it spent idle (think time, not counted in its duration).
IterationDone = Callable[[BaseException | None, list[AtomicAction], float], None]


class CallbackIteration(Protocol):
    """An iteration of a virtual user that may time several atomic actions, begun by a call and ended by a
    callback: no coroutine, future or task per iteration or per action (an HTTP journey of several requests).

    With ``stops_users``, the worker holds each user's latest result back and, once the user's share of the load
    is over, calls :meth:`stop`: what it times and its time join that last iteration (as ``Scenario.stop_user``).
    """

    stops_users: bool

    def start(self, user: Any, iteration: int, done: IterationDone) -> None:
        """Begin iteration ``iteration`` (1-based) as ``user`` (a :class:`~squall.plugin_api.VirtualUser`, whose
        ``data`` lasts between its iterations); ``done`` is called once, from the event loop or from inside this
        call."""

    def stop(self, user: Any, done: IterationDone) -> None:
        """End ``user`` (a logout), calling ``done`` once; asked only with ``stops_users``."""


def flatten(actions: list[AtomicAction]) -> list[tuple[str, float, bool]]:
    """Top-level actions as ``(name, duration, failed)``, repeated names numbered.

    Rally names the second and later calls of the same action ``name (2)``;
    statistics and SLA use these names.
    """
    seen: dict[str, int] = {}
    flat = []
    for action in actions:
        name = action["name"]
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        finished = action.get("finished_at") or action["started_at"]
        flat.append((name, finished - action["started_at"], bool(action.get("failed"))))
    return flat


def interrupted_copy(actions: list[AtomicAction], at: float) -> list[AtomicAction]:
    """A copy of the actions of an iteration stopped at ``at``: those still open end then, failed.

    What Rally records for an iteration its timeout stopped: the actions it
    was in are kept, and marked failed.
    """
    copied: list[AtomicAction] = []
    for action in list(actions):
        item: AtomicAction = {**action, "children": interrupted_copy(action.get("children") or [], at)}
        if item.get("finished_at") is None:
            item["finished_at"] = at
            item["failed"] = True
        copied.append(item)
    return copied
