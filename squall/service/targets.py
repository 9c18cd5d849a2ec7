"""Which load targets a service lets its clients aim at.

A task started over HTTP makes the service send requests wherever its
scenarios point: without a rule, a client could load any port of the
service's own machine, or any host it can reach. The rule:

- a target that matches an ``--allowed-target`` pattern is allowed;
- a target on this machine (a loopback, unspecified or link-local address,
  an address of this host's name, or a name that resolves to one) needs
  ``--allow-exec`` (the owner lets clients act on this machine) or a listed
  pattern;
- a service bound beyond loopback (reachable from other machines) loads only
  listed targets; one bound to loopback loads other hosts freely, as its
  user could with the CLI.

Patterns are ``HOST`` or ``HOST:PORT`` with shell wildcards (``*.lab.example``,
``10.0.0.*:8080``, ``127.0.0.1:*``); a pattern without a port allows every
port. Names are resolved when the task is checked.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import socket
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_and_port(url: str) -> tuple[str, int | None]:
    """The lower-case host and the port (the scheme's default when none is written) of ``url``."""
    try:
        parts = urlsplit(url if "//" in url else "//" + url)
        port = parts.port
    except ValueError:
        return url.lower(), None
    return (parts.hostname or "").lower(), port if port is not None else _DEFAULT_PORTS.get(parts.scheme.lower())


def _split(pattern: str) -> tuple[str, str]:
    """A pattern's host and port parts (the port part empty when none is written)."""
    text = pattern.strip().lower()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else ""
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, port
    return text, ""


def matches(patterns: list[str], host: str, port: int | None) -> bool:
    """Whether ``host:port`` matches one of ``patterns``."""
    for pattern in patterns:
        want_host, want_port = _split(pattern)
        if fnmatch.fnmatchcase(host, want_host) and (not want_port or fnmatch.fnmatchcase(str(port), want_port)):
            return True
    return False


def _local_addresses() -> set[str]:
    found = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.add(str(info[4][0]))
    except OSError:
        pass
    return found


def is_this_machine(host: str) -> bool:
    """Whether ``host`` names this machine: loopback, unspecified, link-local or one of its addresses."""
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        addresses = {str(ipaddress.ip_address(host))}
    except ValueError:
        try:
            addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except OSError:
            return False  # a name that does not resolve loads nothing
    local = _local_addresses()
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        if address.is_loopback or address.is_unspecified or address.is_link_local or text in local:
            return True
    return False


def refusals(targets: list[tuple[str, str]], allowed: list[str], allow_exec: bool,
             bound_beyond_loopback: bool) -> list[str]:
    """Why each target that the rule refuses is refused, as ``PLACE: URL ...`` lines."""
    out = []
    for place, url in targets:
        host, port = host_and_port(url)
        if matches(allowed, host, port):
            continue
        if is_this_machine(host):
            if not allow_exec:
                out.append(f"{place}: {url} is on this machine (start the service with --allow-exec, "
                           f"or --allowed-target {host}:{port})")
        elif bound_beyond_loopback:
            out.append(f"{place}: {url} is not a listed target (start the service with "
                       f"--allowed-target {host}:{port})")
    return out
