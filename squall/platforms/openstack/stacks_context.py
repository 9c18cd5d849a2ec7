"""``stacks``: Rally's context that makes stacks of random strings in every tenant before the workload."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, ClassVar

from squall.platforms.openstack.network_contexts import TenantContext
from squall.platforms.openstack.orchestration import Orchestration
from squall.plugin_api.context import configure
from squall.registry import JSON_SCHEMA


def random_strings_template(resources: int) -> str:
    """A HOT template of ``resources`` ``OS::Heat::RandomString`` resources, as Rally's context makes."""
    return json.dumps({"heat_template_version": "2014-10-16", "description": "squall's stacks context",
                       "resources": {f"TestResource{i}": {"type": "OS::Heat::RandomString"}
                                     for i in range(resources)}})


@configure(name="stacks", order=435, platform="openstack")
class StacksContext(TenantContext):
    """``stacks_per_tenant`` stacks of ``resources_per_stack`` random strings in every tenant; their ids in
    ``tenant["stacks"]``; deleted at clean-up."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "object", "additionalProperties": False,
        "properties": {"stacks_per_tenant": {"type": "integer", "minimum": 1},
                       "resources_per_stack": {"type": "integer", "minimum": 1}},
    }
    DEFAULT_CONFIG: ClassVar[dict[str, Any]] = {"stacks_per_tenant": 2, "resources_per_stack": 10}

    def setup(self) -> None:
        self._steps: list[Callable[[], None]] = []
        template = random_strings_template(self.config["resources_per_stack"])
        for tenant, heat in self.tenants(Orchestration):
            tenant["stacks"] = []
            for _ in range(self.config["stacks_per_tenant"]):
                stack = heat.create_stack(template)
                self._steps.append(functools.partial(heat.delete_stack, stack))
                tenant["stacks"].append(stack["id"])

    def cleanup(self) -> None:
        self.undo(getattr(self, "_steps", []))
