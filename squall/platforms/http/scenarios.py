"""HTTP scenarios with Rally's names and arguments, on squall's fast path or aiohttp.

The scenarios are coroutines, so one event loop per worker process carries
all of its concurrency without a thread per request. Arguments follow
``requests.request``. A request the fast path takes (:mod:`fastpath`: most
of them) goes over its kept-alive connections; any other (files, proxies,
stream, a client certificate, HEAD) over one aiohttp session per worker
process, with the arguments translated to aiohttp's.
"""

from __future__ import annotations

import random
from typing import Any

from squall.platforms.http import fastpath
from squall.platforms.http.connections import WORKER
from squall.plugin_api import atomic
from squall.plugin_api.scenario import Scenario, configure

CHECK_ACTION = "requests.check_request"
_PASSED_AS_IS = ("params", "data", "json", "headers", "cookies", "allow_redirects")
_FILE_ARGUMENTS = ("verify", "cert")
REQUEST_ARGUMENTS = frozenset((*_PASSED_AS_IS, *_FILE_ARGUMENTS, "timeout", "auth", "stream", "proxies", "files"))


def _ssl_context(verify: Any, cert: Any) -> Any:
    """requests' ``verify`` (bool or CA bundle path) and ``cert`` (path or (cert, key)) as an SSL context."""
    import ssl

    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif isinstance(verify, str):
        context = ssl.create_default_context(cafile=verify)
    else:
        context = ssl.create_default_context()
    if isinstance(cert, str):
        context.load_cert_chain(cert)
    elif isinstance(cert, list | tuple) and len(cert) == 2:
        context.load_cert_chain(cert[0], cert[1])
    return context


def _proxy(proxies: Any, url: str) -> str | None:
    if not isinstance(proxies, dict):
        raise ValueError("'proxies' must map a URL scheme to a proxy URL, as in requests")
    scheme = url.split(":", 1)[0].lower()
    return proxies.get(scheme) or proxies.get("all")


def _form(files: Any, data: Any) -> Any:
    """requests' ``files`` with inline content (a path would read this machine's files: refused)."""
    import aiohttp

    if not isinstance(files, dict):
        raise ValueError("'files' must map a field name to [filename, content] or [filename, content, type]")
    form = aiohttp.FormData(data if isinstance(data, dict) else ())
    for field, value in files.items():
        if isinstance(value, list | tuple) and len(value) in (2, 3):
            form.add_field(field, str(value[1]), filename=str(value[0]),
                           content_type=str(value[2]) if len(value) == 3 else None)
        else:
            raise ValueError(f"'files.{field}': give [filename, content]; a file path is not read")
    return form


def _translate(url: str, kwargs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``requests``-style keyword arguments as aiohttp ones, and whether the body is streamed (not read)."""
    import aiohttp

    out: dict[str, Any] = {}
    stream = False
    for key, value in kwargs.items():
        if key == "data" and "files" in kwargs:
            continue  # sent as fields of the multipart form
        if key in _PASSED_AS_IS:
            out[key] = value
        elif key == "timeout":
            total = value[0] + value[1] if isinstance(value, list | tuple) else value
            out["timeout"] = aiohttp.ClientTimeout(total=total)
        elif key == "auth":
            out["auth"] = aiohttp.BasicAuth(*value)
        elif key == "stream":
            stream = bool(value)
        elif key == "proxies":
            out["proxy"] = _proxy(value, url)
        elif key == "files":
            out["data"] = _form(value, kwargs.get("data"))
        elif key not in _FILE_ARGUMENTS:
            raise ValueError(f"unsupported HTTP request argument '{key}'")
    if "verify" in kwargs or "cert" in kwargs:
        out["ssl"] = _ssl_context(kwargs.get("verify", True), kwargs.get("cert"))
    return out, stream


def _host_files(request: dict[str, Any]) -> list[str]:
    found = [request["verify"]] if isinstance(request.get("verify"), str) else []
    cert = request.get("cert")
    found += [cert] if isinstance(cert, str) else [c for c in cert or [] if isinstance(c, str)]
    return found


def _targets(request: Any) -> list[str]:
    if not isinstance(request, dict):
        return []
    found = [str(request["url"])] if request.get("url") is not None else []
    proxies = request.get("proxies")
    return found + ([str(p) for p in proxies.values() if p] if isinstance(proxies, dict) else [])


def _status_error(expected: int, actual: int) -> ValueError:
    return ValueError(f"Expected HTTP request code is `{expected}` actual `{actual}`")


async def _fast_check(prepared: fastpath.Prepared, status_code: int) -> None:
    answer = await fastpath.send(WORKER.pool(), prepared)
    if answer.status != status_code:
        raise _status_error(status_code, answer.status)


class HttpScenario(Scenario):
    """Base of HTTP scenarios: a shared, kept-alive client session."""

    KNOWN_EXTRA_ARGUMENTS = REQUEST_ARGUMENTS

    @atomic.action_timer(CHECK_ACTION)
    async def _check_request(self, url: str, method: str, status_code: int, **kwargs: Any) -> None:
        prepared = fastpath.prepare(method, url, kwargs)
        if prepared is not None:
            await _fast_check(prepared, status_code)
            return
        session = WORKER.session()
        options, stream = _translate(url, kwargs)
        async with session.request(method, url, **options) as resp:
            if not stream:  # requests' stream=True: the body is not downloaded
                await resp.read()
            if resp.status != status_code:
                raise _status_error(status_code, resp.status)

    @classmethod
    async def close_worker_resources(cls) -> None:
        """Close this worker's connections when its load ends."""
        await WORKER.close()


@configure(name="HttpRequests.check_request")
class CheckRequest(HttpScenario):
    """Send one HTTP request and check its status code.

    Extra arguments are those of ``requests.request``: params, data, json,
    headers, cookies, files (inline content), auth, timeout, allow_redirects,
    proxies, verify (bool or CA bundle path), stream and cert.
    """

    @classmethod
    def host_files(cls, args: dict[str, Any]) -> list[str]:
        """The CA bundle and client certificate paths, read on this machine."""
        return _host_files(args)

    @classmethod
    def targets(cls, args: dict[str, Any]) -> list[str]:
        """The request's URL and its proxies."""
        return _targets(args)

    async def run(self, url: str, method: str, status_code: int, **kwargs: Any) -> None:
        await self._check_request(url, method, status_code, **kwargs)

    @classmethod
    def fast_iteration(cls, args: dict[str, Any]) -> atomic.CallbackStep | None:
        """The same request and check as :meth:`run`, as a callback step (what an iteration of a load at tens
        of thousands per second can afford), when the fast path sends it."""
        choice = _fast_choice(args, None)
        return _FastCheck([choice]) if choice is not None else None


def _fast_choice(request: Any, default_status: Any) -> tuple[fastpath.Prepared, int] | None:
    """A request (``url``, ``method``, ``status_code`` and requests' arguments) ready for the fast path with the
    status it must answer, or None when run() must send it (the full client, or an error to report)."""
    if not isinstance(request, dict):
        return None
    rest = {k: v for k, v in request.items() if k not in ("url", "method", "status_code")}
    status_code = request.get("status_code", default_status)
    try:
        prepared = fastpath.prepare(request["method"], request["url"], rest)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # run() reports what is wrong, as it always has
    if prepared is None or not isinstance(status_code, int):
        return None
    return prepared, status_code


class _FastCheck:
    """check_request's iteration as a :class:`~squall.plugin_api.atomic.CallbackStep`: one request on the fast path
    (picked at random when there are several), its status checked."""

    action = CHECK_ACTION

    def __init__(self, choices: list[tuple[fastpath.Prepared, int]]) -> None:
        self.choices = choices

    def start(self, done: atomic.StepDone) -> None:
        """Send the request; ``done`` learns whether the answer had the expected status."""
        choices = self.choices
        prepared, expected = choices[0] if len(choices) == 1 else random.choice(choices)

        def answered(response: fastpath.Response | None, exc: BaseException | None) -> None:
            if response is None:
                done(exc)
            elif response.status != expected:
                done(_status_error(expected, response.status))
            else:
                done(None)

        WORKER.pool().exchange_then(prepared, answered)


@configure(name="HttpRequests.check_random_request")
class CheckRandomRequest(HttpScenario):
    """Send one request picked at random from ``requests`` and check its status.

    Each item is a mapping with ``url``, ``method`` and optional
    ``status_code`` (default: the scenario's ``status_code``) plus request
    arguments.
    """

    @classmethod
    def host_files(cls, args: dict[str, Any]) -> list[str]:
        """The CA bundle and client certificate paths of every request, read on this machine."""
        return [path for request in args.get("requests") or [] if isinstance(request, dict)
                for path in _host_files(request)]

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """Each request of ``requests`` takes ``url``, ``method``, ``status_code`` and requests' arguments."""
        known = REQUEST_ARGUMENTS | {"url", "method", "status_code"}
        errors = []
        for number, request in enumerate(args.get("requests") or []):
            if not isinstance(request, dict):
                errors.append(f"{path}.requests[{number}]: must be a mapping with url and method")
                continue
            errors += [f"{path}.requests[{number}]: unexpected argument '{name}' for a request "
                       f"(allowed: {', '.join(sorted(known))})" for name in request if name not in known]
            errors += [f"{path}.requests[{number}]: missing '{name}'" for name in ("url", "method")
                       if name not in request]
        return errors

    @classmethod
    def targets(cls, args: dict[str, Any]) -> list[str]:
        """Every request's URL and proxies."""
        requests = args.get("requests")
        return [url for request in requests for url in _targets(request)] if isinstance(requests, list) else []

    async def run(self, requests: list[dict[str, Any]], status_code: int) -> None:
        request = dict(random.choice(requests))
        request.setdefault("status_code", status_code)
        await self._check_request(**request)

    @classmethod
    def fast_iteration(cls, args: dict[str, Any]) -> atomic.CallbackStep | None:
        """:meth:`run` as a callback step, when the fast path sends every one of the requests."""
        requests = args.get("requests")
        if not isinstance(requests, list) or not requests:
            return None
        choices = [_fast_choice(request, args.get("status_code")) for request in requests]
        if any(choice is None for choice in choices):
            return None
        return _FastCheck(choices)  # type: ignore[arg-type]
