"""HTTP scenarios with Rally's names and arguments, on aiohttp.

One client session per worker process keeps connections alive across
iterations; the scenarios are coroutines, so one event loop per worker process
carries all of its concurrency without a thread per request. Arguments follow
``requests.request``; the common ones are translated to aiohttp's.
"""

from __future__ import annotations

import random
from typing import Any

from squall.task import atomic
from squall.task.scenario import Scenario, configure

_session: Any = None


def _client_session() -> Any:
    global _session
    if _session is None or _session.closed:
        import aiohttp

        _session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=300))
    return _session


def _translate(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``requests``-style keyword arguments as aiohttp ones."""
    import aiohttp

    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key in ("params", "data", "json", "headers", "cookies", "allow_redirects"):
            out[key] = value
        elif key == "timeout":
            total = value[0] + value[1] if isinstance(value, (list, tuple)) else value
            out["timeout"] = aiohttp.ClientTimeout(total=total)
        elif key == "verify":
            if value is False:
                out["ssl"] = False
        elif key == "auth":
            out["auth"] = aiohttp.BasicAuth(*value)
        else:
            raise ValueError(f"unsupported HTTP request argument '{key}'")
    return out


class HttpScenario(Scenario):
    """Base of HTTP scenarios: a shared, kept-alive client session."""

    @atomic.action_timer("requests.check_request")
    async def _check_request(self, url: str, method: str, status_code: int, **kwargs: Any) -> None:
        session = _client_session()
        async with session.request(method, url, **_translate(kwargs)) as resp:
            await resp.read()
            if resp.status != status_code:
                raise ValueError(f"Expected HTTP request code is `{status_code}` actual `{resp.status}`")

    @classmethod
    async def close_worker_resources(cls) -> None:
        """Close this worker's session when its load ends."""
        global _session
        if _session is not None and not _session.closed:
            await _session.close()
        _session = None


@configure(name="HttpRequests.check_request")
class CheckRequest(HttpScenario):
    """Send one HTTP request and check its status code.

    Extra arguments are those of ``requests.request`` (params, data, json,
    headers, cookies, timeout, allow_redirects, verify, auth).
    """

    async def run(self, url: str, method: str, status_code: int, **kwargs: Any) -> None:
        await self._check_request(url, method, status_code, **kwargs)


@configure(name="HttpRequests.check_random_request")
class CheckRandomRequest(HttpScenario):
    """Send one request picked at random from ``requests`` and check its status.

    Each item is a mapping with ``url``, ``method`` and optional
    ``status_code`` (default: the scenario's ``status_code``) plus request
    arguments.
    """

    async def run(self, requests: list[dict[str, Any]], status_code: int) -> None:
        request = dict(random.choice(requests))
        request.setdefault("status_code", status_code)
        await self._check_request(**request)
