"""``squall cleanup``: delete what squall made on an environment, out of band."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from squall.cli.output import Table, console, err_console


def _table(title: str, rows: list[dict[str, Any]], with_error: bool = False) -> Table:
    table = Table(title=title)
    for col in ("Type", "Name", "ID") + (("Error",) if with_error else ()):
        table.add_column(col)
    for r in rows:
        table.add_row(r["type"], r["name"], r["id"], *((r.get("error", ""),) if with_error else ()))
    return table


def print_report(result: dict[str, Any]) -> None:
    """The cleanup report of each platform: what was found, deleted and failed."""
    for report in result["platforms"]:
        found = report["discovered"]
        verb = "would delete" if result["dry_run"] else "deleted"
        if found:
            console.print(_table(f"{report['platform']}: {len(found)} resources found", found))
        console.print(f"{report['platform']}: discovered {len(found)}, {verb} "
                      f"{len(found) if result['dry_run'] else len(report['deleted'])}, "
                      f"failed {len(report['failed'])} in {report['duration']:.2f} s")
        if report["failed"]:
            console.print(_table("Failed", report["failed"], with_error=True))
        for type_name in report.get("truncated") or []:
            err_console.print(f"Warning: the cloud cut the listing of {type_name} short (its list limit); "
                              "resources beyond it could not be seen.")
    for name in result.get("kept_contexts") or []:
        console.print(f"Kept persistent context {name} (delete it with: squall env cleanup-context {name})",
                      soft_wrap=True, markup=False, highlight=False)


def cleanup(ctx: typer.Context,
            env: str | None = typer.Option(None, "--env", help="Environment name or UUID (default: in use)."),
            task: str | None = typer.Option(None, "--task", help="Only this task's resources (default: every "
                                                                  "squall task's)."),
            dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted; delete nothing."),
            negative: bool = typer.Option(False, "--negative", help="Also delete resources inside squall's "
                                                                    "projects whose names squall did not give."),
            yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before deleting."),
            as_json: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
    """Delete the resources squall created (found by their names) on an environment."""
    api = ctx.obj
    if not dry_run and not yes:
        preview = api.cleanup.run(env=env, task_id=task, dry_run=True, negative=negative)
        count = sum(len(p["discovered"]) for p in preview["platforms"])
        print_report(preview)
        if count == 0:
            return
        if not sys.stdin.isatty():
            err_console.print("Refusing to delete without confirmation: run again with --yes (or --dry-run).")
            raise typer.Exit(1)
        typer.confirm(f"Delete these {count} resources?", abort=True)
    result = api.cleanup.run(env=env, task_id=task, dry_run=dry_run, negative=negative)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)
    if any(p["failed"] for p in result["platforms"]):
        raise typer.Exit(1)
