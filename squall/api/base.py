"""The API's building blocks: groups of methods, each marked with its route.

Every public method of an :class:`APIGroup` is wrapped by :func:`api_method`,
which refuses positional arguments, turns unknown exceptions into
:class:`~squall.exceptions.SquallError`, and records the HTTP method and path
(``/api/v1/<group>/<method>``) the service will expose it at.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from squall import exceptions, utils

if TYPE_CHECKING:
    from squall.api import API

API_VERSION = 1
F = TypeVar("F", bound=Callable[..., Any])
#: Decides, from the API and a call's keyword arguments, what commands the call
#: would run: one line per command source ("hook sys_call at ..."), or none.
CommandCheck = Callable[["API", dict[str, Any]], list[str]]
LoadCheck = Callable[["API", dict[str, Any]], list[tuple[str, str]]]


@dataclasses.dataclass(frozen=True)
class Transport:
    """What the service must know about an API method before it lets a client call it.

    ``runs_commands`` is True (always), False (never) or a :data:`CommandCheck`;
    ``admin`` calls need the service's ``--allow-admin``; ``remote`` calls
    contact nodes or clouds (refused by a read-only service); ``background``
    names the method the service calls instead, so that a long call returns
    at once; ``loads`` lists the URLs a call would send load to (the service
    checks them against its ``--allowed-target`` rule).
    """

    http_method: str
    path: str
    runs_commands: bool | CommandCheck
    admin: bool = False
    remote: bool = False
    background: str | None = None
    loads: LoadCheck | None = None

    def targets(self, api: API, kwargs: dict[str, Any]) -> list[tuple[str, str]]:
        """The URLs this call would send load to, each with its place in the task file."""
        return self.loads(api, kwargs) if self.loads is not None else []

    def commands(self, api: API, kwargs: dict[str, Any]) -> list[str]:
        """What this call would run, given its arguments (empty: nothing)."""
        if callable(self.runs_commands):
            return self.runs_commands(api, kwargs)
        return ["this call runs commands"] if self.runs_commands else []


def api_method(http_method: str = "GET", path: str | None = None, *, runs_commands: bool | CommandCheck,
               admin: bool = False, remote: bool = False, background: str | None = None,
               loads: LoadCheck | None = None) -> Callable[[F], F]:
    """Mark a group method as an API call reachable at ``<group>/<path>``.

    Every method says whether it can run commands on the host or a node
    (``runs_commands`` has no default, so a new method cannot forget it).
    """

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def inner(self: APIGroup, *args: Any, **kwargs: Any) -> Any:
            if args:
                raise TypeError(f"{self.group_name}.{func.__name__}() takes keyword arguments only")
            remote = self.api.remote
            if remote is not None:
                path = f"/api/v{API_VERSION}/{self.group_name}/{inner.http_path}"  # type: ignore[attr-defined]
                return remote.call(http_method, path, kwargs)
            try:
                return func(self, **kwargs)
            except exceptions.SquallError:
                raise
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:
                raise exceptions.make_exception(exc) from exc

        inner.http_method = http_method  # type: ignore[attr-defined]
        inner.http_path = path or func.__name__  # type: ignore[attr-defined]
        inner.transport = Transport(http_method, path or func.__name__, runs_commands,  # type: ignore[attr-defined]
                                    admin, remote, background, loads)
        return inner  # type: ignore[return-value]

    return decorator


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as the API returns it: without its database id, timestamps as ISO text."""
    out = {k: v for k, v in row.items() if k != "id"}
    for key in ("created_at", "updated_at"):
        if key in out:
            out[key] = utils.iso(out[key])
    return out


class APIGroup:
    """A named group of API methods sharing the :class:`~squall.api.API`."""

    group_name = ""

    def __init__(self, api: API) -> None:
        self.api = api

    @property
    def db(self) -> Any:
        """The results database of this API."""
        return self.api.database


def discover_routes(api: API) -> list[dict[str, Any]]:
    """Every API method as ``{path, method, group, name, handler}``."""
    routes = []
    for group in api.groups():
        for name in dir(type(group)):
            if name.startswith("_"):
                continue
            handler = getattr(group, name)
            if callable(handler) and hasattr(handler, "http_method"):
                routes.append({
                    "path": f"/api/v{API_VERSION}/{group.group_name}/{handler.http_path}",
                    "method": handler.http_method,
                    "group": group.group_name,
                    "name": name,
                    "handler": handler,
                    "transport": handler.transport,
                })
    return routes
