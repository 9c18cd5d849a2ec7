"""``squall plugin``: discover plugins."""

from __future__ import annotations

import json

import typer

from squall.cli.output import Table, console, plain

app = typer.Typer(help="List and describe plugins.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, kind: str | None = typer.Option(None, help="scenario, runner, context, sla, ..."),
          name: str | None = typer.Option(None, help="Part of the name.")) -> None:
    """List plugins."""
    table = Table()
    for col in ("Kind", "Name", "Platform", "Title"):
        table.add_column(col)
    for p in ctx.obj.plugin.list(kind=kind, name=name):
        table.add_row(p["kind"], p["name"], p["platform"], plain(p["title"]))
    console.print(table)


@app.command()
def show(ctx: typer.Context, name: str, kind: str | None = typer.Option(None)) -> None:
    """Show a plugin's description and JSON schema."""
    info = ctx.obj.plugin.show(name=name, kind=kind)
    console.print(f"[bold]{info['name']}[/bold] ({info['kind']}, platform {info['platform']})")
    console.print(plain(info["title"]))
    if info["description"]:
        console.print(plain(info["description"]))
    console.print(f"Module: {info['module']}")
    if "arguments" in info:
        table = Table(title="Arguments", title_justify="left")
        for col in ("Name", "Type", "Required", "Default"):
            table.add_column(col)
        for arg in info["arguments"]:
            default = "" if arg["required"] else json.dumps(arg["default"])
            table.add_row(arg["name"], arg["type"], "yes" if arg["required"] else "no", default)
        console.print(table if info["arguments"] else "Arguments: none")
        if info.get("accepts_other_arguments"):
            console.print("It takes other keyword arguments too (the description says what they do).")
    if info["schema"]:
        console.print("Schema:")
        console.print_json(json.dumps(info["schema"]))
