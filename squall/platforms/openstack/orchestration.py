"""Heat stacks over the orchestration API, each call timed as Rally's atomic action (``heat.create_stack``...).

A stack is addressed as ``/stacks/NAME/ID`` (Heat redirects ``/stacks/ID``
there). Templates are sent as the text of the file, as Rally sends them;
Heat parses them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from squall import exceptions
from squall.platforms.openstack import clients, waiting
from squall.plugin_api.atomic import ActionTimer, AtomicActionsHolder

if TYPE_CHECKING:
    from openstack.connection import Connection

TIMEOUT = 3600.0


def read_file(path: str, what: str) -> str:
    """A template (or one of its files) from squall's machine, ``~`` expanded; a clear error when missing."""
    try:
        return Path(path).expanduser().read_text()
    except OSError as exc:
        raise exceptions.InvalidArgumentsError(f"{what}: cannot read {path!r}: {exc.strerror}") from exc


def read_files(files: dict[str, str] | list[str] | None) -> dict[str, str]:
    """Rally's ``files``: a list of paths (each its own name, as Rally's ``file_dict``) or ``{name in the
    template: path}``, made ``{name: text}``."""
    if isinstance(files, list):
        return {path: read_file(path, "files") for path in files}
    return {name: read_file(path, f"files.{name}") for name, path in (files or {}).items()}


class Orchestration:
    """Heat for one connection; each method times itself under ``holder``."""

    def __init__(self, conn: Connection, holder: AtomicActionsHolder, name_generator: Callable[[], str]) -> None:
        self.conn = conn
        self.holder = holder
        self.new_name = name_generator

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One orchestration API call; the JSON body, or None."""
        resp = clients.api(self.conn, "orchestration").request(path, method, **kwargs)
        # An accepted update or restore (202) answers with text, not JSON.
        if not resp.content or "json" not in resp.headers.get("Content-Type", ""):
            return None
        return resp.json()

    @staticmethod
    def path(stack: dict[str, Any]) -> str:
        """The stack's canonical URL path."""
        return f"/stacks/{stack['stack_name']}/{stack['id']}"

    def get(self, stack: dict[str, Any]) -> dict[str, Any]:
        """The stack as Heat shows it now."""
        return self.request("GET", self.path(stack))["stack"]  # type: ignore[no-any-return]

    def wait(self, stack: dict[str, Any], action: str) -> dict[str, Any]:
        """Until ``ACTION_COMPLETE``; ``ACTION_FAILED`` raises with Heat's reason."""
        def fetch() -> dict[str, Any]:
            found = self.get(stack)
            if found.get("stack_status") == f"{action}_FAILED":
                raise waiting.ResourceFailed(f"stack {stack['id']} is {action}_FAILED: "
                                             f"{found.get('stack_status_reason')}")
            return found
        return waiting.wait_for_status(fetch, (f"{action}_COMPLETE",), f"stack {stack['id']}", TIMEOUT,
                                       failed=("ERROR",), key="stack_status")

    def create_stack(self, template: str, parameters: dict[str, Any] | None = None,
                     files: dict[str, str] | None = None, environment: dict[str, Any] | None = None
                     ) -> dict[str, Any]:
        """Create a stack and wait until CREATE_COMPLETE (``heat.create_stack``)."""
        name = self.new_name()
        body = {"stack_name": name, "disable_rollback": True, "parameters": parameters or {},
                "template": template, "files": files or {}, "environment": environment or {}}
        with ActionTimer(self.holder, "heat.create_stack"):
            made = self.request("POST", "/stacks", json=body)["stack"]
            return self.wait({"stack_name": name, "id": made["id"]}, "CREATE")

    def update_stack(self, stack: dict[str, Any], template: str, parameters: dict[str, Any] | None = None,
                     files: dict[str, str] | None = None, environment: dict[str, Any] | None = None
                     ) -> dict[str, Any]:
        """Update a stack and wait until UPDATE_COMPLETE (``heat.update_stack``)."""
        body = {"disable_rollback": True, "parameters": parameters or {}, "template": template,
                "files": files or {}, "environment": environment or {}}
        with ActionTimer(self.holder, "heat.update_stack"):
            self.request("PUT", self.path(stack), json=body)
            return self.wait(stack, "UPDATE")

    def delete_stack(self, stack: dict[str, Any]) -> None:
        """Delete a stack and wait until it is gone (``heat.delete_stack``)."""
        def fetch() -> dict[str, Any]:
            found = self.get(stack)
            if found.get("stack_status") == "DELETE_FAILED":
                raise waiting.ResourceFailed(f"stack {stack['id']} is DELETE_FAILED: "
                                             f"{found.get('stack_status_reason')}")
            return found
        with ActionTimer(self.holder, "heat.delete_stack"):
            self.request("DELETE", self.path(stack))
            waiting.wait_for_deletion(fetch, f"stack {stack['id']}", TIMEOUT, gone=("delete_complete",),
                                      key="stack_status")

    def action(self, stack: dict[str, Any], action: str) -> None:
        """``check``, ``suspend`` or ``resume``, until done (``heat.ACTION_stack``)."""
        with ActionTimer(self.holder, f"heat.{action}_stack"):
            self.request("POST", f"{self.path(stack)}/actions", json={action: None})
            self.wait(stack, action.upper())

    def count_servers(self, stack: dict[str, Any]) -> int:
        """The servers of the stack and of its nested stacks one level down (an autoscaling group's)."""
        listed = self.request("GET", f"{self.path(stack)}/resources", params={"nested_depth": 1})["resources"]
        return sum(r.get("resource_type") == "OS::Nova::Server" for r in listed)

    def scale(self, stack: dict[str, Any], output_key: str, delta: int) -> None:
        """POST to the webhook URL of output ``output_key`` (a pre-signed URL: no token sent), then wait until
        the stack has ``delta`` servers more (``heat.scale_with_KEY`` around ``heat.KEY_webhook``)."""
        url = next((o.get("output_value") for o in stack.get("outputs") or [] if o.get("output_key") == output_key),
                   None)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise exceptions.InvalidArgumentsError(f"stack {stack['id']} has no webhook URL in an output "
                                                   f"{output_key!r}")
        expected = self.count_servers(stack) + delta

        def fetch() -> dict[str, Any]:
            status = self.get(stack).get("stack_status")
            if status in ("UPDATE_FAILED", "ERROR"):
                raise waiting.ResourceFailed(f"stack {stack['id']} is {status} while scaling")
            count = self.count_servers(stack)
            return {"status": "scaled" if count == expected else f"{count} servers"}

        with ActionTimer(self.holder, f"heat.scale_with_{output_key}"):
            with ActionTimer(self.holder, f"heat.{output_key}_webhook"):
                self.conn.session.post(url, authenticated=False)
            waiting.wait_for_status(fetch, ("scaled",), f"stack {stack['id']} ({expected} servers wanted)",
                                    TIMEOUT)

    def list_stacks(self) -> list[dict[str, Any]]:
        """``heat.list_stacks``."""
        with ActionTimer(self.holder, "heat.list_stacks"):
            return self.request("GET", "/stacks")["stacks"]  # type: ignore[no-any-return]
