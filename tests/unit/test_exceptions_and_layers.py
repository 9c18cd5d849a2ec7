"""Exceptions round-trip; the CLI never touches the database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from squall import exceptions
from squall.api import API
from squall.api.base import discover_routes

ROOT = Path(__file__).resolve().parents[2] / "squall"


@pytest.mark.parametrize("cls", sorted(exceptions.SquallError.subclasses().values(), key=lambda c: c.__name__))
def test_every_exception_round_trips(cls: type[exceptions.SquallError]) -> None:
    if cls is exceptions.InvalidTaskError:
        original = cls(["a: bad", "b: worse"])
    elif issubclass(cls, exceptions.NotFoundError):
        original = cls(kind="task", name="abc")
    elif cls is exceptions.ThreadTimeoutException:
        original = cls(timeout=1.5)
    else:
        original = cls("something happened")
    rebuilt = exceptions.SquallError.from_dict(original.to_dict())
    assert type(rebuilt) is cls
    assert rebuilt.message == original.message
    assert rebuilt.http_code == original.http_code
    assert rebuilt.kwargs == original.kwargs


def test_unknown_exception_becomes_the_root_error() -> None:
    err = exceptions.make_exception(KeyError("x"))
    assert type(err) is exceptions.SquallError and "KeyError" in err.message


# What each part of squall may import from the others, searched in every module of the part.
# cli/service -> api -> domain (task, deploy, env, report, exporters) -> plugins -> storage.
# Plugins build on the bases of squall.plugin_api (scenario, context, SLA, hook, trigger, runner, atomic
# timers), never on squall's engine (squall.task), which builds on them too.
LEAVES = {"exceptions", "utils", "bounded", "naming", "schema", "results", "__version__"}
ALLOWED_IMPORTS: dict[str, set[str]] = {
    "cli": {"api", "service", "exceptions", "bounded", "__version__"},
    "service": {"api", "exceptions", "bounded", "__version__"},
    "api": LEAVES | {"task", "deploy", "env", "report", "exporters", "importer", "registry", "storage", "platforms",
                     "verify", "plugin_api"},
    "task": LEAVES | {"env", "registry", "storage", "deploy", "plugin_api"},
    "deploy": LEAVES | {"storage", "platforms"},  # graphs run on nodes reached through the nodes platform
    "env": LEAVES | {"registry"},
    "report": LEAVES | {"storage"},
    "exporters": LEAVES | {"task", "registry", "plugin_api"},  # exporter plugins: they read through a reader
    "importer": LEAVES | {"storage", "exporters", "import_shape", "task"},  # reads what the exporters write;
    # task: an import interrupted is found by the lifecycle's crash detection
    "import_shape": LEAVES,
    "registry": LEAVES | {"plugins", "platforms", "rally_api", "exporters"},  # the built-in plugins it loads
    "plugin_api": LEAVES | {"registry"},
    "plugins": LEAVES | {"registry", "plugin_api", "deploy", "env", "verify"},
    "rally_api": LEAVES | {"registry", "plugin_api"},
    "platforms": LEAVES | {"registry", "plugin_api", "env", "deploy", "verify"},  # the tempest verifier
    "verify": LEAVES | {"registry", "storage"},
    "storage": {"exceptions", "utils", "results"},
    "bounded": {"exceptions"},
    "schema": set(),
    "naming": set(),
    "utils": set(),
    "results": set(),
    "exceptions": set(),
}


# Modules allowed one more part, each with its reason (to be removed, not added to).
EXCEPTIONS: dict[str, set[str]] = {
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "squall":  # from squall import x
                names.update(f"squall.{a.name}" for a in node.names)
    return names


def _part(path: Path) -> str:
    rel = path.relative_to(ROOT).parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def test_every_part_imports_only_what_its_layer_allows() -> None:
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 100
    for path in modules:
        part = _part(path)
        if part == "__init__":
            continue
        assert part in ALLOWED_IMPORTS, f"squall/{part} is new: add it to ALLOWED_IMPORTS with what it may import"
        used = {m.split(".")[1] for m in _imports(path) if m.startswith("squall.")} - {part}
        bad = used - ALLOWED_IMPORTS[part] - EXCEPTIONS.get(str(path.relative_to(ROOT)), set())
        assert not bad, f"{path.relative_to(ROOT.parent)} imports squall.{sorted(bad)}, which squall/{part} may not"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, known: set[str]) -> set[str]:
    """The squall modules a module imports, at its top or inside a function (not under TYPE_CHECKING)."""
    found = set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = [ast.Pass()]  # before its children are visited: walk() queues them when it yields
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found & known


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = [stack.pop()]
            while group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_module_imports_itself_through_others() -> None:
    """No import cycle between squall's modules, deferred imports (inside functions) included: a cycle is two
    concepts that should be one, or one that should be split."""
    paths = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph = {name: _runtime_imports(path, set(paths)) - {name} for name, path in paths.items()}
    assert _cycles(graph) == []
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]  # the check sees one


# Inside squall/task, one folder per concept, each importing only the ones below it: the engine (squall's
# process while a task runs) drives the load and reads task files and results; the load (worker side) builds
# results; task files and results import none of the others. The local and Dask executors share the local
# workers (a Dask shard runs them), never the other way round.
TASK_PARTS: dict[str, set[str]] = {
    "engine": {"load", "results", "taskfile"},
    "load": {"results", "load.local", "load.dask"},  # executors.py builds the executor a spec names
    "results": set(),
    "taskfile": set(),
    "load.local": {"load", "results"},
    "load.dask": {"load", "load.local", "results"},
}


def _task_part(module: str) -> str | None:
    parts = module.split(".")[2:4]  # squall.task.<part>[.<sub>]
    if not parts:
        return None
    deeper = ".".join(parts)
    return deeper if deeper in TASK_PARTS else parts[0]


def test_task_folders_import_only_the_concepts_below_them() -> None:
    modules = sorted((ROOT / "task").rglob("*.py"))
    assert {p.parent.name for p in modules} >= {"engine", "load", "local", "dask", "results", "taskfile"}
    for path in modules:
        part = _task_part(_module_name(path))
        if part is None:
            continue
        assert part in TASK_PARTS, f"squall/task/{part} is new: add it to TASK_PARTS with what it may import"
        used = {_task_part(m) for m in _imports(path) if m.startswith("squall.task.")} - {part, None}
        bad = used - TASK_PARTS[part]
        assert not bad, f"{path.relative_to(ROOT.parent)} imports squall.task.{sorted(bad)}, which {part} may not"


@pytest.mark.parametrize("layer", ["cli", "service"])
def test_cli_and_service_never_reach_the_database(layer: str) -> None:
    for path in sorted((ROOT / layer).rglob("*.py")):
        assert "sqlalchemy" not in _imports(path), f"{path} imports sqlalchemy"
        assert ".database" not in path.read_text(), f"{layer}/{path.name} reaches for the database"


def test_storage_is_the_only_layer_with_sql() -> None:
    for path in sorted(ROOT.rglob("*.py")):
        if "storage" in path.parts:
            continue
        assert not [m for m in _imports(path) if m.startswith("sqlalchemy")], f"{path} imports sqlalchemy"


def test_api_methods_refuse_positional_arguments(api: API) -> None:
    with pytest.raises(TypeError, match="keyword arguments only"):
        api.task.get("abc")  # type: ignore[misc]


def test_every_api_method_has_a_route(api: API) -> None:
    routes = {(r["method"], r["path"]) for r in discover_routes(api)}
    assert ("POST", "/api/v1/task/start") in routes
    assert ("GET", "/api/v1/task/list") in routes
    assert ("POST", "/api/v1/results/import") in routes
    assert ("DELETE", "/api/v1/env/delete") in routes
    assert len(routes) == len(discover_routes(api))
