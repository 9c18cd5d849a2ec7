"""``rally.task.scenario``: Rally's ``Scenario`` base and ``configure``, on squall's scenarios."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from squall import exceptions
from squall.plugin_api import scenario as squall_scenario
from squall.rally_api import validation
from squall.rally_api.exceptions import RallyAssertionError
from squall.rally_api.utils import RandomNameGeneratorMixin

S = TypeVar("S", bound=type)


# Rally's assertions: name -> (passes, message template over the reprs of the two values).
_ASSERTIONS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "assertEqual": (lambda a, b: a == b, "{a} != {b}"),
    "assertNotEqual": (lambda a, b: a != b, "{a} == {b}"),
    "assertIs": (lambda a, b: a is b, "{a} is not {b}"),
    "assertIsNot": (lambda a, b: a is not b, "{a} is {b}"),
    "assertIn": (lambda a, b: a in b, "{a} not found in {b}"),
    "assertNotIn": (lambda a, b: a not in b, "{a} found in {b}"),
    "assertIsInstance": (lambda a, b: isinstance(a, b), "{a} is not instance of {b}"),
    "assertIsNotInstance": (lambda a, b: not isinstance(a, b), "{a} is instance of {b}"),
    "assertIsSubset": (lambda a, b: not set(a) - set(b), "{a} not found in {b}"),
    "assertIsNotSubset": (lambda a, b: bool(set(a) - set(b)), "{a} found in {b}"),
    "assertLessEqual": (lambda a, b: a <= b, "{a} is greater than {b}"),
    "assertLess": (lambda a, b: a < b, "{a} is greater or equal to {b}"),
    "assertGreaterEqual": (lambda a, b: a >= b, "{a} is less than {b}"),
    "assertGreater": (lambda a, b: a > b, "{a} is less or equal to {b}"),
}
_SINGLE: dict[str, tuple[Callable[[Any], bool], str]] = {
    "assertTrue": (bool, "{a} is not True"),
    "assertFalse": (lambda a: not a, "{a} is not False"),
    "assertIsNone": (lambda a: a is None, "{a} is not None"),
    "assertIsNotNone": (lambda a: a is not None, "{a} is None"),
}


def _failed(message: str, err_msg: str | None) -> RallyAssertionError:
    # Rally's wording: "<default>. <Extended>" when the caller adds a message.
    if err_msg:
        message = (message if message.endswith(".") else message + ".") + " " + err_msg.capitalize()
    return RallyAssertionError(message)


def _pair_assertion(name: str) -> Callable[..., None]:
    passes, template = _ASSERTIONS[name]

    def assertion(self: Any, first: Any, second: Any, err_msg: str | None = None) -> None:
        if not passes(first, second):
            raise _failed(template.format(a=repr(first), b=repr(second)), err_msg)

    assertion.__name__ = name
    assertion.__doc__ = f"Rally's {name}: fail the iteration with RallyAssertionError unless it holds."
    return assertion


def _single_assertion(name: str) -> Callable[..., None]:
    passes, template = _SINGLE[name]

    def assertion(self: Any, value: Any, err_msg: str | None = None) -> None:
        if not passes(value):
            raise _failed(template.format(a=repr(value)), err_msg)

    assertion.__name__ = name
    assertion.__doc__ = f"Rally's {name}: fail the iteration with RallyAssertionError unless it holds."
    return assertion


class FunctionalMixin:
    """Rally's assertion methods (assertEqual and the rest), with Rally's messages."""


for _name in _ASSERTIONS:
    setattr(FunctionalMixin, _name, _pair_assertion(_name))
for _name in _SINGLE:
    setattr(FunctionalMixin, _name, _single_assertion(_name))


class Scenario(squall_scenario.Scenario, FunctionalMixin, RandomNameGeneratorMixin,
               validation.ValidatablePluginMixin):
    """A Rally scenario: ``run(**args)``, atomic actions, outputs, ``generate_random_name()``."""

    def __init__(self, context: dict[str, Any] | None = None) -> None:
        super().__init__(context)
        self.task = self.context.get("task", {})

    @classmethod
    def get_default_context(cls) -> dict[str, Any]:
        """The contexts ``configure(context=...)`` gave this scenario."""
        return dict(cls.DEFAULT_CONTEXTS)


def configure(name: str, platform: str = "default",
              context: dict[str, Any] | None = None) -> Callable[[S], S]:
    """Register a Rally scenario class under ``name`` (which, as in Rally, must contain a dot)."""
    if "." not in name.strip("."):
        raise exceptions.InvalidArgumentsError(f"Scenario name must include a dot: '{name}'")
    register = squall_scenario.configure(name, platform=platform, context=context)

    def decorator(cls: S) -> S:
        registered = register(cls)
        validation.apply_platform(registered)
        return registered  # type: ignore[return-value]

    return decorator
