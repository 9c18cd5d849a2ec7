"""Base of OpenStack scenarios: clients for the admin and the iteration's user, squall names."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from squall import exceptions, naming
from squall.platforms.openstack import clients
from squall.platforms.openstack.credential import Credential, admin_of
from squall.platforms.openstack.network import Network
from squall.plugin_api.scenario import Scenario

if TYPE_CHECKING:
    from openstack.connection import Connection


def at_least_one(args: dict[str, Any], key: str, path: str) -> list[str]:
    """The error of an integer argument ``key`` below 1 (none when it is absent or not an integer)."""
    value = args.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value < 1:
        return [f"{path}.{key}: must be at least 1, not {value}"]
    return []


class OpenStackScenario(Scenario):
    """A scenario on the environment's cloud.

    ``context["admin"]["credential"]`` comes from the environment;
    ``context["users"]`` from the ``users`` or ``existing_users`` context. Each
    iteration gets one user (round robin or random, as the ``users`` context
    says) as ``context["user"]`` and its project as ``context["tenant"]``.
    """

    def __init__(self, context: dict[str, Any] | None = None) -> None:
        super().__init__(context)
        users = self.context.get("users") or []
        if users and "user" not in self.context:
            method = self.context.get("user_choice_method", "random")
            if method == "round_robin":
                user = users[(int(self.context.get("iteration", 1)) - 1) % len(users)]
            else:
                user = random.choice(users)
            self.context["user"] = user
            tenant = (self.context.get("tenants") or {}).get(user.get("tenant_id"))
            if tenant is not None:
                self.context["tenant"] = tenant

    WARM_USERS = 50

    @classmethod
    def before_load(cls, context: dict[str, Any]) -> None:
        """Import openstacksdk and fetch the admin's and users' tokens once, for every worker to inherit."""
        admin = admin_of(context)
        if admin is not None:
            clients.prepare(admin)
        for user in (context.get("users") or [])[:cls.WARM_USERS]:
            clients.prepare(user["credential"])

    def admin_clients(self) -> Connection:
        """The admin's shared connection."""
        cred = admin_of(self.context)
        if cred is None:
            raise exceptions.InvalidConfigError("this scenario needs an environment with admin credentials")
        return clients.connect(cred)

    def clients(self) -> Connection:
        """The connection of this iteration's user."""
        user = self.context.get("user")
        if not user:
            raise exceptions.InvalidConfigError("this scenario needs users (the users or existing_users context)")
        cred: Credential = user["credential"]
        return clients.connect(cred)

    def iteration_clients(self) -> Connection:
        """The iteration's user's connection, or the admin's when the workload has no users."""
        return self.clients() if self.context.get("user") else self.admin_clients()

    @property
    def neutron(self) -> Network:
        """Neutron as the iteration's user (the admin when the workload has no users)."""
        return Network(self.iteration_clients(), self, self.generate_random_name)

    def generate_random_name(self) -> str:
        """A squall name for a resource this scenario creates (cleanup finds it by this name)."""
        return naming.generate(self.context["task"]["uuid"], "scenario")
