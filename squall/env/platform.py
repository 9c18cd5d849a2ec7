"""Platform plugins: the kinds of system an environment spec can describe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, cast

from squall import exceptions, registry, schema


class Platform(registry.Plugin):
    """Base of platforms: a spec section, validated by ``CONFIG_SCHEMA``, and a check."""

    plugin_kind: ClassVar[str] = "platform"

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def check(self) -> dict[str, Any]:
        """``{available: bool, message: str}``: can squall reach the platform?"""
        raise NotImplementedError

    def owned_resources(self, task_uuid: str) -> list[dict[str, Any]]:
        """Resources the task still owns on the platform (none for platforms squall creates nothing on)."""
        return []

    def cleanup(self, task_uuid: str | None, dry_run: bool, negative: bool,
                spare: frozenset[str] = frozenset()) -> dict[str, Any] | None:
        """Delete what squall made on the platform (of one task, or of every task); None if nothing to do."""
        return None

    def implicit_contexts(self, contexts: dict[str, Any]) -> dict[str, Any]:
        """Contexts this platform adds to a workload's own (e.g. the environment's existing users)."""
        return {}


def from_rally_deployment(spec: Any) -> tuple[Any, bool]:
    """Rally's old deployment file (``{"type": "ExistingCloud", "creds": {PLATFORM: CONFIG}}``) as an environment
    spec, as Rally converts it; (the spec, whether it was one). Another ``type`` is refused, as Rally refuses it."""
    if not isinstance(spec, dict) or "type" not in spec:
        return spec, False
    if spec["type"] != "ExistingCloud":
        raise exceptions.InvalidConfigError(
            f"deployment type {spec['type']!r} does not exist: Rally's old deployment files have type "
            "'ExistingCloud' and 'creds'; or give an environment spec ({PLATFORM: CONFIG})")
    creds = spec.get("creds")
    if not isinstance(creds, dict):
        raise exceptions.InvalidConfigError("an ExistingCloud deployment needs 'creds': {PLATFORM: CONFIG}")
    return {name: cfg for name, cfg in creds.items() if name != "extra"}, True


def validate_spec(spec: Any) -> dict[str, Any]:
    """Check an environment spec: ``{PLATFORM: CONFIG, ...}``; raise on errors."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise exceptions.InvalidConfigError(f"environment spec must be a mapping, got {type(spec).__name__}")
    errors = []
    for name, cfg in spec.items():
        cls = registry.find("platform", name)
        if cls is None:
            known = ", ".join(registry.names("platform"))
            errors.append(f"{name}: unknown platform (known: {known})")
            continue
        errors.extend(schema.collect(cls.CONFIG_SCHEMA, cfg, name))
    if errors:
        raise exceptions.InvalidConfigError("environment spec is invalid:\n" + "\n".join(f"  - {e}" for e in errors))
    return spec


def platforms(spec: dict[str, Any]) -> Iterator[tuple[str, Platform]]:
    """``(name, platform)`` for every section of a (validated) spec."""
    for name, cfg in spec.items():
        yield name, cast(type[Platform], registry.get("platform", name))(cfg)


def check_spec(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Check every platform of a spec: ``[{platform, available, message}]``."""
    results = []
    for name, platform in platforms(spec):
        try:
            outcome = platform.check()
        except Exception as exc:
            outcome = {"available": False, "message": f"{type(exc).__name__}: {exc}"}
        results.append({"platform": name, **outcome})
    return results


def leak_check(spec: dict[str, Any], task_uuid: str, used: set[str] | None = None) -> list[dict[str, Any]]:
    """What the task still owns on every platform of the spec (of those in ``used``, when given: a workload
    that never touched a platform leaves nothing there to look for); a failed listing is reported as such."""
    leaks: list[dict[str, Any]] = []
    for name, platform in platforms(spec):
        if used is not None and type(platform).plugin_name not in used:
            continue
        try:
            leaks.extend(platform.owned_resources(task_uuid))
        except Exception as exc:
            leaks.append({"type": f"{name}.leak_check", "id": "", "name": "",
                          "error": f"could not list resources: {type(exc).__name__}: {exc}"})
    return leaks


def implicit_contexts(spec: dict[str, Any], contexts: dict[str, Any]) -> dict[str, Any]:
    """The contexts every platform of the spec adds to a workload's ``contexts``."""
    added: dict[str, Any] = {}
    for _, platform in platforms(spec):
        added.update(platform.implicit_contexts(contexts))
    return added


def cleanup_spec(spec: dict[str, Any], task_uuid: str | None, dry_run: bool,
                 negative: bool, spare: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Run the cleanup of every platform of the spec that has one: ``[{platform, ...report}]``.

    ``spare``: task codes whose resources stay (the persistent contexts', in a cleanup of every task).
    """
    reports = []
    for name, platform in platforms(spec):
        report = platform.cleanup(task_uuid, dry_run, negative, spare)
        if report is not None:
            reports.append({"platform": name, **report})
    return reports
