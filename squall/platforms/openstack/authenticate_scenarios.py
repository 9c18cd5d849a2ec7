"""``Authenticate.*``: Rally's token scenarios, with Rally's names, arguments and atomic actions.

``Authenticate.keystone`` asks Keystone for a new token every iteration (what
it measures); the ``validate_*`` scenarios make a service check the user's
token ``repetitions`` times with a cheap call.
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall.platforms.openstack import clients
from squall.platforms.openstack.scenario import OpenStackScenario, at_least_one
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure


@configure(name="Authenticate.keystone", platform="openstack")
class Keystone(OpenStackScenario):
    """Authenticate the iteration's user with a password: a new token (``authenticate.keystone``)."""

    def run(self) -> None:
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import v3

        user = self.context.get("user")
        if not user:
            raise AssertionError("Authenticate.keystone needs users (the users or existing_users context)")
        cred = user["credential"]
        auth = v3.Password(auth_url=cred["auth_url"], username=cred["username"], password=cred["password"],
                           project_name=cred.get("project_name"), project_id=cred.get("project_id"),
                           user_domain_name=cred.get("user_domain_name", "Default"),
                           project_domain_name=cred.get("project_domain_name", "Default"))
        verify: bool | str = not cred.get("https_insecure", False)
        if verify and cred.get("https_cacert"):
            verify = str(cred["https_cacert"])
        with ActionTimer(self, "authenticate.keystone"):
            ks_session.Session(auth=auth, verify=verify).get_token()


class _Validate(OpenStackScenario):
    """``repetitions`` cheap calls to one service with the user's token."""

    SERVICE: ClassVar[str] = ""
    PATH: ClassVar[str] = ""
    PARAMS: ClassVar[dict[str, Any]] = {}

    def run(self, repetitions: int) -> None:
        api = clients.api(self.clients(), self.SERVICE)
        with ActionTimer(self, f"authenticate.validate_{self.plugin_name.rsplit('_', 1)[1]}"):
            for _ in range(repetitions):
                api.get(self.PATH, params=self.PARAMS or None)

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """``repetitions`` is at least 1."""
        return at_least_one(args, "repetitions", path)


@configure(name="Authenticate.validate_glance", platform="openstack")
class ValidateGlance(_Validate):
    """List images by a name no image has, ``repetitions`` times."""

    SERVICE, PATH, PARAMS = "image", "/images", {"name": "__intentionally_non_existent_image___"}


@configure(name="Authenticate.validate_nova", platform="openstack")
class ValidateNova(_Validate):
    """List flavors, ``repetitions`` times."""

    SERVICE, PATH = "compute", "/flavors"


@configure(name="Authenticate.validate_cinder", platform="openstack")
class ValidateCinder(_Validate):
    """List volume types, ``repetitions`` times."""

    SERVICE, PATH = "block_storage", "/types"


@configure(name="Authenticate.validate_neutron", platform="openstack")
class ValidateNeutron(_Validate):
    """List networks, ``repetitions`` times."""

    SERVICE, PATH = "network", "/networks"


@configure(name="Authenticate.validate_heat", platform="openstack")
class ValidateHeat(_Validate):
    """List stacks, ``repetitions`` times."""

    SERVICE, PATH, PARAMS = "orchestration", "/stacks", {"limit": 1}
