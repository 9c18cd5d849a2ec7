"""``squall verify``: run functional test suites against an environment (Rally's ``rally verify``)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import typer

from squall import bounded, exceptions
from squall.cli.files import read_text, read_yaml
from squall.cli.output import Table, console, deliver, show
from squall.cli.verify_run import VerifyProgress, exit_code, print_run, runs_table

app = typer.Typer(help="Run functional test suites (verifications), compare their runs.", no_args_is_help=True)
VerifierOption = typer.Option(None, "--verifier", "--id", help="Verifier name or UUID (default: in use).")
def _settings(value: str | None) -> dict[str, Any]:
    """Settings as inline JSON, or a YAML/JSON file."""
    if not value:
        return {}
    if value.lstrip().startswith("{"):
        try:
            data = bounded.load_yaml(value, "--settings")
        except bounded.DocumentError as exc:
            raise exceptions.InvalidArgumentsError(str(exc)) from None
    else:
        data = read_yaml(value, "settings file")
    if not isinstance(data, dict):
        raise exceptions.InvalidArgumentsError("--settings must be a mapping")
    return data


def _verifiers_table(rows: list[dict[str, Any]]) -> Table:
    table = Table()
    for col in ("UUID", "Name", "Type", "Version", "Created"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["uuid"], r["name"], r["plugin"], r["version"] or "-", (r["created_at"] or "")[:19])
    return table


@app.command("list-plugins")
def list_plugins(ctx: typer.Context) -> None:
    """List the verifier plugins."""
    table = Table()
    for col in ("Name", "Title"):
        table.add_column(col)
    for p in ctx.obj.verifier.list_plugins():
        table.add_row(p["name"], p["title"])
    console.print(table)


@app.command("create-verifier")
def create_verifier(ctx: typer.Context, name: str = typer.Option(..., "--name"),
                    type_: str = typer.Option(..., "--type", help="Verifier plugin: tempest, pytest, junit, ..."),
                    settings: str | None = typer.Option(None, "--settings", "--extra-settings",
                                                        help="Its settings: inline JSON or a YAML/JSON file."),
                    env: str | None = typer.Option(None, "--env", "--deployment-id"),
                    version: str = typer.Option("", "--version", help="Tempest's version (default 47.0.0)."),
                    source: str | None = typer.Option(None, "--source",
                                                      help="Where pip installs Tempest from (default: PyPI)."),
                    no_use: bool = typer.Option(False, "--no-use", help="Do not make it the one in use.")) -> None:
    """Create a verifier: which suite, and how to run it (Tempest is installed now, in a venv of its own)."""
    given = _settings(settings)
    if source:
        given["source"] = source
    if type_ == "tempest":
        console.print("Installing Tempest (once per verifier; a minute or so)...")
    row = ctx.obj.verifier.create(name=name, plugin=type_, settings=given, env=env, version=version,
                                  use=not no_use)
    console.print(f"Verifier [bold]{row['name']}[/bold] ({row['plugin']} {row['version'] or ''}) created: "
                  f"{row['uuid']}")


@app.command("update-verifier")
def update_verifier(ctx: typer.Context, verifier: str | None = VerifierOption,
                    version: str | None = typer.Option(None, "--version", help="Install this version instead."),
                    settings: str | None = typer.Option(None, "--settings", help="New settings (replace the old)."),
                    update_venv: bool = typer.Option(False, "--update-venv", help="Rally's flag: accepted; the "
                                                     "venv is always brought to the version wanted.")) -> None:
    """Change a verifier's version or settings, and install again what it needs."""
    row = ctx.obj.verifier.update(verifier=verifier, version=version,
                                  settings=_settings(settings) if settings else None)
    console.print(f"Verifier {row['name']} updated: {row['plugin']} {row['version'] or ''}")


@app.command("configure-verifier")
def configure_verifier(ctx: typer.Context, verifier: str | None = VerifierOption,
                       env: str | None = typer.Option(None, "--env", "--deployment-id"),
                       reconfigure: bool = typer.Option(False, "--reconfigure", help="Make it again from the cloud."),
                       extend: str | None = typer.Option(None, "--extend",
                                                         help="Options to add: an ini file, or JSON/YAML sections."),
                       override: Path | None = typer.Option(None, "--override", help="A whole new file."),
                       show: bool = typer.Option(False, "--show", help="Print it (the default with no change)."),
                       include_secrets: bool = typer.Option(False, "--include-secrets",
                                                            help="Print passwords instead of ***.")) -> None:
    """Make, show, extend or override a verifier's configuration file (tempest.conf) for an environment."""
    options: str | dict[str, Any] | None = None
    if extend is not None:
        options = _options(extend)
    new = read_text(override, "--override file") if override else None
    row = ctx.obj.verifier.configure(verifier=verifier, env=env, reconfigure=reconfigure, extend=options,
                                     override=new, include_secrets=include_secrets)
    if show or not (reconfigure or extend or override):
        print(row["config"], end="")
    else:
        console.print(f"Verifier {row['verifier']} configured for environment {row['env']}")


def _options(value: str) -> str | dict[str, Any]:
    """``--extend``: a file (ini, or YAML/JSON sections) or inline JSON/YAML sections."""
    path = Path(value)
    text = read_text(path, "--extend file") if path.is_file() else value
    if text.lstrip().startswith("["):
        return text  # ini
    try:
        data = bounded.load_yaml(text, "--extend")
    except bounded.DocumentError as exc:
        raise exceptions.InvalidArgumentsError(str(exc)) from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise exceptions.InvalidArgumentsError("--extend must be an ini file or a mapping of sections to options")
    return data


@app.command("list-verifiers")
def list_verifiers(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List verifiers."""
    show(ctx.obj.verifier.list(), as_json, _verifiers_table, "No verifiers.")


@app.command("show-verifier")
def show_verifier(ctx: typer.Context, verifier: str | None = VerifierOption) -> None:
    """Show a verifier and its settings."""
    print(json.dumps(ctx.obj.verifier.get(verifier=verifier), indent=2))


@app.command("use-verifier")
def use_verifier(ctx: typer.Context, verifier: str = typer.Option(..., "--verifier", "--id")) -> None:
    """Make a verifier the one in use."""
    row = ctx.obj.verifier.use(verifier=verifier)
    console.print(f"Using verifier {row['name']} ({row['uuid']})")


@app.command("list-verifier-tests")
def list_verifier_tests(ctx: typer.Context, verifier: str | None = VerifierOption,
                        pattern: str | None = typer.Option(None, "--pattern"),
                        env: str | None = typer.Option(None, "--env", "--deployment-id")) -> None:
    """List a verifier's tests without running them."""
    for name in ctx.obj.verifier.list_tests(verifier=verifier, pattern=pattern, env=env):
        print(name)


@app.command("delete-verifier")
def delete_verifier(ctx: typer.Context, verifier: str = typer.Option(..., "--verifier", "--id")) -> None:
    """Delete a verifier and its verifications."""
    console.print(f"Deleted verifier {ctx.obj.verifier.delete(verifier=verifier)['deleted']}")


def _lines(path: Path | None, what: str) -> list[str]:
    if path is None:
        return []
    return [ln.strip() for ln in read_text(path, what).splitlines() if ln.strip() and not ln.startswith("#")]


def _reasons(path: Path | None) -> dict[str, str]:
    data = read_yaml(path, "test list") if path else {}
    if isinstance(data, list) and all(isinstance(t, str) for t in data):
        return dict.fromkeys(data, "")
    if not isinstance(data, dict):
        raise exceptions.InvalidArgumentsError(f"{path} must map test ids to reasons (or list test ids)")
    return {str(k): str(v or "") for k, v in data.items()}


@app.command()
def start(ctx: typer.Context, verifier: str | None = VerifierOption,
          env: str | None = typer.Option(None, "--env", "--deployment-id"),
          pattern: str | None = typer.Option(None, "--pattern", help="Only the tests matching it."),
          concurrency: int | None = typer.Option(None, "--concurrency"),
          load_list: Path | None = typer.Option(None, "--load-list", help="File of test ids to run."),
          skip_list: Path | None = typer.Option(None, "--skip-list", help="YAML of test ids to skip, with reasons."),
          xfail_list: Path | None = typer.Option(None, "--xfail-list",
                                                 help="YAML of test ids expected to fail, with reasons."),
          tag: list[str] | None = typer.Option(None, "--tag"),
          detailed: bool = typer.Option(False, "--detailed", help="Also print failed tests' tracebacks.")) -> None:
    """Run a verifier's suite; exit 0 when every test passed, 2 when one passed unexpectedly, 3 when one failed,
    1 when it could not run (Rally's codes)."""
    run_args: dict[str, Any] = {}
    if pattern:
        run_args["pattern"] = pattern
    if concurrency is not None:
        run_args["concurrency"] = concurrency
    if load_list:
        run_args["load_list"] = _lines(load_list, "load list")
    if skip_list:
        run_args["skip_list"] = _reasons(skip_list)
    if xfail_list:
        run_args["xfail_list"] = _reasons(xfail_list)
    with VerifyProgress(ctx.obj, verifier):
        row = ctx.obj.verification.start(verifier=verifier, env=env, run_args=run_args, tags=tag or [])
    print_run(ctx.obj.verification.get(uuid=row["uuid"], detailed=detailed), detailed)
    raise typer.Exit(exit_code(row))


@app.command("list")
def list_(ctx: typer.Context, verifier: str | None = typer.Option(None, "--verifier", "--id"),
          env: str | None = typer.Option(None, "--env", "--deployment-id"),
          status: str | None = typer.Option(None, "--status"), tag: list[str] | None = typer.Option(None, "--tag"),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """List verifications."""
    rows = ctx.obj.verification.list(verifier=verifier, env=env, status=status, tags=tag)
    show(rows, as_json, runs_table, "No verifications.")


@app.command("show")
def show_(ctx: typer.Context, uuid: str | None = typer.Option(None, "--uuid"),
          detailed: bool = typer.Option(False, "--detailed"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Show a verification (default: the last one); --detailed lists every test."""
    row = ctx.obj.verification.get(uuid=uuid, detailed=detailed or as_json)
    if as_json:
        print(json.dumps(row, indent=2))
        return
    print_run(row, detailed)
    if detailed:
        table = Table(title="Tests", title_justify="left")
        for col in ("Test", "Status", "Duration (s)", "Reason"):
            table.add_column(col)
        for t in row["tests"]:
            table.add_row(t["name"], t["status"], f"{t.get('duration') or 0:.3f}", t.get("reason", ""))
        console.print(table)


SUBUNIT_V2_SIGNATURE = 0xB3  # the first byte of every subunit v2 packet


@app.command("import")
def import_(ctx: typer.Context, file: Path = typer.Option(..., "--file", help="JUnit XML or subunit v2 results."),
            verifier: str | None = VerifierOption, tag: list[str] | None = typer.Option(None, "--tag")) -> None:
    """Turn a results file (JUnit XML or a subunit v2 stream, told apart by its content) into a verification."""
    data = bounded.read_bytes(file, "results file", bounded.MAX_IMPORT_CHARS * 3 // 4)
    if data[:1] == bytes([SUBUNIT_V2_SIGNATURE]):
        content, kind = base64.b64encode(data).decode("ascii"), "subunit"
    else:
        content, kind = bounded.decode_utf8(data, f"results file {file}"), "junit"
    del data  # only the text sent stays in memory while the API reads it
    row = ctx.obj.verification.import_results(content=content, verifier=verifier, format=kind, source=str(file),
                                              tags=tag or [])
    print_run(row, False)


@app.command()
def compare(ctx: typer.Context, uuid_a: str = typer.Argument(..., help="The reference run."),
            uuid_b: str = typer.Argument(..., help="The run to judge."),
            duration_change: float = typer.Option(50.0, help="Report duration changes above this many percent."),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """What changed from run A to run B; exit 1 when a test that passed now fails."""
    result = ctx.obj.verification.compare(uuid_a=uuid_a, uuid_b=uuid_b, duration_change=duration_change)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        for key, title in (("new_failures", "New failures"), ("fixed", "Fixed"), ("new", "New tests"),
                           ("gone", "Gone"), ("now_skipped", "Now skipped")):
            if result[key]:
                console.print(f"[bold]{title}[/bold] ({len(result[key])})", markup=True)
                for item in result[key]:
                    console.print(f"  {item['name']}", markup=False, soft_wrap=True)
        for item in result["duration_changes"]:
            console.print(f"  {item['name']}: {item['a']:.3f} s -> {item['b']:.3f} s ({item['change']:+.0f}%)",
                          markup=False, soft_wrap=True)
        verdict = "[red]REGRESSION[/red]" if result["regression"] else "[green]no regression[/green]"
        console.print("Verdict: " + verdict)
    if result["regression"]:
        raise typer.Exit(1)


@app.command()
def rerun(ctx: typer.Context, uuid: str | None = typer.Option(None, "--uuid", help="Default: the last one."),
          failed: bool = typer.Option(False, "--failed", help="Only the tests that failed."),
          tag: list[str] | None = typer.Option(None, "--tag"),
          detailed: bool = typer.Option(False, "--detailed")) -> None:
    """Run a verification again, with the same arguments (or only its failed tests)."""
    with VerifyProgress(ctx.obj, None):
        row = ctx.obj.verification.rerun(uuid=uuid, failed=failed, tags=tag)
    print_run(ctx.obj.verification.get(uuid=row["uuid"], detailed=detailed), detailed)
    raise typer.Exit(exit_code(row))


@app.command()
def report(ctx: typer.Context, uuid: list[str] | None = typer.Option(None, "--uuid", help="Runs, side by side."),
           type_: str = typer.Option("html", "--type", help="html, json or junit-xml."),
           to: Path | None = typer.Option(None, "--to", help="File to write (default: standard output).")) -> None:
    """A report of one or several verifications."""
    data = ctx.obj.verification.report(uuids=uuid or None, type=type_)
    deliver(data, to)


@app.command()
def flaky(ctx: typer.Context, verifier: str | None = VerifierOption,
          env: str | None = typer.Option(None, "--env", "--deployment-id"),
          last: int = typer.Option(10, "--last", help="How many of the latest runs to look at."),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """Tests whose outcome flips across the last runs: flaky (2 flips or more), broke or fixed."""
    result = ctx.obj.verification.flaky(verifier=verifier, env=env, last=last)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    table = Table(title=f"Across the last {len(result['runs'])} runs", title_justify="left")
    for col in ("Test", "Flips", "Failed", "Runs", "Verdict"):
        table.add_column(col)
    for t in result["tests"]:
        table.add_row(t["name"], str(t["flips"]), str(t["failed"]), str(t["runs"]), t["verdict"])
    console.print(table if result["tests"] else "No test changed outcome.")


@app.command()
def use(ctx: typer.Context, uuid: str = typer.Option(..., "--uuid")) -> None:
    """Make a verification the default of later commands."""
    console.print(f"Using verification {ctx.obj.verification.use(uuid=uuid)['uuid']}")


@app.command()
def delete(ctx: typer.Context, uuid: str = typer.Option(..., "--uuid")) -> None:
    """Delete a verification."""
    console.print(f"Deleted verification {ctx.obj.verification.delete(uuid=uuid)['deleted']}")
