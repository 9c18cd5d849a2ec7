"""A journey step made ready once per worker: its name, its checks' names, and its requests built once per set of
the values they use.

A step's request depends only on the variables its templates name and on the
user's cookies, so each plan keeps the requests it built under those values
(bounded): an iteration that meets the same values again sends the same bytes
without rendering, joining or building anything. Both ways an iteration runs
(the scenario's coroutine and the callback chain) use the same plans.
"""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from squall.platforms.http import fastpath, journey_steps
from squall.platforms.http.journey_feed import row_for
from squall.platforms.http.journey_steps import StepFailed
from squall.plugin_api.scenario import VirtualUser

#: The request arguments a step may carry, and the name the fast path gives each.
REQUEST_KEYS = (("headers", "headers"), ("params", "params"), ("json", "json"), ("form", "data"), ("body", "data"),
                ("timeout", "timeout"), ("allow_redirects", "allow_redirects"))
_KEPT_REQUESTS = 256  # per step: a variable that takes a new value each time (an id) must not grow it for ever
_KEPT_BYTES = 65536  # a larger request is built anew each time: the plan keeps no big bodies


def step_name(step: dict[str, Any]) -> str:
    """A step's statistics row: its ``name``, or its method and the URL's path (``GET /items/${id}``)."""
    if step.get("name"):
        return str(step["name"])
    url = str(step["url"])
    if url.startswith("${"):
        path = url.split("}", 1)[1] or "/"
    else:
        path = urlsplit(url).path or "/" if "://" in url else url
    return f"{str(step.get('method', 'GET')).upper()} {path}"


def start_user(user: VirtualUser, args: dict[str, Any]) -> dict[str, Any]:
    """Give a user that has not started yet its data (the journey's variables, its feed row and ``base_url``; an
    empty cookie jar) and return its variables, the scope its ``on_start`` runs in."""
    variables = {**(args.get("variables") or {}), **row_for(args.get("feed"), user.number)}
    if args.get("base_url") is not None:
        variables["base_url"] = args["base_url"]
    user.data = {"variables": variables, "cookies": {}}
    return variables


def user_scope(user: VirtualUser, iteration: int | None = None) -> dict[str, Any]:
    """The variables a started user's steps run with: an iteration's (with ``iteration``) or its stop's."""
    scope = {**user.data["variables"], "user": user.number}
    if iteration is not None:
        scope["iteration"] = iteration
    return scope


def chosen(step: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of one option of a ``choose`` step, picked at random by weight."""
    options = step["choose"]
    return list(random.choices(options, weights=[o.get("weight", 1) for o in options])[0]["steps"])


class StepPlan:
    """One request step of a journey, as a worker sends and judges it."""

    __slots__ = ("step", "name", "method", "check", "check_names", "check_templated", "extract", "think",
                 "_base", "_prefix", "_variables", "_requests")

    def __init__(self, step: dict[str, Any], base_url: str | None) -> None:
        self.step = step
        self.name = step_name(step)
        self.method = str(step.get("method", "GET")).upper()
        self.check: dict[str, Any] = step.get("check") or {}
        self.check_names = journey_steps.check_names(self.name, self.check) if self.check else []
        self.check_templated = bool(journey_steps.variables_in(self.check))
        self.extract: dict[str, dict[str, Any]] = step.get("extract") or {}
        think = step.get("think_time")
        self.think: tuple[float, ...] | None = (tuple(think) if isinstance(think, list) else (think,)) \
            if think else None
        self._base = base_url
        self._prefix = _join_prefix(base_url)
        used = [step["url"], step.get("cookies") or {}, *(step[key] for key, _ in REQUEST_KEYS if key in step)]
        self._variables = tuple(sorted(journey_steps.variables_in(used)))
        self._requests: dict[tuple[Any, ...], fastpath.Prepared] = {}

    def request(self, scope: dict[str, Any], cookies: dict[str, str]) -> fastpath.Prepared:
        """The step's request with ``scope``'s values and the user's ``cookies``; StepFailed when a variable
        is not set or the fast path cannot send it."""
        try:
            # The type too: 1, 1.0 and True are equal keys, but not the same JSON.
            values = [scope.get(name, StepFailed) for name in self._variables]
            key = (*values, *map(type, values), *cookies.items())
            kept = self._requests.get(key)
        except TypeError:  # a value that cannot be a key (a list taken from an answer): built each time
            key, kept = None, None
        if kept is not None:
            return kept
        method, url, kwargs = self._parts(scope, cookies)
        prepared = fastpath.prepare(method, url, kwargs)
        if prepared is None:
            raise StepFailed(f"step '{self.name}': squall's HTTP client cannot send {method} {url}")
        if key is not None and len(self._requests) < _KEPT_REQUESTS and len(prepared.raw) <= _KEPT_BYTES:
            self._requests[key] = prepared
        return prepared

    def rules(self, scope: dict[str, Any]) -> dict[str, Any]:
        """The step's checks with ``scope``'s values."""
        return journey_steps.render(self.check, scope, self.name) if self.check_templated else self.check

    def _parts(self, scope: dict[str, Any], cookies: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
        render, step, name = journey_steps.render, self.step, self.name
        url = str(render(step["url"], scope, name))
        if self._base is not None and "://" not in url:
            url = _joined(self._base, self._prefix, url)
        kwargs: dict[str, Any] = {as_key: render(step[key], scope, name) for key, as_key in REQUEST_KEYS
                                  if key in step}
        sent_cookies = {**cookies, **render(step.get("cookies") or {}, scope, name)}
        if sent_cookies:
            kwargs["cookies"] = sent_cookies
        return self.method, url, kwargs


def _join_prefix(base_url: str | None) -> str | None:
    """What a plain relative path is appended to under ``base_url``, when appending gives what urljoin would."""
    if base_url is None:
        return None
    prefix = base_url.rstrip("/") + "/"
    return prefix if urljoin(prefix, "a/b") == prefix + "a/b" else None


def _joined(base_url: str, prefix: str | None, url: str) -> str:
    """``url`` (not absolute) under ``base_url``, leading slashes ignored, as urljoin resolves it."""
    relative = url.lstrip("/")
    path, mark, query = relative.partition("?")
    # Appending is urljoin's answer for a plain path (no dot segment, empty segment, scheme, params or blank) and
    # a non-empty query without a fragment; anything else is urljoin's to resolve.
    if prefix is None or _PLAIN_PATH.fullmatch(path) is None or (mark and not _PLAIN_QUERY.fullmatch(query)):
        return urljoin(base_url.rstrip("/") + "/", relative)
    return prefix + relative


_SEGMENT = r"[^\s\x00-\x1f/?#;:.][^\s\x00-\x1f/?#;:]*"
_PLAIN_PATH = re.compile(rf"(?:{_SEGMENT}/)*(?:{_SEGMENT})?")
_PLAIN_QUERY = re.compile(r"[^\s\x00-\x1f#]+")


_PLANS: dict[int, tuple[dict[str, Any], str | None, StepPlan]] = {}
_MAX_PLANS = 4096


def plan_for(step: dict[str, Any], base_url: str | None) -> StepPlan:
    """The plan of a request step, made once per step (its dict lives as long as the worker's arguments)."""
    known = _PLANS.get(id(step))
    if known is None or known[0] is not step or known[1] != base_url:
        if len(_PLANS) >= _MAX_PLANS:  # a long-lived (Dask) worker's earlier workloads
            _PLANS.clear()
        known = _PLANS[id(step)] = (step, base_url, StepPlan(step, base_url))
    return known[2]
