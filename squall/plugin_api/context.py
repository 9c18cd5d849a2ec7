"""Context plugins: set-up before a workload and clean-up after it (the base class and its decorator).

Contexts run in ``ORDER``; squall's engine (:mod:`squall.task.engine.context_manager`)
cleans up in reverse order every context whose set-up started.
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall import registry


class Context(registry.Plugin):
    """Base class of contexts: implement ``setup()`` and ``cleanup()``.

    ``self.config`` is this context's section of the task file;
    ``self.context`` is the workload context shared with scenarios (add what
    scenarios need to it; it must stay picklable).
    """

    plugin_kind: ClassVar[str] = "context"
    ORDER: ClassVar[int] = 1000
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "object"}
    DEFAULT_CONFIG: ClassVar[Any] = None

    def __init__(self, config: Any, context: dict[str, Any]) -> None:
        if isinstance(config, dict) and isinstance(self.DEFAULT_CONFIG, dict):
            config = {**self.DEFAULT_CONFIG, **config}
        self.config = config
        self.context = context

    @classmethod
    def host_files(cls, config: Any) -> list[str]:
        """Files on squall's machine this configuration makes the set-up read (a service refuses such a
        task without --allow-exec); none by default."""
        return []

    def setup(self) -> None:
        """Prepare what the workload needs."""

    def cleanup(self) -> None:
        """Undo what ``setup`` did; must tolerate a partial set-up."""


def configure(name: str, order: int = 1000, platform: str = "default") -> Any:
    """Register a context plugin with its position in the set-up order."""
    register = registry.configure(name, platform=platform)

    def decorator(cls: type[Context]) -> type[Context]:
        cls.ORDER = order
        return register(cls)

    return decorator
