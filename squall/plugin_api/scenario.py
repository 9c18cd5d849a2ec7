"""Scenario plugins: the code of one iteration."""

from __future__ import annotations

import inspect
import random
import time
from typing import Any, ClassVar

from squall import registry, utils
from squall.plugin_api.atomic import AtomicAction, CallbackIteration, CallbackStep
from squall.plugin_api.checks import TALLY


class VirtualUser:
    """One virtual user: a slot of a worker that runs an async scenario's iterations one after another, and what
    the scenario keeps between them (a login's token, cookies, a data feed's row).

    ``number`` is unique in the workload and dense (0, 1, ... up to the concurrency), over every worker
    process and Dask shard. A thread-run scenario gets a fresh user for each iteration.
    """

    __slots__ = ("number", "started", "data")

    def __init__(self, number: int) -> None:
        self.number = number
        self.started = False  # set by the scenario once its per-user start (a login) succeeded
        self.data: dict[str, Any] = {}


class Scenario(registry.Plugin):
    """Base class of scenarios: implement ``run(**args)`` (plain or ``async``).

    ``self.context`` holds the workload context (what contexts set up) and
    ``iteration``, the 1-based number of the running iteration. Time parts of
    ``run`` with :class:`squall.plugin_api.atomic.ActionTimer`; add charts with
    :meth:`add_output`.
    """

    plugin_kind: ClassVar[str] = "scenario"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {}
    # Contexts this scenario gets by default, as in Rally's configure(context=).
    DEFAULT_CONTEXTS: ClassVar[dict[str, Any]] = {}
    # Arguments (dicts) whose keys squall sets itself: {"network_create_args": ("name",)} (Rally's
    # restricted_parameters: a resource's name is always a squall name, so cleanup finds it).
    RESTRICTED: ClassVar[dict[str, tuple[str, ...]]] = {}
    # The names a ``run(**kwargs)`` understands; None: any (validation cannot tell a wrong one).
    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = None
    #: Each atomic action is one request: a name that repeats in an iteration is counted once per run in its
    #: statistics row, instead of Rally's one merged ``name (xN)`` row per iteration.
    COUNT_EACH_ACTION: ClassVar[bool] = False

    def __init__(self, context: dict[str, Any] | None = None) -> None:
        self.context: dict[str, Any] = context or {}
        #: The virtual user running this iteration (see :class:`VirtualUser`); the worker sets it.
        self.user = VirtualUser(int(self.context.get("iteration", 1)) - 1)
        self._atomic_actions: list[AtomicAction] = []
        self._atomic_stack: list[AtomicAction] = []
        self._output: dict[str, list[dict[str, Any]]] = {"additive": [], "complete": []}
        self._idle_duration = 0.0

    def run(self, **kwargs: Any) -> Any:
        """One iteration."""
        raise NotImplementedError

    @classmethod
    def before_load(cls, context: dict[str, Any]) -> None:
        """Called once in squall's process after the contexts are set up, before workers fork.

        What it imports or caches is inherited by every worker (e.g. clients
        and tokens); the default does nothing.
        """

    @classmethod
    def worker_args(cls, args: dict[str, Any]) -> dict[str, Any]:
        """The arguments as the workers get them, made once in squall's process before the load (for example a
        data file the arguments name, read here and shipped as content: list it in :meth:`host_files` too). The
        arguments as given by default; raise :class:`squall.exceptions.InvalidArgumentsError` to refuse them."""
        return args

    @classmethod
    def fast_iteration(cls, args: dict[str, Any]) -> CallbackStep | None:
        """This workload's iteration as a :class:`~squall.plugin_api.atomic.CallbackStep` (one atomic action,
        begun by a call and ended by a callback: what tens of thousands of iterations per second can afford),
        or None (the default): each iteration calls :meth:`run`. Asked once per worker process, for an async
        scenario whose runner has no ``timeout``."""
        return None

    @classmethod
    def callback_iteration(cls, args: dict[str, Any]) -> CallbackIteration | None:
        """This workload's iteration as a :class:`~squall.plugin_api.atomic.CallbackIteration` (a virtual user's
        iteration of several atomic actions on callbacks), or None (the default): each iteration calls
        :meth:`run`. Asked once per worker process, when :meth:`fast_iteration` gave None, for an async scenario
        whose runner has no ``timeout``; the worker then calls its ``stop``, not :meth:`stop_user`."""
        return None

    @classmethod
    async def close_worker_resources(cls) -> None:
        """Called once in each worker process of an async scenario when its share of the load has ended:
        close what the scenario keeps per worker (connections, sessions). Nothing by default."""

    async def stop_user(self, **kwargs: Any) -> None:
        """The end of a virtual user's life, for an async scenario (a logout): run once per user that ran an
        iteration, with ``run``'s arguments, when its share of the load is over, on the instance of its last
        iteration, so the stop's atomic actions, time and error count in that iteration (as a per-user start
        counts in the first). Nothing by default."""

    @classmethod
    def stops_users(cls) -> bool:
        """Whether this scenario has a :meth:`stop_user` of its own (the worker then holds each user's latest
        iteration back until the next one ends)."""
        return cls.stop_user is not Scenario.stop_user

    @classmethod
    def host_files(cls, args: dict[str, Any]) -> list[str]:
        """Files on squall's machine these arguments make an iteration read (a service refuses
        such a task without --allow-exec); none by default."""
        return []

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """Faults in the arguments' values that ``run`` would meet at every iteration (checked at
        validation, beside the signature); none by default."""
        return []

    @classmethod
    def targets(cls, args: dict[str, Any]) -> list[str]:
        """URLs these arguments make an iteration send requests to, proxies included (a service loads
        only the targets its rule allows, ``--allowed-target``); none by default."""
        return []

    @classmethod
    def get_info(cls) -> dict[str, Any]:
        """The plugin's description, plus ``arguments``: what ``run`` takes, with types and defaults."""
        info = super().get_info()
        props = (cls.CONFIG_SCHEMA or {}).get("properties", {})
        arguments = []
        for p in inspect.signature(cls.run).parameters.values():
            if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            annotation = p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", "")
            kind = props.get(p.name, {}).get("type") or (annotation if p.annotation is not p.empty else "")
            default = None if p.default is p.empty else p.default
            if default is not None and not isinstance(default, (bool, int, float, str, list, dict)):
                default = repr(default)
            arguments.append({"name": p.name, "type": str(kind), "required": p.default is p.empty,
                              "default": default})
        info["arguments"] = arguments
        info["accepts_other_arguments"] = any(
            p.kind is p.VAR_KEYWORD for p in inspect.signature(cls.run).parameters.values())
        return info

    @classmethod
    def is_async(cls) -> bool:
        """True when ``run`` is a coroutine function."""
        return inspect.iscoroutinefunction(cls.run)

    def atomic_actions(self) -> list[AtomicAction]:
        """The atomic actions timed so far in this iteration."""
        return self._atomic_actions

    def idle_duration(self) -> float:
        """Seconds this iteration spent in :meth:`sleep_between` (not counted in its duration)."""
        return self._idle_duration

    def output(self) -> dict[str, list[dict[str, Any]]] | None:
        """The charts added so far (``{additive, complete}``), or None when there are none."""
        out = self._output
        return out if (out["additive"] or out["complete"]) else None

    def add_output(self, additive: dict[str, Any] | None = None, complete: dict[str, Any] | None = None) -> None:
        """Add a chart (Rally's shape: ``{title, chart_plugin, data, ...}``)."""
        for key, value in (("additive", additive), ("complete", complete)):
            if value is None:
                continue
            for field in ("title", "chart_plugin", "data"):
                if field not in value:
                    raise ValueError(f"output {key} is missing '{field}'")
            self._output[key].append(value)

    def check(self, name: str, passed: bool) -> bool:
        """Count one check of this iteration (k6's checks): the workload's statistics say how often each named
        check passed and failed (at most 200 names). It does not fail the iteration: raise for that. Returns
        ``passed``."""
        TALLY.add(name, passed)
        return passed

    def sleep_between(self, min_sleep: float, max_sleep: float | None = None) -> None:
        """Sleep a random time counted as idle, not as iteration duration (in a plain ``def run``; an
        ``async def run`` awaits :meth:`think`)."""
        if _in_event_loop():
            raise RuntimeError("sleep_between would stop every iteration of this worker's event loop: "
                               "in an async run, use 'await self.think(min_sleep, max_sleep)'")
        seconds = _idle_seconds(min_sleep, max_sleep)
        started = time.monotonic()
        utils.interruptable_sleep(seconds)
        self._idle_duration += time.monotonic() - started

    async def think(self, min_sleep: float, max_sleep: float | None = None) -> None:
        """Wait a random time counted as idle, not as iteration duration, letting the other iterations of the
        event loop run (think time between a user's requests)."""
        import asyncio

        seconds = _idle_seconds(min_sleep, max_sleep)
        started = time.monotonic()
        await asyncio.sleep(seconds)
        self._idle_duration += time.monotonic() - started


def _idle_seconds(min_sleep: float, max_sleep: float | None) -> float:
    max_sleep = min_sleep if max_sleep is None else max_sleep
    if not 0 <= min_sleep <= max_sleep:
        raise ValueError("need 0 <= min_sleep <= max_sleep")
    return random.uniform(min_sleep, max_sleep)


def _in_event_loop() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def configure(name: str, platform: str = "default", context: dict[str, Any] | None = None) -> Any:
    """Register a scenario; ``context`` are contexts it always gets."""
    register = registry.configure(name, platform=platform)

    def decorator(cls: type[Scenario]) -> type[Scenario]:
        cls.DEFAULT_CONTEXTS = dict(context or {})
        return register(cls)

    return decorator

