"""``squall env``: environments under test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from squall.api import client_side
from squall.cli import cleanup_cmd
from squall.cli.files import read_yaml
from squall.cli.output import Table, console

app = typer.Typer(help="Manage environments (the systems under test).", no_args_is_help=True)


@app.command()
def create(ctx: typer.Context, name: str = typer.Option(..., "--name", help="Environment name."),
           spec: Path | None = typer.Option(None, "--spec", help="YAML/JSON spec: {PLATFORM: CONFIG}."),
           description: str = typer.Option("", help="Free text."),
           no_use: bool = typer.Option(False, "--no-use", help="Do not make it the default."),
           from_sysenv: bool = typer.Option(False, "--from-sysenv",
                                            help="An openstack platform from the OS_* variables.")) -> None:
    """Create an environment."""
    data = (read_yaml(spec, "spec") or {}) if spec else {}
    if from_sysenv:
        found = client_side.platforms_from_environ()
        console.print(f"Your system environment includes specifications of {len(found)} platform(s).")
        data = {**data, **found}
    env = ctx.obj.env.create(name=name, spec=data, description=description, use=not no_use)
    _say_if_converted(env)
    console.print(f"Environment [bold]{env['name']}[/bold] created: {env['uuid']}")


def _say_if_converted(env: dict[str, Any]) -> None:
    if env.get("converted_from_deployment"):
        console.print("Rally's old deployment file (type ExistingCloud): stored as the environment spec "
                      f"{json.dumps(sorted(env['spec']))}; 'squall env show {env['name']}' shows it.")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List environments."""
    table = Table()
    for col in ("Default", "UUID", "Name", "Platforms", "Created"):
        table.add_column(col)
    for env in ctx.obj.env.list():
        table.add_row("*" if env["default"] else "", env["uuid"], env["name"], ", ".join(env["spec"]) or "-",
                      env["created_at"][:19])
    console.print(table)


@app.command()
def show(ctx: typer.Context, env: str | None = typer.Argument(None, help="Name or UUID (default: in use)."),
         as_json: bool = typer.Option(False, "--json"),
         show_secrets: bool = typer.Option(False, "--show-secrets", help="Show passwords and tokens too.")) -> None:
    """Show an environment (passwords and tokens hidden as ***)."""
    data = ctx.obj.env.get(env=env, include_secrets=show_secrets)
    if as_json:
        print(json.dumps(data, indent=2))
        return
    console.print(f"[bold]{data['name']}[/bold] {data['uuid']}{' (default)' if data['default'] else ''}")
    console.print_json(json.dumps(data["spec"]))


@app.command()
def use(ctx: typer.Context, env: str) -> None:
    """Make an environment the default."""
    data = ctx.obj.env.use(env=env)
    console.print(f"Using environment {data['name']} ({data['uuid']})")


@app.command()
def check(ctx: typer.Context, env: str | None = typer.Argument(None)) -> None:
    """Check that each platform of an environment is reachable."""
    result = ctx.obj.env.check(env=env)
    for p in result["platforms"]:
        mark = "[green]available[/green]" if p["available"] else "[red]unavailable[/red]"
        console.print(f"{p['platform']}: {mark} - {p['message']}")
    if not result["platforms"]:
        console.print(f"{result['env']}: no platforms to check")
    if not result["available"]:
        raise typer.Exit(1)


@app.command()
def update(ctx: typer.Context, env: str = typer.Argument(..., help="Name or UUID."),
           spec: Path | None = typer.Option(None, "--spec", "--filename",
                                            help="A new YAML/JSON spec: {PLATFORM: CONFIG} (or Rally's deployment "
                                                 "file)."),
           description: str | None = typer.Option(None, help="New free text.")) -> None:
    """Change an environment's spec or description; its UUID, name and tasks stay."""
    data = read_yaml(spec, "spec") if spec else None
    if spec and not isinstance(data, dict):
        raise typer.BadParameter(f"{spec}: a spec is a mapping {{PLATFORM: CONFIG}}", param_hint="--spec")
    if spec is None and description is None:
        raise typer.BadParameter("give --spec, --description or both", param_hint="--spec")
    row = ctx.obj.env.update(env=env, spec=data, description=description)
    _say_if_converted(row)
    changed = "spec and description" if spec and description is not None else "spec" if spec else "description"
    console.print(f"Environment [bold]{row['name']}[/bold] ({row['uuid']}): {changed} updated; platforms: "
                  f"{', '.join(row['spec']) or '-'}")


@app.command()
def delete(ctx: typer.Context, env: str) -> None:
    """Delete an environment (its tasks' results stay)."""
    data = ctx.obj.env.delete(env=env)
    console.print(f"Deleted environment {data['name']}")


# Rally's other spellings of env commands: info (what check finds), cleanup (squall cleanup of this environment),
# destroy (delete: squall's environments hold no deployed resources of their own).
app.command("info", help="Show what each platform of an environment answers (Rally's spelling of check).")(check)
app.command("cleanup", help="Delete what squall left on an environment (squall cleanup --env; Rally's "
                            "spelling).")(cleanup_cmd.cleanup)
app.command("destroy", help="Delete an environment (Rally's spelling; its tasks' results stay).")(delete)


# Rally's `deployment` commands, as aliases of `env` for users who type them.
deployment_app = typer.Typer(help="Rally's spelling of 'env': create, list, show, use, check, destroy, config, "
                                  "recreate.", no_args_is_help=True)
deployment_app.command("list")(list_)
deployment_app.command("show")(show)
deployment_app.command("use")(use)
deployment_app.command("check")(check)
deployment_app.command("destroy")(delete)


@deployment_app.command("config")
def deployment_config(ctx: typer.Context, env: str | None = typer.Argument(None, help="Name or UUID (default: in "
                                                                                    "use)."),
                      include_secrets: bool = typer.Option(False, "--show-secrets", "--include-secrets",
                                                           help="Print passwords and tokens (hidden as *** by "
                                                                "default).")) -> None:
    """Print an environment's platforms as Rally's deployment config: {PLATFORM: CONFIG}, as JSON."""
    spec = ctx.obj.env.get(env=env, include_secrets=include_secrets)["spec"]
    print(json.dumps({name.split("@")[-1]: cfg for name, cfg in spec.items()}, indent=4, sort_keys=True))


@deployment_app.command("recreate")
def deployment_recreate(ctx: typer.Context, env: str | None = typer.Argument(None, help="Name or UUID (default: "
                                                                                       "in use)."),
                        filename: Path | None = typer.Option(None, "--filename",
                                                             help="A new deployment file (Rally's or an env "
                                                                  "spec).")) -> None:
    """Give a deployment a new config, keeping its UUID (Rally 5.1.1 has this command disabled), then check it."""
    uuid = ctx.obj.env.get(env=env)["uuid"]
    if filename is not None:
        update(ctx, env=uuid, spec=filename, description=None)
    check(ctx, env=uuid)


@deployment_app.command("create")
def deployment_create(ctx: typer.Context, name: str = typer.Option(..., "--name", help="Deployment name."),
                      filename: Path | None = typer.Option(None, "--filename", "--file",
                                                           help="Rally's deployment file (or an env spec)."),
                      fromenv: bool = typer.Option(False, "--fromenv", help="OpenStack from the OS_* variables."),
                      no_use: bool = typer.Option(False, "--no-use", help="Do not make it the default.")) -> None:
    """Create an environment from Rally's deployment options."""
    create(ctx, name=name, spec=filename, description="", no_use=no_use, from_sysenv=fromenv)


@app.command("setup-context")
def setup_context(ctx: typer.Context, file: Path = typer.Argument(..., help="YAML/JSON: {CONTEXT: CONFIG}."),
                  env: str | None = typer.Option(None, "--env", help="Environment name or UUID (default: in use)."),
                  name: str | None = typer.Option(None, "--name", help="The context's name (default: the file's "
                                                                      "name without its extension).")) -> None:
    """Set up contexts once (users, network, images...) for many tasks: see --persistent-context."""
    data = read_yaml(file, "persistent context file")
    row = ctx.obj.context.setup(name=name or file.stem, config=data, env=env)
    console.print(f"Persistent context [bold]{row['name']}[/bold] ({row['uuid']}) is ready on "
                  f"{row['env_name']}: {', '.join(row['config'])}")
    console.print(f"Run tasks on it with: squall task start FILE --persistent-context {row['name']}",
                  soft_wrap=True, markup=False, highlight=False)


@app.command("contexts")
def contexts(ctx: typer.Context, env: str | None = typer.Option(None, "--env", help="Only this environment's."),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """List the persistent contexts."""
    rows = ctx.obj.context.list(env=env)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table()
    for col in ("Name", "UUID", "Environment", "Status", "Contexts", "Created"):
        table.add_column(col)
    for row in rows:
        table.add_row(row["name"], row["uuid"], row["env_name"] or row["env_uuid"], row["status"],
                      ", ".join(row["config"]), row["created_at"][:19])
    console.print(table)


@app.command("show-context")
def show_context(ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json"),
                 show_secrets: bool = typer.Option(False, "--show-secrets", help="Show its users' passwords too.")
                 ) -> None:
    """Show a persistent context: its contexts' configuration and what they made."""
    row = ctx.obj.context.get(name=name, include_secrets=show_secrets)
    if as_json:
        print(json.dumps(row, indent=2))
        return
    console.print(f"[bold]{row['name']}[/bold] {row['uuid']} on {row['env_name']}: {row['status']}")
    console.print_json(json.dumps({"config": row["config"], "state": row["state"]}))


@app.command("cleanup-context")
def cleanup_context(ctx: typer.Context, name: str,
                    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted."),
                    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
    """Delete everything a persistent context made (by name and by owner), then forget it."""
    from squall.cli.cleanup_cmd import print_report

    result = ctx.obj.context.cleanup(name=name, dry_run=dry_run)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)
        if not dry_run and not any(p["failed"] for p in result["platforms"]):
            console.print(f"Persistent context {result['name']} cleaned up")
    if any(p["failed"] for p in result["platforms"]):
        raise typer.Exit(1)
