"""Requests as the HTTP fast path sends them: built once, as ``requests.request`` would send them, and kept.

Load tests send the same few requests again and again, so each is turned
into bytes once per process (:func:`prepare`, a bounded cache) and written
as it is for every iteration.
"""

from __future__ import annotations

import base64
import json as jsonlib
from typing import Any
from urllib.parse import urlencode, urlsplit

FAST_ARGUMENTS = frozenset({"params", "data", "json", "headers", "cookies", "auth", "timeout", "allow_redirects",
                            "verify"})
USER_AGENT = "squall"


def handles(url: str, method: str, kwargs: dict[str, Any]) -> bool:
    """Whether the fast path can send this request as ``requests.request`` would."""
    if not kwargs.keys() <= FAST_ARGUMENTS or method.upper() == "HEAD":
        return False
    if not url.startswith(("http://", "https://")):
        return False
    data = kwargs.get("data")
    return data is None or isinstance(data, str | bytes | dict | list)


def _body(kwargs: dict[str, Any], headers: dict[str, str]) -> bytes:
    if kwargs.get("json") is not None and kwargs.get("data") is None:
        headers.setdefault("content-type", "application/json")
        return jsonlib.dumps(kwargs["json"]).encode()
    data = kwargs.get("data")
    if data is None:
        return b""
    if isinstance(data, dict | list):
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
        return urlencode(data, doseq=True).encode()
    return data.encode() if isinstance(data, str) else data


def build(method: str, url: str, kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], bytes]:
    """The pool key and the bytes of one request, as ``requests.request(method, url, **kwargs)`` sends it."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    target = parts.path or "/"
    query = parts.query
    if kwargs.get("params"):
        extra = urlencode(kwargs["params"], doseq=True)
        query = f"{query}&{extra}" if query else extra
    if query:
        target += "?" + query
    headers = {"user-agent": USER_AGENT, "accept": "*/*"}
    headers.update({str(k).lower(): str(v) for k, v in (kwargs.get("headers") or {}).items()})
    if kwargs.get("auth"):
        user, password = kwargs["auth"]
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers.setdefault("authorization", f"Basic {token}")
    if kwargs.get("cookies"):
        headers["cookie"] = "; ".join(f"{k}={v}" for k, v in kwargs["cookies"].items())
    body = _body(kwargs, headers)
    if body or method.upper() in ("POST", "PUT", "PATCH"):
        headers["content-length"] = str(len(body))
    default_port = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    headers["host"] = host if default_port else f"{host}:{port}"
    head = f"{method.upper()} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (scheme, host, port, kwargs.get("verify", True) if scheme == "https" else None), \
        head.encode("latin-1") + b"\r\n" + body


class Prepared:
    """One request ready to send: its pool key, its bytes, and how to send it."""

    __slots__ = ("method", "url", "kwargs", "key", "raw", "timeout", "follow")

    def __init__(self, method: str, url: str, kwargs: dict[str, Any]) -> None:
        self.method = method.upper()
        self.url = url
        self.kwargs = dict(kwargs)
        self.key, self.raw = build(self.method, url, kwargs)
        timeout = kwargs.get("timeout")
        self.timeout: float | None = sum(timeout) if isinstance(timeout, list | tuple) else timeout
        self.follow = kwargs.get("allow_redirects", True) is not False


# Load tests send the same few requests again and again: each is built once per process.
_PREPARED: dict[tuple[str, str, str], Prepared | None] = {}
_PREPARED_MAX = 4096
_PREPARED_BYTES = 65536  # a larger request is built anew each time: the cache holds no big bodies


def prepare(method: str, url: str, kwargs: dict[str, Any]) -> Prepared | None:
    """The request ready to send on the fast path, or None when the full client must send it (:func:`handles`)."""
    cache_key = (method, url, repr(kwargs) if kwargs else "")
    try:
        return _PREPARED[cache_key]
    except KeyError:
        pass
    prepared = Prepared(method, url, kwargs) if handles(url, method, kwargs) else None
    if len(_PREPARED) < _PREPARED_MAX and (prepared is None or len(prepared.raw) <= _PREPARED_BYTES):
        _PREPARED[cache_key] = prepared
    return prepared
