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
          read_only: bool = typer.Option(False, "--read-only", help="Allow GET methods only."),
          allow_exec: bool = typer.Option(False, "--allow-exec",
                                          help="Allow tasks whose hooks run commands on this machine.")) -> None:
    """Serve the API at /api/v1/<group>/<method> (OpenAPI at /api/v1/openapi.json)."""
    from squall.service.server import serve

    console.print(f"squall service on http://{host}:{port} (read-only: {read_only}, commands: {allow_exec})")
    serve(host=host, port=port, db_url=ctx.obj.db_url, token=token, read_only=read_only, allow_exec=allow_exec)
