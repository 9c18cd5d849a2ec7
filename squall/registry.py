"""Plugin registry: every named thing in a task file is a plugin.

A plugin kind is a base class with a ``plugin_kind``; a plugin is a subclass
registered with :func:`configure`. Each carries a JSON schema
(``CONFIG_SCHEMA``) that validation applies to its part of the task file.
Built-in plugins live under :mod:`squall.plugins` and, for platforms with
several parts, :mod:`squall.platforms`; third-party packages add
theirs through the ``squall.plugins`` entry-point group.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable
from importlib import metadata
from typing import Any, ClassVar, TypeVar

from squall import exceptions

JSON_SCHEMA = "http://json-schema.org/draft-07/schema#"
ENTRY_POINT_GROUP = "squall.plugins"

_REGISTRY: dict[str, dict[str, type[Plugin]]] = {}
_loaded = False
_PATH_FILES: list[str] = []  # the files --plugin-paths imported, in order: what a Dask worker must import too

P = TypeVar("P", bound="type[Plugin]")


class Plugin:
    """Base of every plugin kind."""

    plugin_kind: ClassVar[str] = "plugin"
    plugin_name: ClassVar[str] = ""
    plugin_platform: ClassVar[str] = "default"
    plugin_meta: ClassVar[dict[str, Any]] = {}
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "null"}

    @classmethod
    def get_name(cls) -> str:
        """The name a task file uses for this plugin."""
        return cls.plugin_name

    @classmethod
    def get_info(cls) -> dict[str, Any]:
        """A JSON-serialisable description: name, kind, platform, docs, schema."""
        doc = inspect.getdoc(cls) or ""
        # The title is the first paragraph, whole: a first sentence wrapped over two lines stays one.
        title, _, rest = doc.partition("\n\n")
        return {
            "name": cls.plugin_name,
            "kind": cls.plugin_kind,
            "platform": cls.plugin_platform,
            "title": " ".join(title.split()),
            "description": rest.strip(),
            "module": cls.__module__,
            "schema": cls.CONFIG_SCHEMA,
        }


def configure(name: str, platform: str = "default", **meta: Any) -> Callable[[P], P]:
    """Register the decorated class as a plugin called ``name``.

    The kind comes from the nearest base class that defines ``plugin_kind``.
    """

    def decorator(cls: P) -> P:
        kind = cls.plugin_kind
        registry = _REGISTRY.setdefault(kind, {})
        existing = registry.get(name)
        if existing is not None and existing is not cls:
            raise exceptions.DuplicateError(
                f"{kind} plugin '{name}' is defined twice: in {existing.__module__} "
                f"and in {cls.__module__}"
            )
        cls.plugin_name = name
        cls.plugin_platform = platform
        cls.plugin_meta = dict(meta)
        registry[name] = cls
        return cls

    return decorator


def load_plugins() -> None:
    """Import the built-in plugin modules and third-party entry points once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import squall.exporters as exporters
    import squall.platforms as platforms
    import squall.plugins as builtin

    for package in (builtin, platforms, exporters):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        ep.load()


def load_paths(paths: list[str]) -> list[str]:
    """Import plugin files: each path is a ``.py`` file or a folder of them (searched recursively).

    As Rally's ``--plugin-paths``: every folder searched is put on
    ``sys.path``, so a plugin file can import its neighbours, and files
    written against Rally's API (``from rally.task import scenario``) load
    through :mod:`squall.rally_api`. Returns the files imported; a file that
    fails to import is an InvalidArgumentsError naming it and the reason.
    """
    import hashlib
    import importlib.util
    from pathlib import Path

    from squall import rally_api

    load_plugins()
    rally_api.install()
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.py") if p.is_file()))
            for folder in sorted({str(p.parent.resolve()) for p in path.rglob("*.py")} | {str(path.resolve())}):
                if folder not in sys.path:
                    sys.path.append(folder)
        elif path.is_file():
            files.append(path)
        else:
            raise exceptions.InvalidArgumentsError(f"--plugin-paths: {raw} is neither a file nor a folder")
    for file in files:
        name = "squall_plugin_" + hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:12]
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(name, file)
        if spec is None or spec.loader is None:
            raise exceptions.InvalidArgumentsError(f"--plugin-paths: {file} is not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            raise exceptions.InvalidArgumentsError(
                f"--plugin-paths: {file} failed to load: {type(exc).__name__}: {exc}") from None
        _PATH_FILES.append(str(file.resolve()))
    return [str(f) for f in files]


def ready_for_plugin_files() -> None:
    """Load the built-in plugins and Rally's plugin API, as before importing ``--plugin-paths`` files (a Dask
    worker does, before it imports the files it was sent)."""
    from squall import rally_api

    load_plugins()
    rally_api.install()


def forget_module(module: str) -> None:
    """Unregister every plugin module ``module`` defined (before it is imported again, changed)."""
    for plugins in _REGISTRY.values():
        for name in [n for n, cls in plugins.items() if cls.__module__ == module]:
            del plugins[name]


def path_files() -> list[str]:
    """The plugin files ``--plugin-paths`` imported into this process, in the order they were imported."""
    return list(_PATH_FILES)


def get(kind: str, name: str) -> type[Plugin]:
    """The plugin class of ``kind`` called ``name``; PluginNotFoundError if none."""
    found = find(kind, name)
    if found is None:
        raise exceptions.PluginNotFoundError(kind=f"{kind} plugin", name=name)
    return found


def find(kind: str, name: str) -> type[Plugin] | None:
    """The plugin class, or None when there is no such plugin.

    Rally's ``NAME@PLATFORM`` spelling (``users@openstack``) finds ``NAME``
    when that plugin belongs to ``PLATFORM``.
    """
    load_plugins()
    registry = _REGISTRY.get(kind, {})
    found = registry.get(name)
    if found is None and "@" in name:
        base, _, platform = name.partition("@")
        candidate = registry.get(base)
        if candidate is not None and candidate.plugin_platform == platform:
            found = candidate
    return found


def names(kind: str) -> list[str]:
    """Sorted names of all plugins of one kind."""
    load_plugins()
    return sorted(_REGISTRY.get(kind, {}))


def all_plugins() -> list[type[Plugin]]:
    """Every registered plugin, sorted by kind and name."""
    load_plugins()
    return [
        _REGISTRY[kind][name] for kind in sorted(_REGISTRY) for name in sorted(_REGISTRY[kind])
    ]
