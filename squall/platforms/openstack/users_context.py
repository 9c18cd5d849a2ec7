"""``users`` and ``existing_users``: who the scenarios act as on an OpenStack cloud.

``users`` creates ``tenants`` projects with ``users_per_tenant`` users each
(names from the squall name generator, kind "context"), hands their
credentials to the scenarios, and deletes them at clean-up: by the ids it
recorded, then by name for anything a failed set-up did not record.
``existing_users`` hands over the environment's users and creates nothing.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from squall import exceptions, naming
from squall.platforms.openstack import cleanup, clients, network_resources, resources
from squall.platforms.openstack.credential import Credential, admin_of, from_spec, platform_section
from squall.plugin_api.context import Context, configure
from squall.registry import JSON_SCHEMA

MEMBER_ROLES = ("member", "_member_")


def _tenants_of(users: list[dict[str, Any]], names: dict[str, str]) -> dict[str, dict[str, Any]]:
    tenants: dict[str, dict[str, Any]] = {}
    for user in users:
        tid = user["tenant_id"]
        tenants.setdefault(tid, {"id": tid, "name": names.get(tid, tid), "users": []})["users"].append(user)
    return tenants


@configure(name="users", order=100, platform="openstack")
class UsersContext(Context):
    """Create projects and users for the workload (needs admin credentials)."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "tenants": {"type": "integer", "minimum": 1},
            "users_per_tenant": {"type": "integer", "minimum": 1},
            "resource_management_workers": {"type": "integer", "minimum": 1},
            "project_domain": {"type": "string"},
            "user_domain": {"type": "string"},
            "user_choice_method": {"enum": ["random", "round_robin"]},
        },
        "additionalProperties": False,
    }
    DEFAULT_CONFIG: ClassVar[dict[str, Any]] = {
        "tenants": 1, "users_per_tenant": 1, "resource_management_workers": 20,
        "project_domain": "default", "user_domain": "default", "user_choice_method": "random",
    }

    def _admin(self) -> Credential:
        cred = admin_of(self.context)
        if cred is None:
            raise exceptions.InvalidConfigError("the users context needs an environment with admin credentials")
        return cred

    def _name(self) -> str:
        return naming.generate(self.context["task"]["uuid"], "context")

    def setup(self) -> None:
        admin = self._admin()
        identity = clients.api(clients.connect(admin), "identity")
        cfg = self.config
        workers = min(cfg["resource_management_workers"], 8)
        self.context["user_choice_method"] = cfg["user_choice_method"]
        self.context["users"] = []
        self.context["tenants"] = {}
        self._projects: list[str] = []
        self._users: list[str] = []

        def new_project(_: int) -> dict[str, Any]:
            body = {"project": {"name": self._name(), "domain_id": cfg["project_domain"]}}
            project: dict[str, Any] = identity.post("/projects", json=body).json()["project"]
            self._projects.append(project["id"])
            return project

        with ThreadPoolExecutor(max_workers=workers) as pool:
            projects = list(pool.map(new_project, range(cfg["tenants"])))
        project_names = {p["id"]: p["name"] for p in projects}
        roles = identity.get("/roles").json()["roles"]
        member = next((r for r in roles if r["name"].lower() in MEMBER_ROLES), None)

        def new_user(project: dict[str, Any]) -> dict[str, Any]:
            password = secrets.token_urlsafe(16)
            body = {"user": {"name": self._name(), "password": password, "domain_id": cfg["user_domain"],
                             "default_project_id": project["id"], "enabled": True}}
            user = identity.post("/users", json=body).json()["user"]
            self._users.append(user["id"])
            if member is not None:
                identity.put(f"/projects/{project['id']}/users/{user['id']}/roles/{member['id']}")
            cred = Credential(**{**admin, "username": user["name"], "password": password,
                                 "project_name": None, "project_id": project["id"],
                                 "user_domain_name": "Default" if cfg["user_domain"] == "default"
                                 else cfg["user_domain"]})
            return {"id": user["id"], "credential": cred, "tenant_id": project["id"]}

        wanted = [p for p in projects for _ in range(cfg["users_per_tenant"])]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            users = list(pool.map(new_user, wanted))
        self.context["users"] = users
        self.context["tenants"] = _tenants_of(users, project_names)

    def cleanup(self) -> None:
        admin = self._admin()
        conn = clients.connect(admin)
        errors: list[str] = []
        for user in self.context.get("users", []):
            clients.forget(user["credential"])
        errors += network_resources.delete_default_security_groups(conn, list(getattr(self, "_projects", [])))
        for manager, ids in ((resources.KeystoneUser(conn), getattr(self, "_users", [])),
                             (resources.KeystoneProject(conn), getattr(self, "_projects", []))):
            for rid in ids:
                try:
                    manager.delete(rid)  # an already missing one counts as deleted
                except Exception as exc:
                    errors.append(f"{manager.type_name()} {rid}: {exc}")
        # Anything this task's contexts made but did not record (a set-up cut short).
        report = cleanup.cleanup(conn, self.context["task"]["uuid"], kind="context", services=["keystone"])
        errors.extend(f"{f['type']} {f['name']}: {f['error']}" for f in report["failed"])
        if errors:
            raise RuntimeError("users clean-up left resources: " + "; ".join(errors))


@configure(name="existing_users", order=99, platform="openstack")
class ExistingUsersContext(Context):
    """The environment's own users, for clouds where squall may not create users."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"$schema": JSON_SCHEMA, "type": "object",
                                               "additionalProperties": False}

    def setup(self) -> None:
        section = platform_section(self.context.get("env")) or {}
        users = []
        for spec_user in section.get("users", []):
            cred = from_spec(section, spec_user)
            conn = clients.connect(cred)
            access = clients.access_info(conn)
            users.append({"id": access.user_id, "credential": cred, "tenant_id": access.project_id})
        if not users:
            raise exceptions.InvalidConfigError("existing_users: the environment lists no users")
        self.context["users"] = users
        self.context["tenants"] = _tenants_of(users, {})
