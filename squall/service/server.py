"""``squall service start``: serve the API with uvicorn."""

from __future__ import annotations

import ipaddress

from squall import exceptions
from squall.api import API
from squall.service.app import ServiceConfig, create_app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str = "127.0.0.1", port: int = 8000, db_url: str | None = None, token: str | None = None,
          read_only: bool = False, allow_exec: bool = False, log_level: str = "warning") -> None:
    """Run the service until interrupted."""
    import uvicorn

    if not _is_loopback(host) and not token:
        raise exceptions.InvalidArgumentsError(
            f"binding to {host} exposes squall beyond this machine: give --token (or bind to 127.0.0.1)")
    api = API(db_url=db_url)
    api.db.show()  # fail now, not on the first request, when the database is unreachable
    app = create_app(api, ServiceConfig(token=token, read_only=read_only, allow_exec=allow_exec))
    uvicorn.run(app, host=host, port=port, log_level=log_level)
