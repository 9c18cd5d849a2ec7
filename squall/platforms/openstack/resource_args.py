"""Rally's resource arguments: ``image: {name: "^cirros.*-disk$"}``, ``flavor: {name: m1.tiny}``, ``{id: ...}``.

As Rally's ``glance_image``, ``nova_flavor`` and ``cinder_volume_type`` types:
``id`` is taken as given; ``name`` is an exact name, or a regular expression
when no name is equal; ``regex`` is a regular expression. Several matches of
a pattern take the last by name. Each process resolves a spec once per
credential and keeps the answer for the workload's iterations.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from squall import exceptions
from squall.platforms.openstack import clients

if TYPE_CHECKING:
    from openstack.connection import Connection

SPEC_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                          "regex": {"type": "string"}},
         "minProperties": 1},
    ],
}

_CACHE: dict[tuple[str, str, str], str] = {}
_LOCK = threading.Lock()


def spec_errors(spec: Any, path: str) -> list[str]:
    """What is wrong with a resource spec, for validation."""
    if isinstance(spec, str):
        return []
    if not isinstance(spec, dict) or not ({"id", "name", "regex"} & set(spec)):
        return [f"{path}: give an id, a name or a regex (e.g. {{name: m1.tiny}}), not {spec!r}"]
    pattern = spec.get("regex") if "regex" in spec else spec.get("name") if "id" not in spec else None
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as exc:
            if "regex" in spec:
                return [f"{path}.regex: not a regular expression: {exc}"]
    return []


def pick(spec: Any, items: list[dict[str, Any]], kind: str) -> str:
    """The id ``spec`` names among ``items`` (each with ``id`` and ``name``)."""
    if isinstance(spec, str):
        return spec
    if "id" in spec:
        return str(spec["id"])
    if "name" in spec:
        exact = [i for i in items if i.get("name") == spec["name"]]
        if len(exact) == 1:
            return str(exact[0]["id"])
        if len(exact) > 1:
            raise exceptions.InvalidArgumentsError(f"{kind} name {spec['name']!r} is ambiguous: {len(exact)} "
                                                   f"{kind}s have it")
    pattern = spec.get("regex", spec.get("name"))
    try:
        matching = [i for i in items if re.search(pattern, i.get("name") or "")]
    except re.error as exc:
        raise exceptions.InvalidArgumentsError(f"{kind} {pattern!r}: not a regular expression: {exc}") from exc
    if not matching:
        names = ", ".join(sorted(str(i.get("name")) for i in items)[:10]) or "none"
        raise exceptions.InvalidArgumentsError(f"no {kind} matches {pattern!r} (there are: {names})")
    return str(sorted(matching, key=lambda i: i.get("name") or "")[-1]["id"])


def _resolve(conn: Connection, spec: Any, kind: str, listing: Callable[[], list[dict[str, Any]]]) -> str:
    if isinstance(spec, str) or (isinstance(spec, dict) and "id" in spec):
        return pick(spec, [], kind)
    key = (str(id(conn.session)), kind, json.dumps(spec, sort_keys=True))
    with _LOCK:
        found = _CACHE.get(key)
    if found is None:
        found = pick(spec, listing(), kind)
        with _LOCK:
            _CACHE[key] = found
    return found


def image_id(conn: Connection, spec: Any) -> str:
    """The Glance image ``spec`` names, among the active ones the connection's user sees."""
    def listing() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        url: str | None = "/images"
        params: dict[str, Any] | None = {"limit": 1000}
        while url:
            body = clients.api(conn, "image").get(url, params=params).json()
            found += [i for i in body.get("images", []) if i.get("status") == "active"]
            nxt = body.get("next")
            url, params = (nxt.removeprefix("/v2"), None) if nxt else (None, None)
        return found
    return _resolve(conn, spec, "image", listing)


def flavor_id(conn: Connection, spec: Any) -> str:
    """The Nova flavor ``spec`` names."""
    return _resolve(conn, spec, "flavor",
                    lambda: clients.api(conn, "compute").get("/flavors").json().get("flavors", []))


def volume_type_id(conn: Connection, spec: Any) -> str:
    """The Cinder volume type ``spec`` names."""
    return _resolve(conn, spec, "volume type",
                    lambda: clients.api(conn, "block_storage").get("/types").json().get("volume_types", []))
