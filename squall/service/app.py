"""The ASGI application: every API method at ``/api/v1/<group>/<method>``.

Routes are discovered from the API groups, and each method's
:class:`~squall.api.base.Transport` says what the service must check before
calling it; :func:`refusal` is the one place that checks it. Blocking calls
run in a thread pool; a method with a ``background`` variant (``task.start``)
is answered by that variant, which returns at once. Arguments are checked
against the method's signature before the call, so malformed requests get a
4xx JSON error, never a 500.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
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

from squall import bounded, exceptions
from squall.api import API
from squall.api.base import API_VERSION, Transport, discover_routes
from squall.service import history_routes, metrics_route, openapi, targets
from squall.service.guard import RequestGuard

PORTAL = Path(__file__).parent / "portal"
LOG = logging.getLogger("squall.service")
DEFAULT_MAX_BODY = 16 * 1024 * 1024


def _error(exc: exceptions.SquallError) -> JSONResponse:
    if type(exc) is exceptions.SquallError and exc.http_code >= 500:
        # An unexpected failure: its text may hold SQL or paths, so it stays in the service's log.
        LOG.error("internal error: %s", exc.message)
        exc = exceptions.SquallError("internal error in the squall service (its log has the details)")
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
    """What the service allows: auth, read-only, commands, admin calls, hosts, body size, load targets."""

    def __init__(self, token: str | None = None, read_only: bool = False, allow_exec: bool = False,
                 allow_admin: bool = False, host: str = "127.0.0.1", allowed_hosts: list[str] | None = None,
                 max_body: int = DEFAULT_MAX_BODY, allowed_targets: list[str] | None = None) -> None:
        self.token = token
        self.read_only = read_only
        self.allow_exec = allow_exec
        self.allow_admin = allow_admin
        self.host = host
        self.allowed_hosts = list(allowed_hosts or [])
        self.max_body = max_body
        self.allowed_targets = list(allowed_targets or [])

    @property
    def beyond_loopback(self) -> bool:
        """Whether the service is bound to an address other machines can reach."""
        if self.host == "localhost":
            return False
        try:
            return not ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return True


def refusal(api: API, cfg: ServiceConfig, route: dict[str, Any],
            kwargs: dict[str, Any]) -> exceptions.SquallError | None:
    """Why the service refuses this call, or None: the one check of every method's transport marks."""
    transport: Transport = route["transport"]
    name = f"{route['group']}.{route['name']}"
    if transport.admin and not cfg.allow_admin:
        return exceptions.ForbiddenError(f"{name} is an admin call: start the service with --allow-admin")
    if cfg.read_only:
        if transport.http_method != "GET":
            return exceptions.MethodNotAllowedError("this service is read-only: only GET methods work")
        if transport.remote:
            return exceptions.ForbiddenError(f"this service is read-only: {name} contacts nodes or clouds")
        if kwargs.get("include_secrets"):
            return exceptions.ForbiddenError("this service is read-only: secrets are not shown")
    if not cfg.allow_exec:
        reasons = transport.commands(api, kwargs)
        if reasons:
            return exceptions.ForbiddenError(
                "this service does not run commands (start it with --allow-exec): " + "; ".join(reasons))
    refused = targets.refusals(transport.targets(api, kwargs), cfg.allowed_targets, cfg.allow_exec,
                               cfg.beyond_loopback)
    if refused:
        return exceptions.ForbiddenError("this service does not load these targets: " + "; ".join(refused))
    return None


def _arguments_schema(handler: Any) -> dict[str, Any]:
    params = openapi.parameters(handler)
    return {"type": "object", "properties": {n: s for n, s, _ in params},
            "required": [n for n, _, req in params if req], "additionalProperties": False}


def _decode(raw: str | bytes, what: str) -> Any:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise exceptions.InvalidArgumentsError(f"{what} is not JSON: {exc}") from None
    try:
        bounded.check_finite(data, what)
    except bounded.DocumentError as exc:
        raise exceptions.InvalidArgumentsError(str(exc)) from None
    return data


async def _read_kwargs(request: Request, route: dict[str, Any]) -> dict[str, Any]:
    if route["method"] == "GET":
        kwargs: dict[str, Any] = {}
        for key, raw in request.query_params.items():
            try:
                kwargs[key] = _decode(raw, f"query parameter {key}")
            except exceptions.InvalidArgumentsError:
                kwargs[key] = raw  # a bare string
        return kwargs
    body = await request.body()
    if not body.strip():
        return {}
    data = _decode(body, "request body")
    if not isinstance(data, dict):
        raise exceptions.InvalidArgumentsError("request body must be a JSON object of keyword arguments")
    return data


def _bearer_check(token: str | None) -> Any:
    """A function telling whether a request carries the service's token (always true without one)."""
    expected = token.encode("utf-8") if token else None

    def authorised(request: Request) -> bool:
        if expected is None:
            return True
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode("latin-1"), expected)

    return authorised


def _api_endpoint(api: API, cfg: ServiceConfig, routes: list[dict[str, Any]], authorised: Any) -> Any:
    """The one endpoint of every API method: auth, method, arguments, the transport's refusals, the call."""
    by_path = {r["path"]: r for r in routes}
    schemas = {r["path"]: _arguments_schema(r["handler"]) for r in routes}

    async def call(request: Request) -> Response:
        route = by_path.get(request.url.path)
        if route is None:
            return _error(exceptions.NotFoundError(kind="API method", name=request.url.path))
        if not authorised(request):
            return _error(exceptions.UnauthorizedError("a valid 'Authorization: Bearer <token>' header is needed"))
        if request.method != route["method"]:
            return _error(exceptions.MethodNotAllowedError(
                f"{request.method} is not allowed on {route['path']}; use {route['method']}"))
        try:
            kwargs = await _read_kwargs(request, route)
            errors = sorted(jsonschema.Draft7Validator(schemas[route["path"]]).iter_errors(kwargs), key=str)
            if errors:
                where = "/".join(map(str, errors[0].absolute_path)) or "arguments"
                raise exceptions.InvalidArgumentsError(f"{where}: {errors[0].message}")
            refused = await run_in_threadpool(refusal, api, cfg, route, kwargs)
            if refused is not None:
                return _error(refused)
            handler = route["handler"]
            if route["transport"].background:
                handler = getattr(getattr(api, route["group"]), route["transport"].background)
            result = await run_in_threadpool(handler, **kwargs)
        except exceptions.SquallError as exc:
            return _error(exc)
        except Exception as exc:  # a bug: still a JSON answer, never a traceback
            return _error(exceptions.make_exception(exc))
        return _Result({"result": result})

    return call


def _history_endpoint(api: API, authorised: Any) -> Any:
    """The seed's read-only deployment history routes."""

    async def deployment_history(request: Request) -> Response:
        if not authorised(request):
            return _error(exceptions.UnauthorizedError("a valid 'Authorization: Bearer <token>' header is needed"))
        if request.method != "GET":
            return _error(exceptions.MethodNotAllowedError(
                f"{request.method} is not allowed: the deployment history is read-only"))
        try:
            return await history_routes.history(api, request)
        except exceptions.SquallError as exc:
            return _error(exc)

    return deployment_history


async def _not_found(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404:
        return _error(exceptions.NotFoundError(kind="path", name=request.url.path))
    if exc.status_code == 405:
        return _error(exceptions.MethodNotAllowedError(f"{request.method} is not allowed on {request.url.path}"))
    error = exceptions.SquallError(str(exc.detail)).to_dict()
    return JSONResponse({"error": {**error, "http_code": exc.status_code}}, status_code=exc.status_code)


def create_app(api: API, config: ServiceConfig | None = None) -> Any:
    """Build the application over ``api`` (a direct, database-backed API), behind its guard."""
    from starlette.staticfiles import StaticFiles

    cfg = config or ServiceConfig()
    routes = discover_routes(api)
    spec = openapi.document(routes)
    spec["paths"].update(history_routes.openapi_paths())
    authorised = _bearer_check(cfg.token)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def openapi_json(_: Request) -> Response:
        return JSONResponse(spec)

    async def portal(_: Request) -> Response:
        return FileResponse(PORTAL / "index.html")

    async def portal_redirect(_: Request) -> Response:
        return RedirectResponse("/")

    call = _api_endpoint(api, cfg, routes, authorised)
    history = _history_endpoint(api, authorised)
    app_routes = [Route("/", portal, methods=["GET"]), Route("/portal", portal_redirect, methods=["GET"]),
                  Mount("/portal", StaticFiles(directory=PORTAL), name="portal"),
                  Route("/health", health, methods=["GET"]),
                  Route("/metrics", metrics_route.metrics_endpoint(api, authorised, _error), methods=["GET"]),
                  Route(f"/api/v{API_VERSION}/openapi.json", openapi_json, methods=["GET"])]
    app_routes += [Route(path, history, methods=["GET"]) for path in history_routes.PATHS]
    app_routes += [Route(r["path"], call, methods=[r["method"]]) for r in routes]
    handlers: dict[Any, Any] = {HTTPException: _not_found}
    inner = Starlette(routes=app_routes, exception_handlers=handlers)
    return RequestGuard(inner, cfg.host, cfg.allowed_hosts, cfg.max_body, token=cfg.token,
                        route_check=route_check(app_routes))


def route_check(app_routes: list[Any]) -> Any:
    """The guard's check of path and method, by the application's own routes, before any body is read."""
    from starlette.routing import Match

    def check(scope: Any) -> Any:
        allowed: set[str] = set()
        for route in app_routes:
            match, _ = route.matches(scope)
            if match is Match.FULL and not isinstance(route, Mount):
                return None
            if isinstance(route, Mount) and match is not Match.NONE:
                allowed |= {"GET", "HEAD"}
            elif match is Match.PARTIAL:
                allowed |= set(route.methods or ())
        path = scope["path"]
        if not allowed:
            return 404, f"path '{path}' not found", {"kind": "path", "name": path}
        if scope["method"] in allowed:
            return None
        shown = " or ".join(sorted(allowed - {"HEAD"}))
        return 405, f"{scope['method']} is not allowed on {path}; use {shown}"

    return check
