"""API group ``plugin``: what plugins exist and how to configure them."""

from __future__ import annotations

from typing import Any

from squall import exceptions, registry
from squall.api.base import APIGroup, api_method


class PluginAPI(APIGroup):
    """List and describe plugins."""

    group_name = "plugin"

    @api_method("GET", runs_commands=False)
    def list(self, kind: str | None = None, name: str | None = None) -> list[dict[str, Any]]:
        """Plugins, optionally of one kind and/or whose name contains ``name``."""
        found = []
        for cls in registry.all_plugins():
            info = cls.get_info()
            if kind and info["kind"] != kind:
                continue
            if name and name.lower() not in info["name"].lower():
                continue
            found.append({k: info[k] for k in ("name", "kind", "platform", "title")})
        return found

    @api_method("GET", runs_commands=False)
    def show(self, name: str, kind: str | None = None) -> dict[str, Any]:
        """Everything about one plugin; with several matches, name the kind."""
        matches = [c.get_info() for c in registry.all_plugins()
                   if c.plugin_name == name and (kind is None or c.plugin_kind == kind)]
        if not matches:
            raise exceptions.PluginNotFoundError(kind="plugin", name=name)
        if len(matches) > 1:
            kinds = ", ".join(m["kind"] for m in matches)
            raise exceptions.InvalidArgumentsError(f"'{name}' names plugins of several kinds ({kinds}); pass kind")
        return matches[0]
