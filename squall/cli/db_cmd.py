"""``squall db``: the results database."""

from __future__ import annotations

import sys

import typer

from squall.cli.output import console, err_console

app = typer.Typer(help="Manage the results database.", no_args_is_help=True)


def _show(info: dict[str, str]) -> None:
    console.print(f"Database: {info['url']}\nSchema revision: {info['revision']} (newest: {info['head']})")


@app.command()
def create(ctx: typer.Context) -> None:
    """Create the database schema."""
    _show(ctx.obj.db.create())


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Upgrade the schema to this version of squall."""
    _show(ctx.obj.db.upgrade())


@app.command()
def ensure(ctx: typer.Context) -> None:
    """Create the schema unless it exists (Rally's spelling; as create, which never drops anything)."""
    before = ctx.obj.db.show()
    if before["revision"] is not None:
        console.print(f"Database {before['url']} already exists, nothing to do")
        return
    _show(ctx.obj.db.create())


@app.command()
def revision(ctx: typer.Context) -> None:
    """Print the schema revision alone (Rally's spelling), or "None" without a schema."""
    print(ctx.obj.db.show()["revision"])


@app.command()
def show(ctx: typer.Context) -> None:
    """Show the database URL and schema revision."""
    _show(ctx.obj.db.show())


@app.command()
def recreate(ctx: typer.Context, yes: bool = typer.Option(False, "--yes", help="Do not ask.")) -> None:
    """Drop all data and create an empty schema."""
    if not yes:
        if not sys.stdin.isatty():
            err_console.print("Refusing to delete every task and environment without confirmation: "
                              "run again with --yes.")
            raise typer.Exit(1)
        typer.confirm("This deletes every task and environment. Continue?", abort=True)
    _show(ctx.obj.db.recreate(confirm=True))
