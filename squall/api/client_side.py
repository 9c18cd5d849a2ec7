"""What a client computes on its own machine before calling the API.

These helpers do not go over the transport: they read the caller's
process (its ``OS_*`` variables), so that ``squall env create --from-sysenv``
against a remote service still describes the user's cloud, not the server's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def openstack_spec_from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """An ``openstack`` platform spec from the ``OS_*`` variables of this process."""
    from squall.platforms.openstack.credential import spec_from_environ

    return spec_from_environ(environ)


def platforms_from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The platform specs the ``OS_*`` variables of this process describe: none when there is none of
    ``OS_AUTH_URL``, ``OS_USERNAME``, ``OS_PASSWORD`` (Rally then creates an environment with no platform);
    an incomplete set is an error that names what is missing."""
    import os

    env = os.environ if environ is None else environ
    if not any(env.get(v) for v in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD")):
        return {}
    return {"openstack": openstack_spec_from_environ(env)}
