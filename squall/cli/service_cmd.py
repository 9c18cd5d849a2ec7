"""``squall service``: the HTTP service."""

from __future__ import annotations

import typer

from squall.cli.output import console

app = typer.Typer(help="Run squall as an HTTP service.", no_args_is_help=True)


@app.command()
def start(ctx: typer.Context,
          host: str = typer.Option("127.0.0.1", help="Address to bind (others than loopback need --token)."),
          port: int = typer.Option(8000, help="TCP port."),
          token: str | None = typer.Option(None, envvar="SQUALL_SERVICE_TOKEN",
                                           help="Require 'Authorization: Bearer TOKEN' on every request."),
          read_only: bool = typer.Option(False, "--read-only",
                                         help="Allow reads only: no writes, no secrets, no contact with nodes "
                                              "or clouds."),
          allow_exec: bool = typer.Option(False, "--allow-exec",
                                          help="Allow calls that run commands: hooks that run commands, "
                                               "deployment runs, node checks."),
          allow_admin: bool = typer.Option(False, "--allow-admin",
                                           help="Allow db create, upgrade and recreate from clients."),
          allowed_host: list[str] | None = typer.Option(
              None, "--allowed-host", help="Accept this name in the Host header too (repeatable)."),
          max_body: int = typer.Option(16 * 1024 * 1024, "--max-body", help="Largest request body, in bytes."),
          max_connections: int = typer.Option(256, "--max-connections", help="Most connections open at once."),
          header_timeout: float = typer.Option(10.0, "--header-timeout",
                                               help="Seconds a client has to send a request's headers."),
          max_client_connections: int | None = typer.Option(
              None, "--max-client-connections", help="Most connections from one address (default: half of "
                                                     "--max-connections)."),
          max_render_memory: str | None = typer.Option(
              None, "--max-render-memory", help="Memory of the process that renders a templated task file "
                                                "(e.g. 512M, 1G; default 512M, or the global option)."),
          max_running: int = typer.Option(2, "--max-running", help="Most tasks running at once; more get 429."),
          allowed_target: list[str] | None = typer.Option(
              None, "--allowed-target", help="A HOST[:PORT] pattern tasks may load (repeatable; wildcards "
                                             "allowed). Targets on this machine need it or --allow-exec."),
          ) -> None:
    """Serve the API at /api/v1/<group>/<method> (OpenAPI at /api/v1/openapi.json)."""
    from squall.api import parse_size
    from squall.service.app import ServiceConfig
    from squall.service.server import serve

    config = ServiceConfig(token=token, read_only=read_only, allow_exec=allow_exec, allow_admin=allow_admin,
                           host=host, allowed_hosts=allowed_host, max_body=max_body,
                           allowed_targets=allowed_target)
    if max_running < 1:
        raise typer.BadParameter("--max-running must be at least 1")
    api = ctx.obj
    console.print(f"squall service on http://{host}:{port} (read-only: {read_only}, commands: {allow_exec}, "
                  f"admin: {allow_admin})")
    serve(config, port=port, db_url=api.db_url, max_connections=max_connections, header_seconds=header_timeout,
          max_client_connections=max_client_connections,
          api_options={"render_memory": parse_size(max_render_memory, "--max-render-memory")
                       if max_render_memory else api.render_limits.memory, "max_workloads": api.max_workloads,
                       "max_running": max_running})
