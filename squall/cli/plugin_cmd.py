"""``squall plugin``: discover plugins."""

from __future__ import annotations

import json
from typing import Any

import typer

from squall import exceptions
from squall.cli.output import Table, console, plain

app = typer.Typer(help="List and describe plugins.", no_args_is_help=True)


# Rally's plugin base classes (``--plugin-base``), by the kind squall calls them.
RALLY_BASES = {"Scenario": "scenario", "Context": "context", "SLA": "sla", "ScenarioRunner": "runner",
               "Runner": "runner", "HookAction": "hook", "HookTrigger": "trigger", "TaskExporter": "exporter",
               "Exporter": "exporter", "VerifierManager": "verifier", "Platform": "platform"}


BASE_HELP = "Rally's base class name (Scenario, Context, SLA, ScenarioRunner, HookAction, HookTrigger...), as --kind."


def _plugins_table(plugins: list[dict[str, Any]]) -> Table:
    table = Table()
    for col in ("Kind", "Name", "Platform", "Title"):
        table.add_column(col)
    for p in plugins:
        table.add_row(p["kind"], p["name"], p["platform"], plain(p["title"]))
    return table


@app.command("list")
def list_(ctx: typer.Context, name_arg: str | None = typer.Argument(None, metavar="[NAME]",
                                                                     help="Part of the name (as --name)."),
          kind: str | None = typer.Option(None, help="scenario, runner, context, sla, hook, trigger, exporter, ..."),
          name: str | None = typer.Option(None, help="Part of the name."),
          platform: str | None = typer.Option(None, "--platform", help="Only this platform's (default, openstack...)."),
          plugin_base: str | None = typer.Option(None, "--plugin-base", help=BASE_HELP)) -> None:
    """List plugins (Rally's filters too: a part of the name, --platform, --plugin-base)."""
    if plugin_base is not None:
        if plugin_base not in RALLY_BASES and plugin_base not in RALLY_BASES.values():
            raise exceptions.InvalidArgumentsError(f"unknown plugin base {plugin_base!r} (known: "
                                                   f"{', '.join(sorted(RALLY_BASES))})")
        kind = RALLY_BASES.get(plugin_base, plugin_base)
    found = [p for p in ctx.obj.plugin.list(kind=kind, name=name or name_arg)
             if platform is None or p["platform"] == platform]
    if not found:
        console.print("No plugin matches: " + ", ".join(
            f"{what} {value!r}" for what, value in (("name", name or name_arg), ("kind", kind),
                                                     ("platform", platform)) if value) + ".")
        return
    console.print(_plugins_table(found))


@app.command()
def show(ctx: typer.Context, name: str, kind: str | None = typer.Option(None)) -> None:
    """Show a plugin's description and JSON schema; a part of a name shows the one plugin it matches, or lists
    them all (exit 1), as Rally's."""
    try:
        info = ctx.obj.plugin.show(name=name, kind=kind)
    except exceptions.PluginNotFoundError:
        matches = ctx.obj.plugin.list(kind=kind, name=name)
        if len(matches) != 1:
            if not matches:
                raise
            console.print(f"{len(matches)} plugins match {name!r}; name one:")
            console.print(_plugins_table(matches))
            raise typer.Exit(1) from None
        info = ctx.obj.plugin.show(name=matches[0]["name"], kind=matches[0]["kind"])
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
