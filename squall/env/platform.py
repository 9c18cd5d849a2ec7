"""Platform plugins: the kinds of system an environment spec can describe."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from squall import exceptions, plugin
from squall.task import schema_errors


class Platform(plugin.Plugin):
    """Base of platforms: a spec section, validated by ``CONFIG_SCHEMA``, and a check."""

    plugin_kind: ClassVar[str] = "platform"

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def check(self) -> dict[str, Any]:
        """``{available: bool, message: str}``: can squall reach the platform?"""
        raise NotImplementedError


def validate_spec(spec: Any) -> dict[str, Any]:
    """Check an environment spec: ``{PLATFORM: CONFIG, ...}``; raise on errors."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise exceptions.InvalidConfigError(f"environment spec must be a mapping, got {type(spec).__name__}")
    errors = []
    for name, cfg in spec.items():
        cls = plugin.find("platform", name)
        if cls is None:
            known = ", ".join(plugin.names("platform"))
            errors.append(f"{name}: unknown platform (known: {known})")
            continue
        errors.extend(schema_errors.collect(cls.CONFIG_SCHEMA, cfg, name))
    if errors:
        raise exceptions.InvalidConfigError("environment spec is invalid:\n" + "\n".join(f"  - {e}" for e in errors))
    return spec


def check_spec(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Check every platform of a spec: ``[{platform, available, message}]``."""
    results = []
    for name, cfg in spec.items():
        cls = cast(type[Platform], plugin.get("platform", name))
        try:
            outcome = cls(cfg).check()
        except Exception as exc:
            outcome = {"available": False, "message": f"{type(exc).__name__}: {exc}"}
        results.append({"platform": name, **outcome})
    return results
