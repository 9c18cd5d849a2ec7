"""Runner plugins decide how iterations are issued: how many, how fast.

A runner turns its config into a :class:`Schedule` (pure data), and
:mod:`squall.task.load.local.pool` carries the schedule out in worker processes.
Closed-loop runners keep ``slots`` iterations running at once; open-loop
runners (``rate`` set) start iteration ``i`` at ``rate.offset(i)`` seconds.
"""

from __future__ import annotations

import bisect
import math
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

from squall import registry

#: The most iterations a workload may run at once: each one is a thread or a task
#: with its own stack, so more would exhaust the machine before the load starts.
MAX_CONCURRENCY = 100_000


@dataclass(frozen=True)
class RateSchedule:
    """Start offsets of an open-loop load: constant rate or a ramp.

    ``segments`` is a list of ``(rate, seconds)``; the last segment lasts
    forever. Iteration ``i`` (0-based) starts at ``offset(i)`` seconds.
    """

    segments: tuple[tuple[float, float], ...]
    _starts: list[float] = field(default_factory=list, compare=False, repr=False)
    _counts: list[float] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        start = 0.0
        count = 0.0
        for rate, seconds in self.segments:
            self._starts.append(start)
            self._counts.append(count)
            start += seconds
            count += rate * seconds

    def offset(self, index: int) -> float:
        """Seconds from the load's start until iteration ``index`` starts."""
        pos = bisect.bisect_right(self._counts, index) - 1
        # Skip zero-rate segments: they hold no iterations.
        while self.segments[pos][0] <= 0 and pos + 1 < len(self.segments):
            pos += 1
        rate = self.segments[pos][0]
        if rate <= 0:  # past the last iteration of a schedule that ends at 0
            return math.inf
        return self._starts[pos] + (index - self._counts[pos]) / rate

    def rate_at(self, seconds: float) -> float:
        """The rate asked for ``seconds`` after the load's start."""
        pos = max(0, bisect.bisect_right(self._starts, seconds) - 1)
        return self.segments[pos][0]

    @property
    def final_rate(self) -> float:
        """The rate the schedule ends on and keeps."""
        return self.segments[-1][0]


@dataclass(frozen=True)
class Stages:
    """A figure (virtual users, or iterations a second) that moves in a straight line from ``start`` to each
    stage's target over the stage's seconds, as k6's ``stages``: ``((seconds, target), ...)``."""

    start: float
    stages: tuple[tuple[float, float], ...]

    @property
    def seconds(self) -> float:
        """How long all the stages last."""
        return sum(seconds for seconds, _target in self.stages)

    @property
    def peak(self) -> float:
        """The highest figure any stage reaches."""
        return max([self.start, *(target for _seconds, target in self.stages)])

    def at(self, seconds: float) -> float:
        """The figure ``seconds`` after the start (the last target once every stage is over)."""
        level, elapsed = self.start, 0.0
        for length, target in self.stages:
            if seconds < elapsed + length:
                return level + (target - level) * (seconds - elapsed) / length if length else target
            level, elapsed = target, elapsed + length
        return level

    def rate_segments(self, step: float = 0.25) -> tuple[tuple[float, float], ...]:
        """As a :class:`RateSchedule`'s segments: constant for ``step`` seconds at a time, each at the figure
        of its middle (so a ramp's iterations are neither early nor late on average), then 0."""
        segments = []
        elapsed = 0.0
        for length, _target in self.stages:
            pieces = max(1, math.ceil(length / step))
            segments += [(self.at(elapsed + length * (k + 0.5) / pieces), length / pieces) for k in range(pieces)]
            elapsed += length
        return (*segments, (0.0, math.inf))

    def total(self) -> float:
        """The area under the figure: for a rate, how many iterations start in all."""
        return sum(rate * seconds for rate, seconds in self.rate_segments() if seconds != math.inf)


@dataclass(frozen=True)
class Schedule:
    """What the worker processes must do: pure, picklable data."""

    processes: int
    slots: tuple[int, ...]
    times: int | None = None
    duration: float | None = None
    rate: RateSchedule | None = None
    timeout: float | None = None
    results: str = "rows"  # how results travel to squall's process: "rows", or "aggregate" (figures a second)
    first_user: int = 0  # the number of this schedule's first virtual user (a Dask shard's share starts later)
    user_stride: int = 1  # how far apart this schedule's users are numbered (Dask shards interleave theirs)
    users: Stages | None = None  # closed loop: how many virtual users may run iterations, over time


class Runner(registry.Plugin):
    """Base class of runners: turn ``self.config`` into a :class:`Schedule`."""

    plugin_kind: ClassVar[str] = "runner"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "object"}

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def schedule(self) -> Schedule:
        """The schedule this runner's config describes."""
        raise NotImplementedError

    def expected_iterations(self) -> int | None:
        """How many iterations will run, when known in advance (for ETA)."""
        return self.config.get("times")

    def planned_load(self) -> PlannedLoad | None:
        """The load this config plans over time, drawn on the report's load chart beside what ran (a ramp's
        stages); None (the default) when it plans no figure over time."""
        return None


@dataclass(frozen=True)
class PlannedLoad:
    """A runner's plan over time: ``what`` is ``"users"`` (virtual users wanted) or ``"rate"`` (iterations due a
    second), following ``stages``."""

    what: str
    stages: Stages

    def sampled(self, seconds: list[float]) -> list[float]:
        """The planned figure at each of ``seconds`` after the load's start (0 after the last stage)."""
        end = self.stages.seconds
        return [self.stages.at(t) if t <= end else 0.0 for t in seconds]


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def split(total: int, parts: int) -> tuple[int, ...]:
    """``total`` spread as evenly as possible over ``parts`` (larger first)."""
    base, extra = divmod(total, parts)
    return tuple(base + (1 if i < extra else 0) for i in range(parts))


def processes_for(concurrency: int, max_cpu_count: int | None) -> int:
    """Worker processes for a concurrency: one per core, never more than slots."""
    limit = cpu_count() if max_cpu_count is None else max(1, max_cpu_count)
    return max(1, min(concurrency, limit))


def ramp_segments(rps: Any) -> tuple[tuple[float, float], ...]:
    """Rally's ``rps`` value (a number or ``{start, end, step, duration}``)."""
    if not isinstance(rps, dict):
        return ((float(rps), math.inf),)
    start, end = float(rps["start"]), float(rps["end"])
    step, duration = float(rps["step"]), float(rps.get("duration", 1))
    segments = []
    rate = start
    if step <= 0 or start == end:
        return ((end, math.inf),)
    direction = 1.0 if end > start else -1.0
    while (rate - end) * direction < 0:
        segments.append((rate, duration))
        rate += step * direction
    segments.append((end, math.inf))
    return tuple(segments)
