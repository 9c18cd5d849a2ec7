"""Rally's plugin API, enough of it that Rally plugin files load unchanged.

A plugin file written for Rally imports ``rally.task.scenario``,
``rally.task.atomic`` and friends. When Rally itself is not installed,
:func:`install` makes those names refer to the small modules of this package,
whose classes are squall's own (a Rally ``Scenario`` *is* a squall scenario),
so ``--plugin-paths`` can load such files. A ``rally.*`` module this package
does not provide fails to import with a message that lists the ones it does.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence

# Rally's module name -> the module of this package that stands in for it.
MODULES = {
    "rally.consts": "squall.rally_api.consts",
    "rally.exceptions": "squall.rally_api.exceptions",
    "rally.common.logging": "squall.rally_api.logging",
    "rally.common.utils": "squall.rally_api.utils",
    "rally.task.atomic": "squall.rally_api.atomic",
    "rally.task.context": "squall.rally_api.context",
    "rally.task.scenario": "squall.rally_api.scenario",
    "rally.task.validation": "squall.rally_api.validation",
}
PACKAGES = ("rally", "rally.common", "rally.task")


class _UnknownRallyModule(importlib.abc.MetaPathFinder):
    """Turns ``import rally.<not provided>`` into a precise error."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] != "rally" or fullname in sys.modules:
            return None
        provided = ", ".join(sorted(MODULES))
        raise ModuleNotFoundError(
            f"{fullname} is not part of the Rally API squall provides (it has: {provided})", name=fullname)


def install() -> bool:
    """Provide ``rally.*`` from this package unless a real Rally is importable; True if done."""
    if "rally" in sys.modules:
        return getattr(sys.modules["rally"], "__squall__", False)
    if importlib.util.find_spec("rally") is not None:
        return False
    for name in PACKAGES:
        package = types.ModuleType(name, f"squall's stand-in for Rally's {name} package")
        package.__path__ = []
        package.__squall__ = True  # type: ignore[attr-defined]
        sys.modules[name] = package
    for name, target in MODULES.items():
        module = importlib.import_module(target)
        sys.modules[name] = module
        parent, _, leaf = name.rpartition(".")
        setattr(sys.modules[parent], leaf, module)
    sys.meta_path.append(_UnknownRallyModule())
    return True
