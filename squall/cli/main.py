"""Entry point of the ``squall`` command.

Every command only calls :class:`squall.api.API`; errors the API raises are
printed as one clear message with exit code 1, never as a traceback.
"""

from __future__ import annotations

import os
import sys

import typer

# typer vendors its own click; its exception classes live there.
from typer._click import exceptions as click_errors

from squall import __version__, exceptions
from squall.cli import (
    cleanup_cmd,
    db_cmd,
    deploy_cmd,
    env_cmd,
    logs,
    plugin_cmd,
    rally_argv,
    rally_config,
    service_cmd,
    task_cmd,
    verify_cmd,
)
from squall.cli.output import err_console

app = typer.Typer(help="squall: performance and reliability testing for clouds and services.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(task_cmd.app, name="task")
app.add_typer(env_cmd.app, name="env")
app.add_typer(env_cmd.deployment_app, name="deployment")
app.add_typer(db_cmd.app, name="db")
app.add_typer(plugin_cmd.app, name="plugin")
app.add_typer(service_cmd.app, name="service")
app.add_typer(deploy_cmd.app, name="deploy")
app.add_typer(verify_cmd.app, name="verify")
app.command("tasks-history")(deploy_cmd.tasks_history)
app.command("cleanup")(cleanup_cmd.cleanup)


@app.command("version")
def version_cmd() -> None:
    """Show the version (as `squall --version`)."""
    print(f"squall {__version__}")


def _version(value: bool) -> None:
    if value:
        print(f"squall {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(None, "--db", envvar="SQUALL_DB_URL",
                                  help="Database URL (default: SQLite file in ~/.squall)."),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url", envvar="SQUALL_ENDPOINT_URL",
                                            help="Work against a running squall service at this URL."),
    token: str | None = typer.Option(None, "--token", envvar="SQUALL_TOKEN",
                                     help="Bearer token for --endpoint-url."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    plugin_paths: str | None = typer.Option(None, "--plugin-paths", envvar="SQUALL_PLUGIN_PATHS",
                                            help="Plugin files or folders to load, comma-separated (as Rally's)."),
    max_render_memory: str | None = typer.Option(
        None, "--max-render-memory", envvar="SQUALL_MAX_RENDER_MEMORY",
        help="Memory of the process that renders a templated task file (e.g. 512M, 1G; default 512M)."),
    max_workloads: int | None = typer.Option(None, "--max-workloads", envvar="SQUALL_MAX_WORKLOADS",
                                             help="Most workloads one task file may hold (default 1000)."),
    config_file: str | None = typer.Option(None, "--config-file", help="Rally's configuration file: its "
                                           "[database] connection, [DEFAULT] debug and log_file are used."),
    debug: bool = typer.Option(False, "--debug", help="Log everything, and show tracebacks (as SQUALL_DEBUG=1)."),
    log_file: str | None = typer.Option(None, "--log-file", help="Also write the log to this file."),
) -> None:
    """Global options."""
    from squall.api import API, parse_size

    settings = rally_config.read(config_file) if config_file else rally_config.Settings()
    db = db or settings.db_url
    if debug or settings.debug:
        os.environ["SQUALL_DEBUG"] = "1"
    logs.setup(debug=debug or settings.debug, log_file=log_file or settings.log_file)

    paths = [p.strip() for p in (plugin_paths or "").split(",") if p.strip()]
    memory = parse_size(max_render_memory, "--max-render-memory") if max_render_memory else None
    ctx.obj = API(db_url=db, endpoint_url=endpoint_url, token=token, plugin_paths=paths,
                  render_memory=memory, max_workloads=max_workloads)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    logs.setup()
    try:
        # Without standalone mode, typer.Exit(code) comes back as the return value.
        command = typer.main.get_command(app)
        args = deploy_cmd.expand_variadic(list(sys.argv[1:] if argv is None else argv))
        args = rally_argv.rewrite(command, args)
        result = command.main(args=args, prog_name="squall", standalone_mode=False)
    except exceptions.SquallError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}", markup=True, soft_wrap=True)
        return 1
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err_console.print("Aborted.")
        return 1
    except click_errors.ClickException as exc:
        exc.show()
        return 1
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        return 1
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug in squall: say so plainly; details on request
        if os.environ.get("SQUALL_DEBUG"):
            raise
        err_console.print(f"[red]Internal error:[/red] {type(exc).__name__}: {exc}\n"
                          "Run again with SQUALL_DEBUG=1 for the traceback, and please report it.")
        return 1
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
