"""``rally.task.validation``: Rally's validator decorators, checked by squall's validation.

``@validation.add(NAME, **kwargs)`` records a validator on the plugin class.
squall checks the ones in :data:`CHECKS` when a task is validated, with
Rally's meaning; ``required_platform`` also makes the plugin need that
platform in the environment. Other validator names (``required_services``,
``image_exists`` and the like, which need the cloud) are recorded and not
checked: the iteration that needs them fails instead, with the cloud's error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T", bound=type)
Check = Callable[[dict[str, Any], dict[str, Any], str], list[str]]


def _number(args: dict[str, Any], spec: dict[str, Any], path: str) -> list[str]:
    # Rally's NumberValidator: a missing value fails unless nullable; strings that convert pass.
    name = spec.get("param_name", "")
    value: Any = args.get(name)
    where = f"{path}.{name}"
    integer_only = spec.get("integer_only", False)
    if integer_only and isinstance(value, float):
        return [f"{where}: {value} is not an integer"]
    if value is None and spec.get("nullable"):
        return []
    try:
        number = (int if integer_only else float)(value)
    except (TypeError, ValueError):
        return [f"{where}: {value!r} is not {'an integer' if integer_only else 'a number'}"]
    low, high = spec.get("minval"), spec.get("maxval")
    if low is not None and number < low:
        return [f"{where}: {value} is less than the minimum {low}"]
    if high is not None and number > high:
        return [f"{where}: {value} is greater than the maximum {high}"]
    return []


def _enum(args: dict[str, Any], spec: dict[str, Any], path: str) -> list[str]:
    name, values = spec.get("param_name", ""), list(spec.get("values", []))
    if name not in args:
        return [] if spec.get("missed") else [f"{path}: missing required argument '{name}'"]
    value = args[name]
    if spec.get("case_insensitive") and isinstance(value, str):
        ok = value.lower() in [str(v).lower() for v in values]
    else:
        ok = value in values
    return [] if ok else [f"{path}.{name}: {value!r} is not one of {values}"]


def _required_params(args: dict[str, Any], spec: dict[str, Any], path: str) -> list[str]:
    errors = []
    for param in spec.get("params", []):
        group = param if isinstance(param, (list, tuple)) else [param]
        present = [p for p in group if p in args]
        if len(group) == 1 and not present:
            errors.append(f"{path}: missing required argument '{group[0]}'")
        elif len(group) > 1 and len(present) != 1:
            errors.append(f"{path}: exactly one of {', '.join(group)} is required")
    return errors


def _restricted_parameters(args: dict[str, Any], spec: dict[str, Any], path: str) -> list[str]:
    names = spec.get("param_names", [])
    names = [names] if isinstance(names, str) else names
    subdict = spec.get("subdict")
    where = args.get(subdict, {}) if subdict else args
    prefix = f"{path}.{subdict}" if subdict else path
    return [f"{prefix}: argument '{n}' must not be set" for n in names if isinstance(where, dict) and n in where]


def _nothing(args: dict[str, Any], spec: dict[str, Any], path: str) -> list[str]:
    return []


CHECKS: dict[str, Check] = {
    "number": _number,
    "enum": _enum,
    "required_params": _required_params,
    "restricted_parameters": _restricted_parameters,
    "required_platform": _nothing,  # checked against the environment, through the platform
}


def apply_platform(cls: type) -> None:
    """Give a plugin the platform its ``required_platform`` validator names, unless it has one."""
    for name, spec in cls.__dict__.get("RALLY_VALIDATORS", []):
        if name == "required_platform" and getattr(cls, "plugin_platform", "default") == "default":
            cls.plugin_platform = spec.get("platform", "default")  # type: ignore[attr-defined]


def add(name: str, **kwargs: Any) -> Callable[[T], T]:
    """Record validator ``name`` with its arguments on the decorated plugin class."""

    def decorator(cls: T) -> T:
        inherited = list(getattr(cls, "RALLY_VALIDATORS", []))
        cls.RALLY_VALIDATORS = [*inherited, (name, dict(kwargs))]  # type: ignore[attr-defined]
        apply_platform(cls)
        return cls

    return decorator


def add_default(name: str, **kwargs: Any) -> Callable[[T], T]:
    """Rally's default validators of a plugin base; squall always checks arguments, so this records only."""
    return add(name, **kwargs)


def errors(cls: type, args: dict[str, Any], path: str) -> list[str]:
    """What the recorded validators that squall knows say about ``args``."""
    found: list[str] = []
    for name, spec in getattr(cls, "RALLY_VALIDATORS", []):
        found.extend(CHECKS.get(name, _nothing)(args, spec, path))
    return found


class ValidatablePluginMixin:
    """Rally's base of plugins that carry validators; squall checks them through :func:`errors`."""

    @classmethod
    def config_errors(cls, config: Any, path: str) -> list[str]:
        """Problems the Rally validators of this class find in ``config``."""
        return errors(cls, config if isinstance(config, dict) else {}, path)
