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


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", ["cli", "service"])
def test_cli_and_service_only_call_the_api(layer: str) -> None:
    forbidden = ("squall.storage", "squall.task", "sqlalchemy", "squall.exporters", "squall.plugins",
                 "squall.report")
    files = sorted((ROOT / layer).glob("*.py"))
    assert files
    for path in files:
        bad = [m for m in _imports(path) if m.startswith(forbidden)]
        assert not bad, f"{layer}/{path.name} imports {bad}: it must go through squall.api"
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
    assert ("POST", "/api/v1/task/import") in routes
    assert ("DELETE", "/api/v1/env/delete") in routes
    assert len(routes) == len(discover_routes(api))
