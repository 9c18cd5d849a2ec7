"""An OpenAPI 3 document built from the API methods' signatures."""

from __future__ import annotations

import inspect
import types
import typing
from typing import Any

from squall import __version__


def _schema(annotation: Any) -> dict[str, Any]:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        schemas = [_schema(a) for a in args]
        if type(None) in typing.get_args(annotation):
            schemas.append({"type": "null"})
        return schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
    if annotation is str:
        return {"type": "string"}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is int:
        # Ids are 32-bit integers in PostgreSQL; larger values can name nothing.
        return {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
    if annotation is float:
        return {"type": "number"}
    if origin is list or annotation is list:
        return {"type": "array", "items": _schema(args[0]) if args else {}}
    if origin is dict or annotation is dict:
        return {"type": "object"}
    return {}


def parameters(handler: Any) -> list[tuple[str, dict[str, Any], bool]]:
    hints = typing.get_type_hints(handler)
    out = []
    for name, param in inspect.signature(handler).parameters.items():
        if name == "self" or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
            continue
        out.append((name, _schema(hints.get(name, Any)), param.default is param.empty))
    return out


_ERROR = {"description": "squall error", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "object", "properties": {
        "name": {"type": "string"}, "msg": {"type": "string"}, "kwargs": {"type": "object"},
        "http_code": {"type": "integer"}}}}}}}}


def document(routes: list[dict[str, Any]]) -> dict[str, Any]:
    """The OpenAPI document of every discovered route."""
    paths: dict[str, Any] = {}
    for route in routes:
        handler = route["handler"]
        params = parameters(handler)
        op: dict[str, Any] = {
            "operationId": f"{route['group']}_{route['name']}",
            "summary": (inspect.getdoc(handler) or "").split("\n")[0],
            "tags": [route["group"]],
            "responses": {"200": {"description": "result", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"result": {}}}}}},
                "400": _ERROR, "404": _ERROR, "409": _ERROR},
        }
        if route["method"] == "GET":
            # Each query value is JSON (a bare string is accepted too).
            op["parameters"] = [{"name": n, "in": "query", "required": req,
                                 "content": {"application/json": {"schema": s}}} for n, s, req in params]
        else:
            op["requestBody"] = {"required": any(req for _, _, req in params), "content": {"application/json": {
                "schema": {"type": "object", "properties": {n: s for n, s, _ in params},
                           "required": [n for n, _, req in params if req] or None,
                           "additionalProperties": False}}}}
            body = op["requestBody"]["content"]["application/json"]["schema"]
            if body["required"] is None:
                del body["required"]
        paths.setdefault(route["path"], {})[route["method"].lower()] = op
    return {"openapi": "3.1.0", "info": {"title": "squall API", "version": __version__}, "paths": paths}
