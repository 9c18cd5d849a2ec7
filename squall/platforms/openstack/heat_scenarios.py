"""``HeatStacks.*``: Rally's stack scenarios, with Rally's names, arguments and atomic actions.

``template_path`` (and ``updated_template_path``, the paths in ``files``) are
files on squall's machine, read once per worker process, as Rally reads them
once per workload; a service refuses such a task without ``--allow-exec``.
"""

from __future__ import annotations

import functools
from typing import Any

from squall.platforms.openstack.orchestration import Orchestration, read_file, read_files
from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure

CLEANUP = {"cleanup@openstack": ["heat"]}


@functools.lru_cache(maxsize=64)
def _template(path: str) -> str:
    return read_file(path, "template_path")


class HeatScenario(OpenStackScenario):
    """Heat as the iteration's user."""

    @classmethod
    def host_files(cls, args: dict[str, Any]) -> list[str]:
        """The templates and files the arguments name."""
        found = [args[k] for k in ("template_path", "updated_template_path") if isinstance(args.get(k), str)]
        for key in ("files", "updated_files"):
            given = args.get(key)
            paths = given.values() if isinstance(given, dict) else given if isinstance(given, list) else []
            found += [p for p in paths if isinstance(p, str)]
        return found

    @property
    def heat(self) -> Orchestration:
        """Heat as this iteration's user (or the admin without users)."""
        conn = self.iteration_clients()
        return Orchestration(conn, self, self.generate_random_name)

    def create(self, template_path: str, parameters: dict[str, Any] | None, files: Any,
               environment: dict[str, Any] | None) -> tuple[Orchestration, dict[str, Any]]:
        """A stack from the template file; the Heat it was made with, and the stack."""
        heat = self.heat
        return heat, heat.create_stack(_template(template_path), parameters, read_files(files), environment)


@configure(name="HeatStacks.create_and_list_stack", platform="openstack", context=CLEANUP)
class CreateAndListStack(HeatScenario):
    """Create a stack, then list stacks: it must be among them."""

    def run(self, template_path: str, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        if stack["id"] not in {s["id"] for s in heat.list_stacks()}:
            raise AssertionError(f"stack {stack['id']} is not in the list of stacks")


@configure(name="HeatStacks.create_and_delete_stack", platform="openstack", context=CLEANUP)
class CreateAndDeleteStack(HeatScenario):
    """Create a stack, then delete it."""

    def run(self, template_path: str, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        heat.delete_stack(stack)


@configure(name="HeatStacks.create_check_delete_stack", platform="openstack", context=CLEANUP)
class CreateCheckDeleteStack(HeatScenario):
    """Create a stack, check it, delete it."""

    def run(self, template_path: str, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        heat.action(stack, "check")
        heat.delete_stack(stack)


@configure(name="HeatStacks.create_suspend_resume_delete_stack", platform="openstack", context=CLEANUP)
class CreateSuspendResumeDeleteStack(HeatScenario):
    """Create a stack, suspend it, resume it, delete it."""

    def run(self, template_path: str, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        heat.action(stack, "suspend")
        heat.action(stack, "resume")
        heat.delete_stack(stack)


@configure(name="HeatStacks.create_update_delete_stack", platform="openstack", context=CLEANUP)
class CreateUpdateDeleteStack(HeatScenario):
    """Create a stack, update it with ``updated_template_path``, delete it."""

    def run(self, template_path: str, updated_template_path: str, parameters: dict[str, Any] | None = None,
            updated_parameters: dict[str, Any] | None = None, files: Any = None,
            updated_files: Any = None, environment: dict[str, Any] | None = None,
            updated_environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        heat.update_stack(stack, _template(updated_template_path), updated_parameters or parameters,
                          read_files(updated_files or files), updated_environment or environment)
        heat.delete_stack(stack)


@configure(name="HeatStacks.create_stack_and_scale", platform="openstack", context=CLEANUP)
class CreateStackAndScale(HeatScenario):
    """Create an autoscaling stack, call the scaling policy's webhook (the URL in output ``output_key``) and
    wait until the stack's servers changed by ``delta``."""

    def run(self, template_path: str, output_key: str, delta: int, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        heat.scale(stack, output_key, delta)


@configure(name="HeatStacks.create_snapshot_restore_delete_stack", platform="openstack", context=CLEANUP)
class CreateSnapshotRestoreDeleteStack(HeatScenario):
    """Create a stack, snapshot it, restore the snapshot, delete it."""

    def run(self, template_path: str, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        with ActionTimer(self, "heat.snapshot_stack"):
            snapshot = heat.request("POST", f"{heat.path(stack)}/snapshots", json={})
            heat.wait(stack, "SNAPSHOT")
        with ActionTimer(self, "heat.restore_stack"):
            heat.request("POST", f"{heat.path(stack)}/snapshots/{snapshot['id']}/restore")
            heat.wait(stack, "RESTORE")
        heat.delete_stack(stack)


class _Outputs(HeatScenario):
    def outputs_of(self, heat: Orchestration, stack: dict[str, Any], atomic: str) -> list[dict[str, Any]]:
        """The whole stack fetched for its outputs, the old way (``heat.ATOMIC``)."""
        with ActionTimer(self, atomic):
            return heat.get(stack).get("outputs") or []


@configure(name="HeatStacks.create_stack_and_show_output", platform="openstack", context=CLEANUP)
class CreateStackAndShowOutput(_Outputs):
    """Create a stack, then show one output (the output API)."""

    def run(self, template_path: str, output_key: str, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        with ActionTimer(self, "heat.show_output"):
            heat.request("GET", f"{heat.path(stack)}/outputs/{output_key}")


@configure(name="HeatStacks.create_stack_and_show_output_via_API", platform="openstack", context=CLEANUP)
class CreateStackAndShowOutputViaAPI(_Outputs):
    """Create a stack, then find one output in the whole stack."""

    def run(self, template_path: str, output_key: str, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        self.outputs_of(heat, stack, "heat.show_output_via_API")


@configure(name="HeatStacks.create_stack_and_list_output", platform="openstack", context=CLEANUP)
class CreateStackAndListOutput(_Outputs):
    """Create a stack, then list its outputs (the output API)."""

    def run(self, template_path: str, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        with ActionTimer(self, "heat.list_output"):
            heat.request("GET", f"{heat.path(stack)}/outputs")


@configure(name="HeatStacks.create_stack_and_list_output_via_API", platform="openstack", context=CLEANUP)
class CreateStackAndListOutputViaAPI(_Outputs):
    """Create a stack, then read its outputs from the whole stack."""

    def run(self, template_path: str, parameters: dict[str, Any] | None = None,
            files: Any = None, environment: dict[str, Any] | None = None) -> None:
        heat, stack = self.create(template_path, parameters, files, environment)
        self.outputs_of(heat, stack, "heat.list_output_via_API")


@configure(name="HeatStacks.list_stacks_and_resources", platform="openstack")
class ListStacksAndResources(HeatScenario):
    """List the user's stacks, then each one's resources."""

    def run(self) -> None:
        heat = self.heat
        for stack in heat.list_stacks():
            with ActionTimer(self, "heat.list_resources"):
                heat.request("GET", f"{heat.path(stack)}/resources")


@configure(name="HeatStacks.list_stacks_and_events", platform="openstack")
class ListStacksAndEvents(HeatScenario):
    """List the user's stacks, then each one's events."""

    def run(self) -> None:
        heat = self.heat
        for stack in heat.list_stacks():
            with ActionTimer(self, "heat.list_events"):
                heat.request("GET", f"{heat.path(stack)}/events")
