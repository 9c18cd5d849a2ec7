"""``squall task``: validate, run and inspect tasks."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from squall import bounded, exceptions
from squall.cli import task_restart
from squall.cli.files import read_templates, read_text, write_text
from squall.cli.output import (
    console,
    deliver,
    err_console,
    hooks_table,
    print_detailed,
    print_whole,
    seconds,
    show,
    tasks_table,
)
from squall.cli.task_run import run_and_report

app = typer.Typer(help="Validate, run and inspect tasks.", no_args_is_help=True)

TaskArgs = typer.Option(None, "--task-args", help="Template variables as JSON or YAML.")
TaskArgsFile = typer.Option(None, "--task-args-file", help="File of template variables (JSON or YAML).")


def _read(path: Path) -> str:
    return read_text(path, "task file")


def _args_file(path: str | None) -> str | None:
    return None if path is None else read_text(path, "task args file")


def _print_invalid(exc: exceptions.InvalidTaskError) -> None:
    err_console.print(f"[red]Task config is invalid[/red] ({len(exc.errors)} error(s)):")
    for error in exc.errors:
        err_console.print(f"  - {error}", soft_wrap=True, markup=False)


TaskFile = typer.Argument(None, help="The task file (or --task, Rally's spelling).", show_default=False)
TaskOption = typer.Option(None, "--task", help="The task file (Rally's spelling).", show_default=False)
EnvOption = typer.Option(None, "--env", "--deployment", help="Environment name or UUID (default: in use).")


def _task_file(positional: Path | None, option: Path | None) -> Path:
    if positional is not None and option is not None and positional != option:
        raise exceptions.InvalidArgumentsError("give the task file once: as an argument or with --task")
    path = positional or option
    if path is None:
        raise exceptions.InvalidArgumentsError("no task file given (squall task start FILE, or --task FILE)")
    return path


@app.command()
def validate(ctx: typer.Context, task_file: Path | None = TaskFile, task: Path | None = TaskOption,
             task_args: str | None = TaskArgs, task_args_file: str | None = TaskArgsFile,
             env: str | None = EnvOption) -> None:
    """Check a task file without running anything, against the environment it would run on."""
    task_file = _task_file(task_file, task)
    try:
        text = _read(task_file)
        result = ctx.obj.task.validate(config=text, task_args=task_args,
                                       task_args_file_content=_args_file(task_args_file), source=str(task_file),
                                       templates=read_templates(task_file, text), env=env)
    except exceptions.InvalidTaskError as exc:
        _print_invalid(exc)
        raise typer.Exit(1) from None
    console.print(f"Task config is valid: {result['workloads']} workload(s) in {result['subtasks']} subtask(s).")


SECONDS_HELP = ("Print durations as Rally does (seconds, 3 decimals) instead of 3 significant digits in the unit "
                "that fits the table (µs, ms or s).")


@app.command()
def start(ctx: typer.Context, task_file: Path | None = TaskFile, task_opt: Path | None = TaskOption,
          task_args: str | None = TaskArgs, task_args_file: str | None = TaskArgsFile,
          env: str | None = EnvOption,
          tag: list[str] | None = typer.Option(None, "--tag", help="Tag the task (repeatable)."),
          abort_on_sla_failure: bool = typer.Option(False, "--abort-on-sla-failure",
                                                    help="Stop a workload as soon as an SLA fails."),
          persistent_context: str | None = typer.Option(
              None, "--persistent-context", help="Run on this persistent context (squall env setup-context) "
                                                 "instead of setting up the contexts it provides."),
          prometheus_port: int | None = typer.Option(
              None, "--prometheus-port", min=1, max=65535,
              help="Serve the running workloads' metrics for Prometheus on 127.0.0.1:PORT while the task runs."),
          executor: str | None = typer.Option(
              None, "--executor", help="Where the iterations run: local (this machine, the default), "
                                       "dask://HOST:PORT (a Dask scheduler's workers) or dask-local:N."),
          dask_workers: int | None = typer.Option(
              None, "--dask-workers", help="How many of the Dask cluster's workers to use (all by default)."),
          fail_on_worker_loss: bool = typer.Option(
              False, "--fail-on-worker-loss", help="Stop the load when a Dask worker is lost (by default the "
                                                   "others go on, and the loss is reported)."),
          results: str | None = typer.Option(
              None, "--results", help="How results travel: rows (one per iteration, the default) or aggregate "
                                      "(per-second figures and histograms from each worker, for high rates)."),
          quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
          rally_seconds: bool = typer.Option(False, "--seconds", help=SECONDS_HELP)) -> None:
    """Run a task file and print its results."""
    api = ctx.obj
    task_file = _task_file(task_file, task_opt)
    dask = {"executor": executor, "dask_workers": dask_workers, "fail_on_worker_loss": fail_on_worker_loss or None,
            "results": results}
    dask = {key: value for key, value in dask.items() if value is not None}
    if dask:
        api.task.check_executor(**dask)  # before a task is made for it
    try:
        text = _read(task_file)
        task = api.task.create(config=text, task_args=task_args,
                               task_args_file_content=_args_file(task_args_file), env=env, tags=tag,
                               source=str(task_file), templates=read_templates(task_file, text),
                               persistent_context=persistent_context)
    except exceptions.InvalidTaskError as exc:
        _print_invalid(exc)
        raise typer.Exit(1) from None
    run_and_report(api, task, abort_on_sla_failure, prometheus_port, dask, quiet, rally_seconds)


@app.command()
def detailed(ctx: typer.Context, task_id: str | None = typer.Argument(None, help="Task UUID (default: in use)."),
             as_json: bool = typer.Option(False, "--json"),
             iterations_data: bool = typer.Option(False, "--iterations-data",
                                                  help="Also show every iteration's duration and atomic actions."),
             rally_seconds: bool = typer.Option(False, "--seconds", help=SECONDS_HELP)) -> None:
    """Print a task's statistics and SLA verdicts."""
    task = ctx.obj.task.get(task_id=task_id, detailed=as_json)
    per_iteration = {}
    if iterations_data:
        total = max([w["total_iteration_count"] or 0 for s in task["subtasks"] for w in s["workloads"]] + [1])
        per_iteration = {w["workload_uuid"]: w for w in ctx.obj.results.iterations(task_id=task["uuid"],
                                                                           limit=min(total, 1_000_000))}
    if as_json:
        if iterations_data:
            task["iterations"] = list(per_iteration.values())
        print(json.dumps(task, indent=2))
        return
    print_detailed(task, ctx.obj.task.hooks(task_id=task["uuid"]), per_iteration, rally_seconds)


@app.command()
def hooks(ctx: typer.Context, task_id: str | None = typer.Argument(None, help="Task UUID (default: in use)."),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """List every hook run: hook, trigger, iteration, times, status."""
    show(ctx.obj.task.hooks(task_id=task_id), as_json, hooks_table, "No hook runs.")


@app.command()
def status(ctx: typer.Context, task_id: str | None = typer.Argument(None),
           as_json: bool = typer.Option(False, "--json", help="Print the status as JSON.")) -> None:
    """Print a task's status."""
    data = ctx.obj.task.status(task_id=task_id)
    if as_json:
        print(json.dumps(data, indent=2))
        return
    console.print(f"Task {data['uuid']}: {data['status']}")


@app.command("list")
def list_(ctx: typer.Context, status: str | None = typer.Option(None), env: str | None = typer.Option(None),
          tag: list[str] | None = typer.Option(None, "--tag"), since: str | None = typer.Option(None),
          until: str | None = typer.Option(None), limit: int | None = typer.Option(None),
          as_json: bool = typer.Option(False, "--json"),
          uuids_only: bool = typer.Option(False, "--uuids-only", help="Print only the UUIDs, one a line."),
          all_envs: bool = typer.Option(False, "--all-envs",
                                        help="Every environment's tasks (what squall lists without --env).")) -> None:
    """List tasks."""
    tasks = ctx.obj.task.list(status=status, env=None if all_envs else env, tags=tag, since=since, until=until,
                              limit=limit)
    if uuids_only:
        for task in tasks:
            print(task["uuid"])
        return
    show(tasks, as_json, tasks_table, "No tasks.")


@app.command()
def abort(ctx: typer.Context, task_id: str | None = typer.Argument(None, help="Task UUID (default: in use)."),
          soft: bool = typer.Option(False, "--soft")) -> None:
    """Stop a running task; running iterations finish and results are kept."""
    data = ctx.obj.task.abort(task_id=task_id, soft=soft)
    console.print(f"Task {data['uuid']}: {data['status']}")


@app.command()
def delete(ctx: typer.Context, task_id: list[str], force: bool = typer.Option(False, "--force")) -> None:
    """Delete tasks and their results."""
    for one in task_id:
        ctx.obj.task.delete(task_id=one, force=force)
        console.print(f"Deleted task {one}")


@app.command()
def use(ctx: typer.Context, task_id: str) -> None:
    """Make a task the default for later commands."""
    data = ctx.obj.task.use(task_id=task_id)
    console.print(f"Using task {data['uuid']}")


@app.command("sla-check")
def sla_check(ctx: typer.Context, task_id: str | None = typer.Argument(None),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """Print SLA verdicts, as Rally's (--json: its list of {criterion, detail, status, benchmark, pos}); exit code
    the number of failed criteria (0 when all passed; 2 when the task has none), as Rally's."""
    data = ctx.obj.task.sla_check(task_id=task_id)
    rows = [{"criterion": v["criterion"], "detail": v["detail"], "status": "PASS" if v["success"] else "FAIL",
             "benchmark": v["scenario"], "pos": v["position"]}
            for v in sorted(data["verdicts"], key=lambda v: (v["subtask_position"], v["position"], v["criterion"]))]
    if as_json:
        print(json.dumps(rows))
    else:
        from squall.cli.output import Table

        table = Table()
        for col in ("Benchmark", "Pos", "Criterion", "Status", "Detail"):
            table.add_column(col)
        for row in rows:
            colour = "green" if row["status"] == "PASS" else "red"
            table.add_row(row["benchmark"], str(row["pos"]), row["criterion"],
                          f"[{colour}]{row['status']}[/{colour}]", row["detail"])
        console.print(table)
    if not rows:
        raise typer.Exit(2)
    failed = sum(row["status"] == "FAIL" for row in rows)
    if failed:
        raise typer.Exit(min(failed, 255))


@app.command()
def export(ctx: typer.Context, task_id: list[str] | None = typer.Argument(None, help="Tasks (default: in use)."),
           type_: str = typer.Option("json", "--type", help="json (Rally's schema), squall-json (with squall's "
                                                            "additions), junit-xml, html, csv, old-json-results, "
                                                            "or an exporter plugin's name."),
           to: Path | None = typer.Option(None, "--to", help="File to write (default: standard output).")) -> None:
    """Export task results."""
    data = ctx.obj.results.export(task_ids=task_id, type=type_)
    deliver(data, to)


def _ids_and_files(given: list[str] | None) -> tuple[list[str], list[str]]:
    """Task ids, and results files (Rally's task report and trends take both): a word naming a file is one."""
    ids = [g for g in given or [] if not Path(g).is_file()]
    return ids, [g for g in given or [] if Path(g).is_file()]


@app.command()
def report(ctx: typer.Context,
           task_id: list[str] | None = typer.Argument(None, help="Tasks, shown side by side (default: in use)."),
           out: Path | None = typer.Option(None, "--out", help="File to write (default: squall-report-TASK.html, "
                                                               ".json or .xml here)."),
           bins: int = typer.Option(500, help="Points per time chart."),
           html: bool = typer.Option(False, "--html", "--html-static",
                                     help="An HTML report (the default; Rally's spellings)."),
           as_json: bool = typer.Option(False, "--json", help="Rally's JSON results instead."),
           junit: bool = typer.Option(False, "--junit-xml", help="JUnit XML instead.")) -> None:
    """Write a self-contained HTML report (opens offline); --json or --junit-xml as Rally's task report."""
    if as_json + junit + html > 1:
        raise exceptions.InvalidArgumentsError("choose one of --html, --json and --junit-xml")
    ids, files = _ids_and_files(task_id)
    if files and (as_json or junit):
        raise exceptions.InvalidArgumentsError("results files make an HTML report; --json and --junit-xml "
                                               "export stored tasks (squall task import FILE first)")
    if out is None:
        first = Path(files[0]).stem if files and not ids else ctx.obj.task.get(task_id=ids[0] if ids else None)["uuid"]
        out = Path(f"squall-report-{first[:8]}{'.json' if as_json else '.xml' if junit else '.html'}")
    if files:
        data = ctx.obj.results.report_files(contents=[read_text(f, "results file") for f in files], task_ids=ids,
                                            bins=bins)
        write_text(out, data["content"])
        console.print(f"Wrote HTML report to {out} ({len(data['content']) / 1024:,.0f} KB)")
        return
    if as_json or junit:
        exported = ctx.obj.results.export(task_ids=task_id, type="json" if as_json else "junit-xml")
        write_text(out, exported["content"])
        console.print(f"Wrote {'JSON' if as_json else 'JUnit XML'} report to {out}")
        return
    data = ctx.obj.results.report(task_ids=task_id, bins=bins)
    write_text(out, data["content"])
    console.print(f"Wrote HTML report to {out} ({len(data['content']) / 1024:,.0f} KB)")


@app.command()
def compare(ctx: typer.Context, task_a: str = typer.Argument(..., help="The reference run."),
            task_b: str = typer.Argument(..., help="The run to judge."),
            max_degradation: float = typer.Option(10.0, help="Allowed growth of median and p95, in percent."),
            max_failure_increase: float = typer.Option(1.0, help="Allowed growth of failure rate, in points."),
            noise_floor: float = typer.Option(0.00005, help="Seconds a median or p95 must grow by, at least, to be "
                                              "a regression (besides the percent and the runs' own spread)."),
            out: Path | None = typer.Option(None, "--out", help="Also write an HTML report of both runs."),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Compare two runs workload by workload; exit code 1 on a regression."""
    from squall.cli.output import Table

    result = ctx.obj.results.compare(task_a=task_a, task_b=task_b, max_degradation=max_degradation,
                                  max_failure_increase=max_failure_increase, html=out is not None,
                                  noise_floor=noise_floor)
    content = result.pop("content", None)
    if out is not None and content is not None:
        write_text(out, content)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        for w in result["workloads"]:
            table = Table(title=f"{w['name']} (A #{w['position_a']} vs B #{w['position_b']})", title_justify="left")
            for col in ("Metric", "A", "B", "Change"):
                table.add_column(col, justify="left" if col == "Metric" else "right")
            for m in ("median", "95%ile", "max"):
                x = w["metrics"][m]
                ch = "n/a" if x["change"] is None else f"{x['change']:+.1f}%" + (" (noise)" if x.get("noise") else "")
                table.add_row(m, seconds(x["a"]), seconds(x["b"]), ch)
            f = w["metrics"]["failure_rate"]
            table.add_row("failure rate", f"{f['a']:.2f}%", f"{f['b']:.2f}%", f"{f['change']:+.2f} pt")
            console.print(table)
            if w["config_differs"]:
                console.print(f"[yellow]warning:[/yellow] the two workloads are configured differently "
                              f"({', '.join(w['config_differs'])}): their figures may not compare")
            if w["regression"]:
                console.print("[red]regression:[/red] " + ", ".join(w["reasons"]))
            else:
                console.print("[green]ok[/green]")
        if result["unmatched_a"] or result["unmatched_b"]:
            console.print(f"Unmatched workloads: {result['unmatched_a']} in A, {result['unmatched_b']} in B")
        verdict = "[red]REGRESSION[/red]" if result["regression"] else "[green]no regression[/green]"
        console.print(f"Verdict: {verdict} (thresholds: +{max_degradation}% on median/p95, "
                      f"+{max_failure_increase} points of failures)")
        if out is not None:
            console.print(f"Wrote HTML comparison to {out}")
    if result["regression"]:
        raise typer.Exit(1)


@app.command()
def trends(ctx: typer.Context, task_id: list[str] | None = typer.Argument(None, help="Tasks (default: by filter)."),
           tag: list[str] | None = typer.Option(None, "--tag", help="Tasks with this tag."),
           env: str | None = typer.Option(None, "--env", help="Tasks of this environment."),
           out: Path | None = typer.Option(None, "--out", help="HTML file to write (default: "
                                                                "squall-trends-TAG.html, or of the environment or "
                                                                "the first task, here).")) -> None:
    """Write an HTML report of each workload's statistics across runs (tasks, or results files as Rally's)."""
    ids, files = _ids_and_files(task_id)
    if files:
        result = ctx.obj.results.trends_files(contents=[read_text(f, "results file") for f in files], task_ids=ids)
    else:
        result = ctx.obj.results.trends(task_ids=task_id, tags=tag, env=env, html=True)
    if out is None:
        named = (tag[0] if tag else None) or env or (result["tasks"][0][:8] if result["tasks"] else "runs")
        out = Path(f"squall-trends-{''.join(c if c.isalnum() or c in '-_.' else '_' for c in named)}.html")
    write_text(out, result["content"])
    console.print(f"Wrote trends of {len(result['tasks'])} runs, {len(result['workloads'])} workload "
                  f"configurations to {out}")


@app.command()
def results(ctx: typer.Context,
            task_id: str | None = typer.Argument(None, help="Task UUID (default: in use).")) -> None:
    """Print a task's results in Rally's older `task results` format (a JSON list, one item a workload)."""
    print_whole(ctx.obj.results.export(task_ids=[task_id] if task_id else None, type="old-json-results")["content"])


@app.command("import")
def import_(ctx: typer.Context, results_file: Path | None = typer.Argument(None, show_default=False),
            file_opt: Path | None = typer.Option(None, "--file", help="The results file (Rally's spelling).",
                                                 show_default=False),
            tag: list[str] | None = typer.Option(None, "--tag")) -> None:
    """Import a JSON results file written by squall or Rally."""
    path = results_file or file_opt
    if path is None:
        raise exceptions.InvalidArgumentsError("no results file given (squall task import FILE, or --file FILE)")
    text = read_text(path, "results file", bounded.MAX_IMPORT_CHARS)
    data = ctx.obj.results.import_results(content=text, tags=tag)
    for uuid in data["imported"]:
        console.print(f"Imported task {uuid}")


app.command("restart")(task_restart.restart)
