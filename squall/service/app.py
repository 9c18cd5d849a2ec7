"""The ASGI application: every API method at ``/api/v1/<group>/<method>``.

Routes are discovered from the API groups. Blocking calls run in a thread
pool; ``task.start`` becomes ``task.launch`` (the task runs in a process of
its own and the call returns at once). Arguments are checked against the
method's signature before the call, so malformed requests get a 4xx JSON
error, never a 500.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Any

import jsonschema
import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from squall import exceptions
from squall.api import API
from squall.api.base import API_VERSION, discover_routes
from squall.service import openapi

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
PORTAL = Path(__file__).parent / "portal"


def _history_csv(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    columns = ["id", "deployment_task_id", "task_id", "node_id", "task_name", "time_start", "time_end", "status",
               "summary"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "summary": json.dumps(row.get("summary"), sort_keys=True)})
    return buffer.getvalue()


def _error(exc: exceptions.SquallError) -> JSONResponse:
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.http_code)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


class _Result(JSONResponse):
    def render(self, content: Any) -> bytes:
        # orjson: a listing of thousands of history rows encodes in a few ms instead of tens.
        return orjson.dumps(content, default=_json_default, option=orjson.OPT_NON_STR_KEYS)


class ServiceConfig:
    """How the service behaves: auth, read-only, commands."""

    def __init__(self, token: str | None = None, read_only: bool = False, allow_exec: bool = False) -> None:
        self.token = token
        self.read_only = read_only
        self.allow_exec = allow_exec


def _arguments_schema(handler: Any) -> dict[str, Any]:
    params = openapi._parameters(handler)
    return {"type": "object", "properties": {n: s for n, s, _ in params},
            "required": [n for n, _, req in params if req], "additionalProperties": False}


def create_app(api: API, config: ServiceConfig | None = None) -> Starlette:
    """Build the application over ``api`` (a direct, database-backed API)."""
    cfg = config or ServiceConfig()
    routes = discover_routes(api)
    spec = openapi.document(routes)
    by_path = {r["path"]: r for r in routes}
    schemas = {r["path"]: _arguments_schema(r["handler"]) for r in routes}

    def authorised(request: Request) -> bool:
        if not cfg.token:
            return True
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), cfg.token)

    async def read_kwargs(request: Request, route: dict[str, Any]) -> dict[str, Any]:
        if route["method"] == "GET":
            kwargs: dict[str, Any] = {}
            for key, raw in request.query_params.items():
                try:
                    kwargs[key] = json.loads(raw)
                except ValueError:
                    kwargs[key] = raw
            return kwargs
        body = await request.body()
        if not body.strip():
            return {}
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise exceptions.InvalidArgumentsError(f"request body is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise exceptions.InvalidArgumentsError("request body must be a JSON object of keyword arguments")
        return data

    async def call(request: Request) -> Response:
        route = by_path.get(request.url.path)
        if route is None:
            return _error(exceptions.NotFoundError(kind="API method", name=request.url.path))
        if not authorised(request):
            return _error(exceptions.UnauthorizedError("a valid 'Authorization: Bearer <token>' header is needed"))
        if request.method != route["method"]:
            return _error(exceptions.MethodNotAllowedError(
                f"{request.method} is not allowed on {route['path']}; use {route['method']}"))
        if cfg.read_only and route["method"] != "GET":
            return _error(exceptions.MethodNotAllowedError("this service is read-only: only GET methods work"))
        try:
            kwargs = await read_kwargs(request, route)
            errors = sorted(jsonschema.Draft7Validator(schemas[route["path"]]).iter_errors(kwargs), key=str)
            if errors:
                where = "/".join(map(str, errors[0].absolute_path)) or "arguments"
                raise exceptions.InvalidArgumentsError(f"{where}: {errors[0].message}")
            handler = route["handler"]
            if (route["group"], route["name"]) == ("task", "start"):
                handler = api.task.launch
            if (route["group"], route["name"]) == ("task", "create"):
                kwargs["allow_exec"] = cfg.allow_exec
            result = await run_in_threadpool(handler, **kwargs)
        except exceptions.SquallError as exc:
            return _error(exc)
        except Exception as exc:  # a bug: still a JSON answer, never a traceback
            return _error(exceptions.make_exception(exc))
        return _Result({"result": result})

    async def deployment_history(request: Request) -> Response:
        """The seed's REST view: GET /api/tasks/{task_id}/deployment_tasks (or /tasks_history)."""
        if not authorised(request):
            return _error(exceptions.UnauthorizedError("a valid 'Authorization: Bearer <token>' header is needed"))
        if request.method != "GET":
            return _error(exceptions.MethodNotAllowedError(
                f"{request.method} is not allowed: the deployment history is read-only"))
        try:
            try:
                run_id = int(request.path_params["task_id"])
                nodes = [int(n) for n in request.query_params.get("nodes", "").split(",") if n.strip()]
            except ValueError:
                raise exceptions.InvalidArgumentsError("task id and node ids are integers") from None
            split = lambda name: [v for v in request.query_params.get(name, "").split(",") if v]  # noqa: E731
            as_csv = "text/csv" in request.headers.get("accept", "")
            query: dict[str, Any] = {"task_id": run_id, "nodes": nodes or None,
                                     "statuses": split("statuses") or None,
                                     "task_names": split("task_names") or None}
            if as_csv:
                rows = await run_in_threadpool(api.deployment.history, **query)
                return Response(_history_csv(rows), media_type="text/csv")
            # The JSON text as the database built it, served without decoding.
            return Response(await run_in_threadpool(api.deployment.history_json, **query),
                            media_type="application/json")
        except exceptions.SquallError as exc:
            return _error(exc)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def openapi_json(_: Request) -> Response:
        return JSONResponse(spec)

    async def not_found(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return _error(exceptions.NotFoundError(kind="path", name=request.url.path))
        if exc.status_code == 405:
            return _error(exceptions.MethodNotAllowedError(f"{request.method} is not allowed on {request.url.path}"))
        error = exceptions.SquallError(str(exc.detail)).to_dict()
        return JSONResponse({"error": {**error, "http_code": exc.status_code}}, status_code=exc.status_code)

    async def portal(_: Request) -> Response:
        return FileResponse(PORTAL / "index.html")

    async def portal_redirect(_: Request) -> Response:
        return RedirectResponse("/")

    app_routes = [Route("/", portal, methods=["GET"]), Route("/portal", portal_redirect, methods=["GET"]),
                  Mount("/portal", StaticFiles(directory=PORTAL), name="portal"),
                  Route("/health", health, methods=["GET"]),
                  Route("/api/tasks/{task_id}/deployment_tasks", deployment_history, methods=ALL_METHODS),
                  Route("/api/tasks/{task_id}/tasks_history", deployment_history, methods=ALL_METHODS),
                  Route(f"/api/v{API_VERSION}/openapi.json", openapi_json, methods=["GET"])]
    app_routes += [Route(path, call, methods=ALL_METHODS) for path in by_path]
    handlers: dict[Any, Any] = {HTTPException: not_found}
    return Starlette(routes=app_routes, exception_handlers=handlers)
