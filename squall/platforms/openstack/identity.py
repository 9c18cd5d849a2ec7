"""Keystone v3 calls timed as Rally's atomic actions (``keystone_v3.create_user`` ...).

One call is one HTTP request: the domain id is looked up once per process,
the token and catalog come from the shared connection.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from squall.platforms.openstack import clients
from squall.platforms.openstack.credential import Credential
from squall.plugin_api.atomic import ActionTimer, AtomicActionsHolder

if TYPE_CHECKING:
    from openstack.connection import Connection

_DOMAIN_IDS: dict[tuple[int, str], str] = {}
_DOMAIN_LOCK = threading.Lock()


class Identity:
    """Keystone v3 for one connection; each method times itself under ``holder``."""

    def __init__(self, conn: Connection, holder: AtomicActionsHolder, name_generator: Callable[[], str],
                 credential: Credential | None = None) -> None:
        self.conn = conn
        self.credential = credential
        self.holder = holder
        self.new_name = name_generator

    def _call(self, action: str, method: str, path: str, body: dict[str, Any] | None = None,
              params: dict[str, Any] | None = None) -> Any:
        with ActionTimer(self.holder, f"keystone_v3.{action}"):
            resp = clients.api(self.conn, "identity").request(path, method, json=body, params=params)
        return resp.json() if resp.content else None

    def domain_id(self, name_or_id: str) -> str:
        """The id of a domain given by id or name (cached per process)."""
        cache_key = (id(self.conn), name_or_id)
        with _DOMAIN_LOCK:
            if cache_key in _DOMAIN_IDS:
                return _DOMAIN_IDS[cache_key]
        if name_or_id.lower() == "default":
            found = "default"
        else:
            domains = clients.api(self.conn, "identity").get("/domains", params={"name": name_or_id}).json()["domains"]
            found = domains[0]["id"] if domains else name_or_id
        with _DOMAIN_LOCK:
            _DOMAIN_IDS[cache_key] = found
        return found

    # -- users ---------------------------------------------------------------
    def create_user(self, username: str | None = None, password: str | None = None,
                    project_id: str | None = None, domain_name: str = "Default", enabled: bool = True,
                    default_role: str = "member") -> dict[str, Any]:
        """Create a user (with ``default_role`` on ``project_id`` when given)."""
        user: dict[str, Any] = {"name": username or self.new_name(), "domain_id": self.domain_id(domain_name),
                                "enabled": enabled, "password": password or secrets.token_urlsafe(12)}
        if project_id:
            user["default_project_id"] = project_id
        created: dict[str, Any] = self._call("create_user", "POST", "/users", {"user": user})["user"]
        if project_id:
            role = next((r for r in self.list_roles() if default_role in r["name"].lower()), None)
            if role is not None:
                self.add_role(role["id"], created["id"], project_id)
        return created

    def create_users(self, project_id: str, number_of_users: int,
                     user_create_args: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Create several users in one project."""
        with ActionTimer(self.holder, "keystone_v3.create_users"):
            return [self.create_user(project_id=project_id, **(user_create_args or {}))
                    for _ in range(number_of_users)]

    def update_user(self, user_id: str, **fields: Any) -> None:
        """Change a user's fields (``enabled``, ``password``, ``name``, ...)."""
        self._call("update_user", "PATCH", f"/users/{user_id}",
                   {"user": {k: v for k, v in fields.items() if v is not None}})

    def delete_user(self, user_id: str) -> None:
        """Delete a user."""
        self._call("delete_user", "DELETE", f"/users/{user_id}")

    def list_users(self) -> list[dict[str, Any]]:
        """Every user."""
        return list(self._call("list_users", "GET", "/users")["users"])

    def get_user(self, user_id: str) -> dict[str, Any]:
        """One user."""
        return dict(self._call("get_user", "GET", f"/users/{user_id}")["user"])

    # -- projects ------------------------------------------------------------
    def create_project(self, project_name: str | None = None, domain_name: str = "Default") -> dict[str, Any]:
        """Create a project."""
        body = {"project": {"name": project_name or self.new_name(), "domain_id": self.domain_id(domain_name)}}
        return dict(self._call("create_project", "POST", "/projects", body)["project"])

    def update_project(self, project_id: str, **fields: Any) -> None:
        """Change a project's name, description or enabled flag."""
        self._call("update_project", "PATCH", f"/projects/{project_id}",
                   {"project": {k: v for k, v in fields.items() if v is not None}})

    def delete_project(self, project_id: str) -> None:
        """Delete a project."""
        self._call("delete_project", "DELETE", f"/projects/{project_id}")

    def list_projects(self) -> list[dict[str, Any]]:
        """Every project."""
        return list(self._call("list_projects", "GET", "/projects")["projects"])

    def get_project(self, project_id: str) -> dict[str, Any]:
        """One project."""
        return dict(self._call("get_project", "GET", f"/projects/{project_id}")["project"])

    # -- roles ---------------------------------------------------------------
    def create_role(self, name: str | None = None) -> dict[str, Any]:
        """Create a (global) role."""
        return dict(self._call("create_role", "POST", "/roles", {"role": {"name": name or self.new_name()}})["role"])

    def delete_role(self, role_id: str) -> None:
        """Delete a role."""
        self._call("delete_role", "DELETE", f"/roles/{role_id}")

    def get_role(self, role_id: str) -> dict[str, Any]:
        """One role."""
        return dict(self._call("get_role", "GET", f"/roles/{role_id}")["role"])

    def add_role(self, role_id: str, user_id: str, project_id: str) -> None:
        """Grant a role to a user on a project."""
        self._call("add_role", "PUT", f"/projects/{project_id}/users/{user_id}/roles/{role_id}")

    def revoke_role(self, role_id: str, user_id: str, project_id: str) -> None:
        """Revoke a user's role on a project."""
        self._call("revoke_role", "DELETE", f"/projects/{project_id}/users/{user_id}/roles/{role_id}")

    def list_roles(self, user_id: str | None = None, project_id: str | None = None) -> list[dict[str, Any]]:
        """All roles, or a user's roles on a project."""
        if user_id and project_id:
            return list(self._call("list_roles", "GET", f"/projects/{project_id}/users/{user_id}/roles")["roles"])
        return list(self._call("list_roles", "GET", "/roles")["roles"])

    # -- EC2 credentials -----------------------------------------------------
    def create_ec2credentials(self, user_id: str, project_id: str) -> dict[str, Any]:
        """EC2 credentials of a user on a project: ``{access, secret, ...}``."""
        body = {"tenant_id": project_id}
        return dict(self._call("create_ec2creds", "POST", f"/users/{user_id}/credentials/OS-EC2", body)["credential"])

    def list_ec2credentials(self, user_id: str) -> list[dict[str, Any]]:
        """A user's EC2 credentials."""
        return list(self._call("list_ec2creds", "GET", f"/users/{user_id}/credentials/OS-EC2")["credentials"])

    def delete_ec2credential(self, user_id: str, access: str) -> None:
        """Delete one EC2 credential of a user."""
        self._call("delete_ec2creds", "DELETE", f"/users/{user_id}/credentials/OS-EC2/{access}")

    # -- services ------------------------------------------------------------
    def create_service(self, name: str | None = None, service_type: str | None = None,
                       description: str | None = None, enabled: bool = True) -> dict[str, Any]:
        """Create a catalog service."""
        body = {"service": {"name": name or self.new_name(), "type": service_type or "squall_test_type",
                            "description": description or self.new_name(), "enabled": enabled}}
        return dict(self._call("create_service", "POST", "/services", body)["service"])

    def delete_service(self, service_id: str) -> None:
        """Delete a catalog service."""
        self._call("delete_service", "DELETE", f"/services/{service_id}")

    def list_services(self) -> list[dict[str, Any]]:
        """Every catalog service."""
        return list(self._call("list_services", "GET", "/services")["services"])

    def get_service(self, service_id: str) -> dict[str, Any]:
        """One service."""
        return dict(self._call("get_service", "GET", f"/services/{service_id}")["service"])

    def get_service_by_name(self, name: str) -> dict[str, Any]:
        """The first service called ``name``."""
        services = self._call("get_service_by_name", "GET", "/services", params={"name": name})["services"]
        if not services:
            raise LookupError(f"no service named {name!r}")
        return dict(services[0])

    # -- tokens --------------------------------------------------------------
    def fetch_token(self) -> str:
        """Issue a new token for the connection's user (not the cached one)."""
        cred = self.credential
        if cred is None:
            raise ValueError("fetch_token needs the connection's credential")
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": cred["username"], "password": cred["password"],
            "domain": {"name": cred.get("user_domain_name") or "Default"}}}}}}
        with ActionTimer(self.holder, "keystone_v3.fetch_token"):
            resp = clients.api(self.conn, "identity").post("/auth/tokens", json=body, authenticated=False)
        return str(resp.headers["X-Subject-Token"])

    def validate_token(self, token: str) -> None:
        """Validate a token."""
        with ActionTimer(self.holder, "keystone_v3.validate_token"):
            clients.api(self.conn, "identity").get("/auth/tokens", headers={"X-Subject-Token": token})
