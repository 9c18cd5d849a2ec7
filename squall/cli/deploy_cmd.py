"""``squall deploy`` and ``squall tasks-history``: deployment graphs and their audit trail."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from squall import exceptions
from squall.cli.files import read_yaml
from squall.cli.output import Table, console, show
from squall.cli.rally_argv import spread_values

app = typer.Typer(help="Run deployment graphs on an environment's nodes.", no_args_is_help=True)
# Options that take several values after one flag, as in the seed's
# `tasks-history 1 --nodes 5 6 --statuses error ready`.
VARIADIC = ("--nodes", "--statuses", "--task-names")


def expand_variadic(argv: list[str]) -> list[str]:
    """Rewrite ``--nodes 5 6`` as ``--nodes 5 --nodes 6`` for the parser."""
    return spread_values(argv, VARIADIC)


@app.command("run")
def run(ctx: typer.Context, graph_file: Path,
        env: str | None = typer.Option(None, "--env", help="Environment (default: in use).")) -> None:
    """Execute a graph file; exit code 1 if any task failed."""
    graph = read_yaml(graph_file, "graph file")
    result = ctx.obj.deployment.run(graph=graph, env=env)
    rows = ctx.obj.deployment.history(run_id=result["id"], include_summary=False)
    console.print(history_table(rows))
    colour = "green" if result["status"] == "ready" else "red"
    console.print(f"Deployment run {result['id']} on {result['env_name']}: [{colour}]{result['status']}[/{colour}]"
                  f"  (squall tasks-history {result['id']})")
    if result["status"] != "ready":
        raise typer.Exit(1)


@app.command("runs")
def runs(ctx: typer.Context, env: str | None = typer.Option(None, "--env")) -> None:
    """List deployment runs."""
    table = Table()
    for col in ("Id", "Env", "Kind", "Name", "Status", "Created", "Finished"):
        table.add_column(col)
    for r in ctx.obj.deployment.runs(env=env):
        table.add_row(str(r["id"]), r["env_name"] or "-", r["kind"], r["name"], r["status"], r["created_at"][:19],
                      (r["finished_at"] or "")[:19])
    console.print(table)


def _clock(ts: float | None) -> str:
    return "" if ts is None else dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def history_table(rows: list[dict], include_summary: bool = False) -> Table:
    """One row per task per node."""
    table = Table()
    cols = ["Id", "Node", "Task", "Status", "Start", "End"] + (["Summary"] if include_summary else [])
    for col in cols:
        table.add_column(col)
    for r in rows:
        colour = {"ready": "green", "error": "red", "skipped": "yellow"}.get(r["status"], "white")
        cells = [str(r["id"]), str(r["node_id"]), r["task_name"], f"[{colour}]{r['status']}[/{colour}]",
                 _clock(r["time_start"]), _clock(r["time_end"])]
        if include_summary:
            cells.append(json.dumps(r.get("summary"), sort_keys=True))
        table.add_row(*cells)
    return table


def _ints(values: list[str], what: str) -> list[int]:
    try:
        return [int(v) for item in values for v in item.split(",") if v]
    except ValueError:
        raise exceptions.InvalidArgumentsError(f"{what}: node ids are integers, got {values}") from None


def _words(values: list[str]) -> list[str]:
    return [v for item in values for v in item.split(",") if v]


def tasks_history(ctx: typer.Context,
                  task: int | None = typer.Argument(None, help="Deployment run id (the seed's task id)."),
                  task_id: int | None = typer.Option(None, "--task-id", help="Same, as an option."),
                  node_id: list[str] = typer.Option([], "--node-id", "--nodes", help="Node ids: 5,6 or 5 6."),
                  statuses: list[str] = typer.Option([], "--statuses", help="error,ready or error ready."),
                  task_names: list[str] = typer.Option([], "--task-names", help="Task names."),
                  include_summary: bool = typer.Option(False, "--include-summary"),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Show the per-node history of a deployment run."""
    run_id = task_id if task_id is not None else task
    if run_id is None:
        raise exceptions.InvalidArgumentsError("give the run id: tasks-history 1, or --task-id 1")
    rows = ctx.obj.deployment.history(run_id=run_id, nodes=_ints(node_id, "--node-id") or None,
                                      statuses=_words(statuses) or None, task_names=_words(task_names) or None,
                                      include_summary=include_summary or as_json)
    show(rows, as_json, lambda r: history_table(r, include_summary), "No history rows match.")
