"""Calls of API methods over HTTP, to a running ``squall service``.

GET methods send their keyword arguments as query parameters, each value
JSON-encoded; other methods send them as a JSON body. The answer is
``{"result": ...}`` or, with the error's ``http_code`` as status,
``{"error": {name, msg, kwargs, http_code}}``, which is raised again here as
the same exception class with the same fields.
"""

from __future__ import annotations

import json
from typing import Any

from squall import exceptions

DEFAULT_TIMEOUT = 300.0


class RemoteAPI:
    """An HTTP client bound to one service URL."""

    def __init__(self, endpoint_url: str, token: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        import httpx

        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.endpoint_url = endpoint_url.rstrip("/")
        self.client = httpx.Client(base_url=self.endpoint_url, headers=headers, timeout=timeout)

    def call(self, http_method: str, path: str, kwargs: dict[str, Any]) -> Any:
        """Send one API call; return its result or raise its error."""
        import httpx

        try:
            # None means "the default", so it is simply not sent.
            given = {k: v for k, v in kwargs.items() if v is not None}
            if http_method == "GET":
                params = {k: json.dumps(v) for k, v in given.items()}
                response = self.client.request(http_method, path, params=params)
            else:
                response = self.client.request(http_method, path, json=given)
        except httpx.HTTPError as exc:
            raise exceptions.ServiceUnavailableError(
                f"cannot reach squall service at {self.endpoint_url}: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            raise exceptions.SquallError(
                f"squall service answered {response.status_code} without JSON: {response.text[:200]}") from None
        if "error" in body:
            raise exceptions.SquallError.from_dict(body["error"])
        if response.status_code >= 400:
            raise exceptions.SquallError(f"squall service answered {response.status_code}")
        return body.get("result")
