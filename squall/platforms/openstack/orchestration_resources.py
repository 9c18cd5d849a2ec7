"""The resource manager of Heat: stacks, deleted first of all (order 1), since they own servers, volumes,
networks and more, which Heat deletes with them."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack.compute_resources import NovaManager
from squall.platforms.openstack.resources import is_not_found, resource_manager


@resource_manager("heat", "stack", order=1)
class HeatStack(NovaManager):
    """Stacks of every project for an admin (``global_tenant``); deletion is waited until Heat forgets them."""

    adapter: ClassVar[str] = "orchestration"
    service_type: ClassVar[str] = "orchestration"
    service: ClassVar[str] = "heat"
    path = "/stacks"
    collection = "stacks"
    all_projects: ClassVar[dict[str, Any]] = {"global_tenant": "True"}
    synchronous = False

    def name(self, raw: dict[str, Any]) -> str:
        return str(raw.get("stack_name") or "")

    def _project_of(self, raw: dict[str, Any]) -> str | None:
        return raw.get("project")

    def _stack(self, resource_id: str) -> dict[str, Any]:
        return self.api.get(f"/stacks/{resource_id}").json()["stack"]  # type: ignore[no-any-return]

    def delete(self, resource_id: str) -> None:
        try:
            stack = self._stack(resource_id)
            self.api.delete(f"/stacks/{stack['stack_name']}/{resource_id}")
        except Exception as exc:
            if not is_not_found(exc):
                raise

    def is_deleted(self, resource_id: str) -> bool:
        try:
            stack = self._stack(resource_id)
        except Exception as exc:
            if is_not_found(exc):
                return True
            raise
        return stack.get("stack_status") == "DELETE_COMPLETE"
