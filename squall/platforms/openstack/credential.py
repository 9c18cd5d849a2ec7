"""OpenStack credentials: read from environment specs and ``OS_*`` variables.

A credential is a plain, picklable dict (it travels to worker processes in
the workload context); :func:`key` identifies it for client caches.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypedDict

from squall import exceptions


class Credential(TypedDict, total=False):
    """Everything needed to authenticate one user against Keystone v3."""

    auth_url: str
    username: str
    password: str
    project_name: str | None
    project_id: str | None
    user_domain_name: str
    project_domain_name: str
    region_name: str | None
    interface: str
    https_insecure: bool
    https_cacert: str | None


USER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "username": {"type": "string", "minLength": 1},
        "password": {"type": "string"},
        "project_name": {"type": "string"},
        "tenant_name": {"type": "string"},
        "user_domain_name": {"type": "string"},
        "project_domain_name": {"type": "string"},
        "domain_name": {"type": "string"},
    },
    "required": ["username", "password"],
    "additionalProperties": False,
}


def from_spec(platform: Mapping[str, Any], user: Mapping[str, Any]) -> Credential:
    """A credential for ``user`` (an ``admin`` or ``users[]`` entry) of an openstack spec."""
    interface = platform.get("interface") or platform.get("endpoint_type") or "public"
    return Credential(
        auth_url=platform["auth_url"],
        username=user["username"],
        password=user["password"],
        project_name=user.get("project_name") or user.get("tenant_name"),
        user_domain_name=user.get("user_domain_name") or user.get("domain_name") or "Default",
        project_domain_name=user.get("project_domain_name") or user.get("domain_name") or "Default",
        region_name=platform.get("region_name"),
        interface=interface.removesuffix("URL"),
        https_insecure=bool(platform.get("https_insecure", False)),
        https_cacert=platform.get("https_cacert"),
    )


def spec_from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """An ``openstack`` platform section built from ``OS_*`` variables (``env create --from-sysenv``)."""
    env = os.environ if environ is None else environ
    missing = [v for v in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD") if not env.get(v)]
    if missing:
        raise exceptions.InvalidArgumentsError(f"--from-sysenv needs {', '.join(missing)} in the environment")
    admin: dict[str, Any] = {"username": env["OS_USERNAME"], "password": env["OS_PASSWORD"]}
    project = env.get("OS_PROJECT_NAME") or env.get("OS_TENANT_NAME")
    if project:
        admin["project_name"] = project
    for var, field in (("OS_USER_DOMAIN_NAME", "user_domain_name"),
                       ("OS_PROJECT_DOMAIN_NAME", "project_domain_name")):
        if env.get(var):
            admin[field] = env[var]
    spec: dict[str, Any] = {"auth_url": env["OS_AUTH_URL"], "admin": admin}
    if env.get("OS_REGION_NAME"):
        spec["region_name"] = env["OS_REGION_NAME"]
    if env.get("OS_INTERFACE") or env.get("OS_ENDPOINT_TYPE"):
        spec["interface"] = (env.get("OS_INTERFACE") or env["OS_ENDPOINT_TYPE"]).removesuffix("URL")
    if env.get("OS_INSECURE", "").lower() in ("1", "true", "yes"):
        spec["https_insecure"] = True
    if env.get("OS_CACERT"):
        spec["https_cacert"] = env["OS_CACERT"]
    return spec


PLATFORM_NAMES = ("openstack", "existing@openstack")


def platform_section(env_spec: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The ``openstack`` section of an environment spec, if it has one."""
    for name in PLATFORM_NAMES:
        if env_spec and name in env_spec:
            return dict(env_spec[name])
    return None


def key(cred: Credential) -> tuple[Any, ...]:
    """A hashable identity of a credential (for client caches)."""
    return (cred.get("auth_url"), cred.get("username"), cred.get("password"), cred.get("project_name"),
            cred.get("project_id"), cred.get("user_domain_name"), cred.get("project_domain_name"),
            cred.get("region_name"), cred.get("interface"), cred.get("https_insecure"), cred.get("https_cacert"))


def redact(cred: Mapping[str, Any]) -> dict[str, Any]:
    """A copy safe to show or store: the password replaced."""
    return {k: ("***" if k == "password" else v) for k, v in cred.items()}


def admin_of(context: Mapping[str, Any]) -> Credential | None:
    """The admin credential of a workload context (from its environment), if any."""
    admin = context.get("admin")
    if admin:
        return admin["credential"]  # type: ignore[no-any-return]
    section = platform_section(context.get("env"))
    if section is None or not section.get("admin"):
        return None
    return from_spec(section, section["admin"])
