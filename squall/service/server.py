"""``squall service start``: serve the API with uvicorn, within limits."""

from __future__ import annotations

import ipaddress
from typing import Any

from squall import exceptions
from squall.api import API
from squall.service.app import ServiceConfig, create_app
from squall.service.protocol import protocol_class

MAX_CONNECTIONS = 256
HEADER_SECONDS = 10.0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(config: ServiceConfig, port: int = 8000, db_url: str | None = None, log_level: str = "warning",
          max_connections: int = MAX_CONNECTIONS, header_seconds: float = HEADER_SECONDS,
          max_client_connections: int | None = None, api_options: dict[str, Any] | None = None) -> None:
    """Run the service until interrupted; ``api_options`` go to :class:`~squall.api.API` (render memory,
    workloads per task file, tasks running at once)."""
    import uvicorn

    if not _is_loopback(config.host) and not config.token:
        raise exceptions.InvalidArgumentsError(
            f"binding to {config.host} exposes squall beyond this machine: give --token (or bind to 127.0.0.1)")
    if header_seconds <= 0 or max_connections < 1:
        raise exceptions.InvalidArgumentsError("--header-timeout and --max-connections must be positive")
    if config.max_body < 1:
        raise exceptions.InvalidArgumentsError("--max-body must be at least 1 byte")
    if max_client_connections is not None and max_client_connections < 1:
        raise exceptions.InvalidArgumentsError("--max-client-connections must be positive")
    api = API(db_url=db_url, **(api_options or {}))
    api.db.show()  # fail now, not on the first request, when the database is unreachable
    app = create_app(api, config)
    uvicorn.run(app, host=config.host, port=port, log_level=log_level,
                http=protocol_class(max_connections, header_seconds,  # type: ignore[arg-type]
                                    max_client_connections),
                limit_concurrency=max_connections, timeout_keep_alive=5)
