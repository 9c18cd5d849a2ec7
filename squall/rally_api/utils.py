"""``rally.common.utils``: the name generator Rally plugins mix in."""

from __future__ import annotations

from typing import Any

from squall import naming


class RandomNameGeneratorMixin:
    """``generate_random_name()`` gives a squall name, which squall's cleanup recognises as the task's.

    Rally builds names from ``RESOURCE_NAME_FORMAT``; squall keeps its own
    format so that a resource a Rally plugin makes is found and deleted by
    squall's cleanup, and nothing else is.
    """

    task: Any
    context: dict[str, Any]

    def _squall_task_uuid(self) -> str:
        context = getattr(self, "context", None) or {}
        task = getattr(self, "task", None) or context.get("task") or {}
        return str(task.get("uuid") or "00000000")

    def generate_random_name(self) -> str:
        """A fresh resource name owned by the running task."""
        kind = "context" if getattr(self, "plugin_kind", "scenario") == "context" else "scenario"
        return naming.generate(self._squall_task_uuid(), kind)

    @classmethod
    def name_matches_object(cls, name: str, task_id: str | None = None, **kwargs: Any) -> bool:
        """True when ``name`` is a squall name (of task ``task_id`` when given)."""
        return naming.belongs_to(name, task_id)
