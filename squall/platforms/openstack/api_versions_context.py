"""``api_versions``: Rally's context that picks a client API version per service.

squall speaks one major version per service (Keystone v3, Glance v2,
Cinder v3, Nova v2.1, Neutron v2.0): a task file asking for another is
refused at validation. A Nova or Cinder microversion (``nova: {version: 2.2}``)
becomes the default microversion of that service's calls in the workload
(a call that needs a later one still asks for it). ``service_type`` may
name a catalog type squall already looks the service up by (Cinder's
``volumev3``); another catalog entry (another type, ``service_name``) is
not supported.
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api.context import Context, configure
from squall.registry import JSON_SCHEMA

# The major version squall speaks, by service; a version given must be it (or a microversion of it).
SPOKEN = {"keystone": "3", "glance": "2", "cinder": "3", "nova": "2", "neutron": "2"}
MICROVERSIONED = ("nova", "cinder")
# The catalog types squall finds each service under.
CATALOG_TYPES = {"keystone": ("identity",), "glance": ("image",), "nova": ("compute",), "neutron": ("network",),
                 "cinder": ("block-storage", "volumev3", "volume", "block-store")}


def microversion(context: dict[str, Any], service: str) -> str | None:
    """The workload's default microversion of ``service`` (``nova``, ``cinder``), if the task asked for one."""
    chosen = (context.get("api_versions") or {}).get(service) or {}
    version = str(chosen.get("version", ""))
    return version if "." in version else None


@configure(name="api_versions", order=150, platform="openstack")
class ApiVersionsContext(Context):
    """The API version of each service, as Rally's (``{glance: {version: 2}, nova: {version: 2.2}}``)."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "object", "minProperties": 1, "additionalProperties": False,
        "patternProperties": {"^[a-z]+$": {
            "type": "object", "additionalProperties": False,
            "properties": {"version": {"type": ["string", "number"]}, "service_type": {"type": "string"},
                           "service_name": {"type": "string"}}}},
    }

    @classmethod
    def config_errors(cls, config: Any, path: str) -> list[str]:
        """Only the versions squall speaks; no other catalog entries."""
        errors = []
        for service, chosen in (config or {}).items():
            where = f"{path}.{service}"
            if service not in SPOKEN:
                errors.append(f"{where}: squall has no {service} plugins")
                continue
            if "service_name" in chosen:
                errors.append(f"{where}.service_name: not supported (squall uses the catalog's entry of type "
                              f"{' or '.join(CATALOG_TYPES[service])})")
            if chosen.get("service_type", CATALOG_TYPES[service][0]) not in CATALOG_TYPES[service]:
                errors.append(f"{where}.service_type: squall finds {service} under the catalog type "
                              f"{' or '.join(CATALOG_TYPES[service])}, not {chosen['service_type']!r}")
            version = str(chosen.get("version", SPOKEN[service]))
            major, _, minor = version.partition(".")
            if major != SPOKEN[service] or (minor and service not in MICROVERSIONED and minor != "0"):
                errors.append(f"{where}.version: squall speaks {service} API v{SPOKEN[service]}"
                              + (" (with microversions)" if service in MICROVERSIONED else "")
                              + f", not {version}")
        return errors

    def setup(self) -> None:
        self.context["api_versions"] = self.config

    def cleanup(self) -> None:
        """Nothing to undo."""
