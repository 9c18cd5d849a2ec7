"""The Dummy family: scenarios that need no cloud, with Rally's names and arguments."""

from __future__ import annotations

import random

from squall import utils
from squall.task import atomic
from squall.task.scenario import Scenario, configure


class DummyScenarioException(Exception):
    """The exception Dummy scenarios raise on purpose."""


class DummyFailure(Exception):
    """Raised by ``Dummy.failure`` in the iterations it was asked to fail."""


@configure(name="Dummy.dummy")
class Dummy(Scenario):
    """Do nothing but sleep ``sleep`` seconds; a pure measure of overhead."""

    def run(self, sleep: float = 0) -> None:
        utils.interruptable_sleep(sleep)


@configure(name="Dummy.failure")
class DummyFailing(Scenario):
    """Sleep, then fail iterations ``from_iteration``..``to_iteration``.

    Within that range only every ``each``-th iteration fails.
    """

    def run(self, sleep: float = 0.1, from_iteration: int = 0, to_iteration: int = 0, each: int = 1) -> None:
        utils.interruptable_sleep(sleep)
        number = self.context["iteration"]
        if from_iteration <= number <= to_iteration and each and number % each == 0:
            raise DummyFailure(f"Expected failure of iteration {number}")


@configure(name="Dummy.dummy_exception")
class DummyException(Scenario):
    """Sleep, then raise; the message is ``message`` or ``size_of_message`` Ms."""

    def run(self, size_of_message: int = 1, sleep: float = 1, message: str = "") -> None:
        utils.interruptable_sleep(sleep)
        raise DummyScenarioException(message or "M" * size_of_message)


@configure(name="Dummy.dummy_exception_probability")
class DummyExceptionProbability(Scenario):
    """Fail with probability ``exception_probability``."""

    def run(self, exception_probability: float = 0.5) -> None:
        if random.random() < exception_probability:
            raise DummyScenarioException(f"Dummy Scenario Exception: Probability: {exception_probability}")


@configure(name="Dummy.dummy_output")
class DummyOutput(Scenario):
    """Produce additive and complete output charts of random data."""

    def run(self, random_range: int = 25) -> None:
        value = lambda: random.randint(1, random_range)  # noqa: E731
        self.add_output(additive={
            "title": "Additive StatsTable", "description": "Stats of random values per iteration",
            "chart_plugin": "StatsTable", "data": [["foo", value()], ["bar", value()], ["spam", value()]],
        })
        self.add_output(additive={
            "title": "Additive StackedArea", "chart_plugin": "StackedArea",
            "data": [["alpha", value()], ["beta", value()]], "label": "values", "axis_label": "random",
        })
        self.add_output(complete={
            "title": "Complete Lines", "chart_plugin": "Lines", "axis_label": "x", "label": "y",
            "data": [["sine-ish", [[i, value()] for i in range(10)]]],
        })
        self.add_output(complete={
            "title": "Complete Pie", "chart_plugin": "Pie",
            "data": [["slice 1", value()], ["slice 2", value()]],
        })
        self.add_output(complete={
            "title": "Complete Table", "chart_plugin": "Table",
            "data": {"cols": ["name", "value"], "rows": [["a", value()], ["b", value()]]},
        })


@configure(name="Dummy.dummy_random_fail_in_atomic")
class DummyRandomFailInAtomic(Scenario):
    """Two atomic actions, each failing with probability ``exception_probability``."""

    def run(self, exception_probability: float = 0.5) -> None:
        self._maybe_fail(exception_probability)
        self._maybe_fail(exception_probability)

    @atomic.action_timer("dummy_fail_test")
    def _maybe_fail(self, probability: float) -> None:
        if random.random() < probability:
            raise KeyError("Dummy test exception")


@configure(name="Dummy.dummy_random_action")
class DummyRandomAction(Scenario):
    """``actions_num`` atomic actions, each sleeping a random time."""

    def run(self, actions_num: int = 5, sleep_min: float = 0, sleep_max: float = 2) -> None:
        for i in range(actions_num):
            with atomic.ActionTimer(self, f"action_{i}"):
                utils.interruptable_sleep(random.uniform(sleep_min, sleep_max))


@configure(name="Dummy.dummy_timed_atomic_actions")
class DummyTimedAtomicActions(Scenario):
    """``number_of_actions`` atomic actions; action ``i`` sleeps ``i * sleep_factor``."""

    def run(self, number_of_actions: int = 5, sleep_factor: float = 1) -> None:
        for i in range(number_of_actions):
            with atomic.ActionTimer(self, f"action_{i}"):
                utils.interruptable_sleep(i * sleep_factor)
