"""``KeystoneBasic.*``: Rally's Keystone scenarios, with Rally's names, arguments and atomic actions.

Every resource gets a squall name (``naming.generate``); the default
``admin_cleanup@openstack`` context deletes what the workload's scenarios
left, by name, when the workload ends.
"""

from __future__ import annotations

from typing import Any

from squall.platforms.openstack.credential import admin_of
from squall.platforms.openstack.identity import Identity
from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugin_api.scenario import configure

ADMIN_CLEANUP = {"admin_cleanup@openstack": ["keystone"]}


class KeystoneBasic(OpenStackScenario):
    """Base of the Keystone scenarios: ``admin_keystone`` and ``keystone`` (the iteration's user)."""

    @property
    def admin_keystone(self) -> Identity:
        """Keystone as the environment's admin."""
        return Identity(self.admin_clients(), self, self.generate_random_name, admin_of(self.context))

    @property
    def keystone(self) -> Identity:
        """Keystone as this iteration's user."""
        return Identity(self.clients(), self, self.generate_random_name, self.context["user"]["credential"])


def _user_args(kwargs: dict[str, Any]) -> dict[str, Any]:
    # Rally passes tenant_id / project_id through to create_user.
    args = dict(kwargs)
    if "tenant_id" in args:
        args["project_id"] = args.pop("tenant_id")
    return args


@configure(name="KeystoneBasic.create_user", platform="openstack", context=ADMIN_CLEANUP)
class CreateUser(KeystoneBasic):
    """Create a user with a random name (name_length is accepted and ignored, as in Rally)."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        self.admin_keystone.create_user(**_user_args(kwargs))


@configure(name="KeystoneBasic.create_delete_user", platform="openstack", context=ADMIN_CLEANUP)
class CreateDeleteUser(KeystoneBasic):
    """Create a user and delete it."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        keystone = self.admin_keystone
        user = keystone.create_user(**_user_args(kwargs))
        keystone.delete_user(user["id"])


@configure(name="KeystoneBasic.create_user_set_enabled_and_delete", platform="openstack", context=ADMIN_CLEANUP)
class CreateUserSetEnabledAndDelete(KeystoneBasic):
    """Create a user with enabled, toggle it, delete the user."""

    def run(self, enabled: bool = True, **kwargs: Any) -> None:
        keystone = self.admin_keystone
        user = keystone.create_user(enabled=enabled, **_user_args(kwargs))
        keystone.update_user(user["id"], enabled=not enabled)
        keystone.delete_user(user["id"])


@configure(name="KeystoneBasic.create_user_update_password", platform="openstack", context=ADMIN_CLEANUP)
class CreateUserUpdatePassword(KeystoneBasic):
    """Create a user and change its password."""

    def run(self, name_length: int | None = None, password_length: int | None = None) -> None:
        keystone = self.admin_keystone
        user = keystone.create_user()
        keystone.update_user(user["id"], password=self.generate_random_name())


@configure(name="KeystoneBasic.create_and_list_users", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndListUsers(KeystoneBasic):
    """Create a user and list all users."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        kwargs.pop("name", None)
        keystone = self.admin_keystone
        keystone.create_user(**_user_args(kwargs))
        keystone.list_users()


@configure(name="KeystoneBasic.create_tenant", platform="openstack", context=ADMIN_CLEANUP)
class CreateTenant(KeystoneBasic):
    """Create a project (Rally's "tenant")."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        self.admin_keystone.create_project(**kwargs)


@configure(name="KeystoneBasic.create_tenant_with_users", platform="openstack", context=ADMIN_CLEANUP)
class CreateTenantWithUsers(KeystoneBasic):
    """Create a project and users_per_tenant users in it."""

    def run(self, users_per_tenant: int, name_length: int = 10, **kwargs: Any) -> None:
        keystone = self.admin_keystone
        project = keystone.create_project(**kwargs)
        keystone.create_users(project["id"], number_of_users=users_per_tenant)


@configure(name="KeystoneBasic.create_and_list_tenants", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndListTenants(KeystoneBasic):
    """Create a project and list all projects."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        keystone = self.admin_keystone
        keystone.create_project(**kwargs)
        keystone.list_projects()


@configure(name="KeystoneBasic.create_and_delete_project", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndDeleteProject(KeystoneBasic):
    """Create a project and delete it."""

    def run(self, **kwargs: Any) -> None:
        keystone = self.admin_keystone
        project = keystone.create_project(**kwargs)
        keystone.delete_project(project["id"])


@configure(name="KeystoneBasic.create_update_and_delete_tenant", platform="openstack", context=ADMIN_CLEANUP)
class CreateUpdateAndDeleteTenant(KeystoneBasic):
    """Create a project, rename it and change its description, delete it."""

    def run(self, name_length: int | None = None, **kwargs: Any) -> None:
        keystone = self.admin_keystone
        project = keystone.create_project(**kwargs)
        keystone.update_project(project["id"], name=self.generate_random_name(),
                                description=self.generate_random_name())
        keystone.delete_project(project["id"])


@configure(name="KeystoneBasic.create_and_delete_role", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndDeleteRole(KeystoneBasic):
    """Create a role and delete it."""

    def run(self) -> None:
        keystone = self.admin_keystone
        role = keystone.create_role()
        keystone.delete_role(role["id"])


@configure(name="KeystoneBasic.add_and_remove_user_role", platform="openstack", context=ADMIN_CLEANUP)
class AddAndRemoveUserRole(KeystoneBasic):
    """Create a role, grant it to the iteration's user on its project, revoke it."""

    def run(self) -> None:
        keystone = self.admin_keystone
        user, project = self.context["user"]["id"], self.context["tenant"]["id"]
        role = keystone.create_role()
        keystone.add_role(role["id"], user, project)
        keystone.revoke_role(role["id"], user, project)


@configure(name="KeystoneBasic.create_add_and_list_user_roles", platform="openstack", context=ADMIN_CLEANUP)
class CreateAddAndListUserRoles(KeystoneBasic):
    """Create a role, grant it to the iteration's user, list that user's roles."""

    def run(self) -> None:
        keystone = self.admin_keystone
        user, project = self.context["user"]["id"], self.context["tenant"]["id"]
        role = keystone.create_role()
        keystone.add_role(role["id"], user, project)
        keystone.list_roles(user_id=user, project_id=project)


@configure(name="KeystoneBasic.get_entities", platform="openstack", context=ADMIN_CLEANUP)
class GetEntities(KeystoneBasic):
    """Create a project, user and role, get each by id, and get a service (None: a new one)."""

    def run(self, service_name: str | None = "keystone") -> None:
        keystone = self.admin_keystone
        project = keystone.create_project()
        user = keystone.create_user(project_id=project["id"])
        role = keystone.create_role()
        keystone.get_project(project["id"])
        keystone.get_user(user["id"])
        keystone.get_role(role["id"])
        service = keystone.create_service() if service_name is None else keystone.get_service_by_name(service_name)
        keystone.get_service(service["id"])


@configure(name="KeystoneBasic.create_and_delete_service", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndDeleteService(KeystoneBasic):
    """Create a catalog service and delete it."""

    def run(self, name: str | None = None, service_type: str | None = None,
            description: str | None = None) -> None:
        keystone = self.admin_keystone
        service = keystone.create_service(service_type=service_type, description=description)
        keystone.delete_service(service["id"])


@configure(name="KeystoneBasic.create_and_list_services", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndListServices(KeystoneBasic):
    """Create a catalog service and list all services."""

    def run(self, name: str | None = None, service_type: str | None = None,
            description: str | None = None) -> None:
        keystone = self.admin_keystone
        keystone.create_service(service_type=service_type, description=description)
        keystone.list_services()


@configure(name="KeystoneBasic.authenticate_user_and_validate_token", platform="openstack", context=ADMIN_CLEANUP)
class AuthenticateUserAndValidateToken(KeystoneBasic):
    """Issue a new token for the admin and validate it."""

    def run(self) -> None:
        keystone = self.admin_keystone
        keystone.validate_token(keystone.fetch_token())


class AssertionFailed(Exception):
    """A scenario's check of what Keystone returned failed."""


@configure(name="KeystoneBasic.create_and_list_ec2credentials", platform="openstack",
           context={"cleanup@openstack": ["keystone"]})
class CreateAndListEc2Credentials(KeystoneBasic):
    """Create EC2 credentials for this iteration's user on its project, then list the user's."""

    def run(self) -> None:
        user, project = self.context["user"]["id"], self.context["tenant"]["id"]
        self.keystone.create_ec2credentials(user, project)
        self.keystone.list_ec2credentials(user)


@configure(name="KeystoneBasic.create_and_delete_ec2credential", platform="openstack",
           context={"cleanup@openstack": ["keystone"]})
class CreateAndDeleteEc2Credential(KeystoneBasic):
    """Create EC2 credentials for this iteration's user, then delete them."""

    def run(self) -> None:
        user, project = self.context["user"]["id"], self.context["tenant"]["id"]
        credential = self.keystone.create_ec2credentials(user, project)
        self.keystone.delete_ec2credential(user, credential["access"])


@configure(name="KeystoneBasic.create_and_get_role", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndGetRole(KeystoneBasic):
    """Create a role and read it back (``name`` may be given; other arguments are ignored)."""

    def run(self, **kwargs: Any) -> None:
        role = self.admin_keystone.create_role(name=kwargs.get("name"))
        self.admin_keystone.get_role(role["id"])


@configure(name="KeystoneBasic.create_and_list_roles", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndListRoles(KeystoneBasic):
    """Create a role and check it is among all roles."""

    def run(self, create_role_kwargs: dict[str, Any] | None = None,
            list_role_kwargs: dict[str, Any] | None = None) -> None:
        keystone = self.admin_keystone
        role = keystone.create_role(name=(create_role_kwargs or {}).get("name"))
        listed = keystone.list_roles(**(list_role_kwargs or {}))
        if role["id"] not in {r["id"] for r in listed}:
            raise AssertionFailed("Created role is not in the list of all available roles")


@configure(name="KeystoneBasic.create_and_update_user", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndUpdateUser(KeystoneBasic):
    """Create a user, update it with ``update_user_kwargs``, and check each field was changed."""

    def run(self, create_user_kwargs: dict[str, Any] | None = None,
            update_user_kwargs: dict[str, Any] | None = None) -> None:
        keystone = self.admin_keystone
        changes = dict(update_user_kwargs or {})
        user = keystone.create_user(**_user_args(create_user_kwargs or {}))
        keystone.update_user(user["id"], **changes)
        stored = keystone.get_user(user["id"])
        for field, value in changes.items():
            if field != "password" and stored.get(field) != value:
                raise AssertionFailed(f"{field} isn't updated")
