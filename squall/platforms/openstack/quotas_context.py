"""``quotas``: Rally's context that sets each tenant's Nova, Cinder and Neutron quotas, and puts them back.

``{"nova": {"instances": -1}, "cinder": {"volumes": -1}, "neutron": {"network": -1}}``, as the admin.
Manila's and Designate's keys are refused at validation (squall has no such
service); Glance's image quotas are Keystone unified limits, not per-project
settings.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from squall import exceptions
from squall.platforms.openstack import clients
from squall.platforms.openstack.credential import admin_of
from squall.platforms.openstack.resources import is_not_found
from squall.plugin_api.context import Context, configure
from squall.registry import JSON_SCHEMA


class QuotaService(NamedTuple):
    """Where one service keeps a project's quotas."""

    adapter: str
    path: str
    key: str
    names: tuple[str, ...]


SERVICES: dict[str, QuotaService] = {
    "nova": QuotaService("compute", "/os-quota-sets/{}", "quota_set", (
        "instances", "cores", "ram", "floating_ips", "fixed_ips", "metadata_items", "injected_files",
        "injected_file_content_bytes", "injected_file_path_bytes", "key_pairs", "security_groups",
        "security_group_rules", "server_groups", "server_group_members")),
    "cinder": QuotaService("block_storage", "/os-quota-sets/{}", "quota_set", (
        "gigabytes", "snapshots", "volumes", "backups", "backup_gigabytes", "groups", "per_volume_gigabytes")),
    "neutron": QuotaService("network", "/quotas/{}", "quota", (
        "network", "subnet", "port", "router", "floatingip", "security_group", "security_group_rule", "pool",
        "vip", "health_monitor", "trunk")),
}
UNSUPPORTED = ("manila", "designate")


def _schema(service: str) -> dict[str, Any]:
    props = {k: {"type": "integer", "minimum": -1} for k in SERVICES[service].names}
    if service == "cinder":  # per-type quotas: volumes_TYPE, gigabytes_TYPE, snapshots_TYPE
        return {"type": "object", "properties": props,
                "patternProperties": {"^(volumes|gigabytes|snapshots)_.+$": {"type": "integer", "minimum": -1}},
                "additionalProperties": False}
    return {"type": "object", "properties": props, "additionalProperties": False}


@configure(name="quotas", order=300, platform="openstack")
class QuotasContext(Context):
    """Set each tenant's quotas of Nova, Cinder and Neutron (as admin) and put the old values back at clean-up."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA, "type": "object", "additionalProperties": False,
        "properties": {**{s: _schema(s) for s in SERVICES}, **{s: {"type": "object"} for s in UNSUPPORTED}},
    }

    @classmethod
    def config_errors(cls, config: Any, path: str) -> list[str]:
        """Manila's and Designate's quotas are not supported."""
        return [f"{path}.{s}: quotas of {s} are not supported (squall has no {s} plugins); remove the key"
                for s in UNSUPPORTED if isinstance(config, dict) and s in config]

    def _api(self, service: str) -> Any:
        admin = admin_of(self.context)
        if admin is None:
            raise exceptions.InvalidConfigError("the quotas context needs admin credentials")
        return clients.api(clients.connect(admin), SERVICES[service].adapter)

    def setup(self) -> None:
        self._old: dict[tuple[str, str], dict[str, Any]] = {}
        for service, wanted in self.config.items():
            if not wanted or service not in SERVICES:
                continue
            where = SERVICES[service]
            api = self._api(service)
            for tenant_id in (self.context.get("tenants") or {}):
                path = where.path.format(tenant_id)
                self._old[(service, tenant_id)] = api.get(path).json()[where.key]
                api.put(path, json={where.key: wanted})

    def cleanup(self) -> None:
        errors = []
        for (service, tenant_id), old in getattr(self, "_old", {}).items():
            where = SERVICES[service]
            wanted = set(self.config.get(service) or {})
            try:
                self._api(service).put(where.path.format(tenant_id),
                                       json={where.key: {k: v for k, v in old.items() if k in wanted}})
            except Exception as exc:
                if not is_not_found(exc):
                    errors.append(f"{service} quotas of {tenant_id}: {exc}")
        if errors:
            raise RuntimeError("quotas clean-up: " + "; ".join(errors))
