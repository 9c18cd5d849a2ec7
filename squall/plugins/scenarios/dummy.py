"""The Dummy family: scenarios that need no cloud, behaving as Rally 5.1.1's do.

Names, arguments, defaults, atomic actions, error types, failure odds and
outputs are those of Rally 5.1.1 (tests/rally/test_dummy_like_rally.py runs
both on the same task), so a Rally sample gives the same verdict in squall.
"""

from __future__ import annotations

import random
from typing import Any

from squall import utils
from squall.plugin_api import atomic
from squall.plugin_api.scenario import Scenario, configure


class DummyScenarioException(Exception):
    """The exception Dummy scenarios raise on purpose; its text is Rally's."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Dummy scenario expected exception: '{message}'")


@configure(name="Dummy.dummy")
class Dummy(Scenario):
    """Sleep ``sleep`` seconds inside atomic action ``bar``, itself inside ``foo``; other arguments are ignored."""

    CONFIG_SCHEMA = {"type": "object", "properties": {"sleep": {"type": "number"}}}

    @atomic.action_timer("bar")
    def _bar(self, sleep: float) -> None:
        utils.interruptable_sleep(sleep)

    @atomic.action_timer("foo")
    def _foo(self, sleep: float) -> None:
        self._bar(sleep)

    def run(self, sleep: float = 0, **kwargs: Any) -> None:
        self._foo(sleep)


@configure(name="Dummy.failure")
class DummyFailure(Scenario):
    """Sleep, then fail iterations ``from_iteration``..``to_iteration``; within them only every ``each``-th."""

    def run(self, sleep: float = 0.1, from_iteration: int = 0, to_iteration: int = 0, each: int = 1) -> None:
        utils.interruptable_sleep(sleep)
        number = self.context["iteration"]
        if from_iteration <= number <= to_iteration and each and number % each == 0:
            raise DummyScenarioException("Expected failure")


@configure(name="Dummy.dummy_exception")
class DummyException(Scenario):
    """Sleep, then raise; the message is ``message`` or ``size_of_message`` letters M."""

    CONFIG_SCHEMA = {"type": "object", "properties": {
        "size_of_message": {"type": "integer", "minimum": 1}}}

    def run(self, size_of_message: int = 1, sleep: float = 1, message: str = "") -> None:
        utils.interruptable_sleep(sleep)
        raise DummyScenarioException(message or "M" * size_of_message)


@configure(name="Dummy.dummy_exception_probability")
class DummyExceptionProbability(Scenario):
    """Fail with probability ``exception_probability`` (0 to 1)."""

    CONFIG_SCHEMA = {"type": "object", "properties": {
        "exception_probability": {"type": "number", "minimum": 0, "maximum": 1}}}

    def run(self, exception_probability: float = 0.5) -> None:
        if random.random() < exception_probability:
            raise DummyScenarioException(f"Dummy Scenario Exception: Probability: {exception_probability}")


def _described(title: str) -> str:
    return f"This is a description text for {title}"


@configure(name="Dummy.dummy_output")
class DummyOutput(Scenario):
    """Nine charts of random values up to ``random_range``: four additive, five complete, as in Rally."""

    def run(self, random_range: int = 25) -> None:
        def pair(name: Any) -> list[Any]:
            return [name, random.randint(1, random_range)]

        self.add_output(additive={"title": "Additive StatsTable", "description": _described("Additive StatsTable"),
                                  "chart_plugin": "StatsTable",
                                  "data": [pair("foo stat"), pair("bar stat"), pair("spam stat")]})
        self.add_output(additive={"title": "Additive StackedArea (no description)", "chart_plugin": "StackedArea",
                                  "data": [pair(f"foo {i}") for i in range(1, 7)],
                                  "label": "Measure this in Foo units"})
        self.add_output(additive={"title": "Additive Lines", "description": _described("Additive Lines"),
                                  "chart_plugin": "Lines", "data": [pair(f"bar {i}") for i in range(1, 4)],
                                  "label": "Measure this in Bar units"})
        self.add_output(
            additive={"title": "Additive Pie", "description": _described("Additive Pie"), "chart_plugin": "Pie",
                      "data": [pair(f"spam {i}") for i in range(1, 4)]},
            complete={"title": "Complete Lines", "description": _described("Complete Lines"),
                      "chart_plugin": "Lines",
                      "data": [[name, [pair(i) for i in range(1, 8)]] for name in ("Foo", "Bar", "Spam")],
                      "label": "Measure this is some units", "axis_label": "This is a custom X-axis label"})
        self.add_output(complete={"title": "Complete StackedArea", "description": _described("Complete StackedArea"),
                                  "chart_plugin": "StackedArea",
                                  "data": [[name, [pair(i) for i in range(50)]] for name in ("alpha", "beta", "gamma")],
                                  "label": "Yet another measurement units",
                                  "axis_label": "This is a custom X-axis label"})
        lorem = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
                 "ut labore et dolore magna aliqua.") * 2
        self.add_output(complete={"title": "Arbitrary Text", "chart_plugin": "TextArea", "data": [lorem] * 4})
        self.add_output(complete={"title": "Complete Pie (no description)", "chart_plugin": "Pie",
                                  "data": [pair(n) for n in ("delta", "epsilon", "zeta", "theta", "lambda", "omega")]})
        rows = [[f"{name} row"] + [random.randint(1, random_range) for _ in range(4)]
                for name in ("iota", "nu", "rho", "phi", "psi")]
        self.add_output(complete={"title": "Complete Table", "description": _described("Complete Table"),
                                  "chart_plugin": "Table",
                                  "data": {"cols": ["mu column", "xi column", "pi column", "tau column", "chi column"],
                                           "rows": rows}})


@configure(name="Dummy.dummy_random_fail_in_atomic")
class DummyRandomFailInAtomic(Scenario):
    """Two ``dummy_fail_test`` actions, each holding a ``dummy_fail_inner_test``; four places that may fail.

    Each place fails with a quarter of ``exception_probability`` (all of it when that is 1), as in Rally.
    """

    def run(self, exception_probability: float = 0.5) -> None:
        chance = exception_probability if exception_probability == 1 else exception_probability / 4.0
        for _ in range(2):
            with atomic.ActionTimer(self, "dummy_fail_test"):
                self._roulette(chance)
                with atomic.ActionTimer(self, "dummy_fail_inner_test"):
                    self._roulette(chance)

    @staticmethod
    def _roulette(chance: float) -> None:
        if random.random() < chance:
            raise KeyError("Dummy test exception")


@configure(name="Dummy.dummy_random_action")
class DummyRandomAction(Scenario):
    """``actions_num`` atomic actions ``action_<i>``, each sleeping between ``sleep_min`` and ``sleep_max``."""

    def run(self, actions_num: int = 5, sleep_min: float = 0, sleep_max: float = 0) -> None:
        for i in range(actions_num):
            pause = random.uniform(sleep_min, sleep_max)
            with atomic.ActionTimer(self, f"action_{i}"):
                utils.interruptable_sleep(pause)


@configure(name="Dummy.dummy_timed_atomic_actions")
class DummyTimedAtomicActions(Scenario):
    """``number_of_actions`` atomic actions; action ``i`` sleeps ``i * sleep_factor``."""

    def run(self, number_of_actions: int = 5, sleep_factor: float = 1) -> None:
        for i in range(number_of_actions):
            with atomic.ActionTimer(self, f"action_{i}"):
                utils.interruptable_sleep(i * sleep_factor)


@configure(name="Dummy.openstack", platform="openstack")
class DummyOpenStack(Dummy):
    """Rally's Dummy.dummy on an OpenStack environment (rally-openstack's context samples run their contexts
    with it): sleep ``sleep`` seconds inside ``bar``, inside ``foo``; it calls no service."""
