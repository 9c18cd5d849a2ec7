"""Scenario plugins on Dask workers: the files ``--plugin-paths`` imported here are shipped to every worker and
imported there, and a worker whose plugin is not the same code as here is refused before the load starts."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

from squall import exceptions, registry


def ship_plugin_files(client: Any, workers: list[str]) -> None:
    """Upload the ``--plugin-paths`` files to every worker (Dask's ``upload_file``: their content, not their
    path) and import them there, in this process's order; a file that fails to import on a worker is refused
    with the worker's reason."""
    files = [Path(f) for f in registry.path_files()]
    if not files:
        return
    names: dict[str, Path] = {}
    for file in files:
        if file.name in names:
            raise exceptions.InvalidArgumentsError(
                f"--plugin-paths: {names[file.name]} and {file} have the same name, and a Dask worker keeps "
                "uploaded files by name: rename one to run on Dask")
        names[file.name] = file
    for file in files:
        client.upload_file(str(file), load=False)
    failed = {addr: why for addr, why in client.run(import_uploaded, [f.stem for f in files],
                                                     workers=workers).items() if why}
    if failed:
        listed = "; ".join(f"{addr}: {why}" for addr, why in sorted(failed.items()))
        raise exceptions.InvalidArgumentsError(f"the --plugin-paths files do not import on Dask workers: {listed}")


def import_uploaded(stems: list[str]) -> str:
    """On a worker: import (or import again, when changed) the uploaded plugin modules; '' or why not."""
    registry.ready_for_plugin_files()
    for stem in stems:
        try:
            module = sys.modules.get(stem)
            if module is None:
                importlib.import_module(stem)
            elif Path(module.__file__ or "").read_bytes() != getattr(module, "_squall_source", None):
                registry.forget_module(stem)  # sent again, changed: its plugins are defined anew
                importlib.reload(module)
            module = sys.modules[stem]
            module._squall_source = Path(module.__file__ or "").read_bytes()  # type: ignore[attr-defined]
        except Exception as exc:  # the worker's reason, reported by squall's process
            return f"{stem}.py: {type(exc).__name__}: {exc}"
    return ""


def plugin_fingerprint(kind: str, name: str) -> str:
    """A short hash of the source of the module that defines plugin ``name`` ("missing" when there is none
    here): two machines with the same fingerprint run the same scenario code."""
    import sys

    from squall import registry

    found = registry.find(kind, name)
    if found is None:
        return "missing"
    try:
        source = inspect.getsource(sys.modules[found.__module__])
    except (OSError, TypeError, KeyError):
        source = f"{found.__module__}.{found.__qualname__}"
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def check_plugin(client: Any, workers: list[str], scenario: str) -> None:
    """Refuse workers whose scenario plugin is missing or not the same code as here."""
    mine = plugin_fingerprint("scenario", scenario)
    theirs = client.run(plugin_fingerprint, "scenario", scenario, workers=workers)
    wrong = {addr: fp for addr, fp in theirs.items() if fp != mine}
    if wrong:
        listed = ", ".join(f"{addr} has {'none' if fp == 'missing' else 'version ' + fp}"
                           for addr, fp in sorted(wrong.items()))
        raise exceptions.InvalidArgumentsError(
            f"Dask workers do not run this scenario plugin {scenario} (version {mine} here): {listed}; install "
            "the same squall and plugins on every worker")
