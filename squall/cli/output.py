"""Tables and messages the CLI prints (rich)."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
from collections.abc import Callable
from typing import Any

from rich import table as rich_table
from rich.console import Console

from squall.cli.files import write_text


class Table(rich_table.Table):
    """A rich table that never cuts a cell: what does not fit wraps, so UUIDs and counts stay whole."""

    def add_column(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """A column whose overflow folds instead of ending in an ellipsis."""
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)


def _width(stream: Any) -> int | None:
    # Piped output and CI logs have no terminal: rich would assume 80 columns.
    if os.environ.get("COLUMNS") or stream.isatty():
        return None
    return 200


console = Console(highlight=False, width=_width(sys.stdout))
err_console = Console(stderr=True, highlight=False, width=_width(sys.stderr))


# print() hands the whole text to the stream at once, and Linux writes at most 2,147,479,552 bytes a call: the
# rest of a larger export to a pipe was lost without an error. Text goes out in slices.
STDOUT_SLICE = 1 << 20


def print_whole(text: str) -> None:
    """Print ``text`` and a newline to standard output, every byte of it however long it is."""
    write = sys.stdout.write
    for at in range(0, len(text), STDOUT_SLICE):
        write(text[at:at + STDOUT_SLICE])
    write("\n")
    sys.stdout.flush()


def show(rows: list[dict[str, Any]], as_json: bool, table: Any, empty: str) -> None:
    """Print ``rows`` as JSON, as ``table(rows)``, or say ``empty``."""
    if as_json:
        print_whole(json.dumps(rows, indent=2))
    elif not rows:
        console.print(empty)
    else:
        console.print(table(rows))


def fmt(value: Any, digits: int = 3) -> str:
    """A number rounded for a table, or ``n/a``."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def deliver(data: dict[str, Any], to: Any) -> None:
    """An export's ``content``: printed, or written to ``to`` with one line saying so."""
    if to is None:
        print_whole(data["content"])
        return
    write_text(to, data["content"])
    console.print(f"Wrote {data['type']} report to {to}")


def program() -> str:
    """How to type squall again in this shell: ``squall`` when that is this program, else its path."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) == "squall":
        found = shutil.which("squall")
        if found and os.path.realpath(found) == os.path.realpath(argv0):
            return "squall"
        return argv0 if os.sep in argv0 else "squall"
    return f"{sys.executable} -m squall.cli.main"


def seconds(value: float | None) -> str:
    """A duration with 3 significant digits in a unit that fits: 412 µs, 3.27 ms, 1.50 s."""
    if value is None:
        return "n/a"
    if value == 0:
        return "0 s"
    magnitude = abs(value)
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if magnitude >= scale or unit == "µs":
            shown = value / scale
            return f"{shown:.{max(0, 2 - (len(str(int(abs(shown)))) - 1))}f} {unit}"
    return f"{value:.3g} s"


_TIME_CELLS = ("min", "median", "90%ile", "95%ile", "max", "avg")
UNITS = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6))


def table_unit(medians: list[float]) -> tuple[str, float]:
    """The unit of a table of durations: the one in which its smallest median reads 1 or more (µs at least)."""
    shown = [m for m in medians if m and m > 0]
    smallest = min(shown) if shown else 1.0
    return next((unit, scale) for unit, scale in UNITS if smallest >= scale or unit == "µs")


def in_unit(value: Any, scale: float) -> str:
    """A duration in a table's unit with 3 significant digits (all the digits of a whole number): 412, 3.27,
    0.0123; ``n/a`` when unknown."""
    if value is None or value == "n/a":
        return "n/a"
    shown = float(value) / scale
    if shown == 0:
        return "0"
    magnitude = abs(shown)
    if magnitude >= 100:
        return f"{shown:,.0f}"
    decimals = min(6, 2 - math.floor(math.log10(magnitude)))
    return f"{shown:.{decimals}f}"


def _stat_rows(row: dict[str, Any], depth: int, cell: Any) -> list[list[str]]:
    d = row["data"]
    name = ("  " * depth + ("> " if depth else "")) + row["display_name"]
    rows = [[name, *(cell(d[key]) for key in _TIME_CELLS), d["success"], str(d["iteration_count"])]]
    for child in row.get("children") or []:
        rows.extend(_stat_rows(child, depth + 1, cell))
    return rows


def _table_rows(statistics: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    durations = (statistics or {}).get("durations") or {}
    found = [(atomic, 0) for atomic in durations.get("atomics") or []]
    if durations.get("total"):
        found.append((durations["total"], 0))
    schedule = (statistics or {}).get("schedule")
    if schedule:  # open loop: the latency from each iteration's due time, and how late it started
        found += [({"display_name": name, "data": schedule[key]}, 1)
                  for name, key in (("from schedule", "from_schedule"), ("start lag", "start_lag"))]
    return found


def stats_table(statistics: dict[str, Any], rally_seconds: bool = False) -> Table:
    """Rally's statistics table; its durations in the unit that fits them, with 3 significant digits (with
    ``rally_seconds``, Rally's own: seconds with 3 decimals)."""
    rows = _table_rows(statistics)
    cell: Callable[[Any], str]
    if rally_seconds:
        title, cell = "Response Times (sec)", fmt
    else:
        unit, scale = table_unit([row["data"].get("median") for row, _depth in rows])
        title = f"Response Times ({unit})"

        def cell(value: Any) -> str:
            return in_unit(value, scale)
    table = Table(title=title, title_justify="left")
    table.add_column("Action", no_wrap=True)
    for col in ("Min", "Median", "90%ile", "95%ile", "Max", "Avg", "Success", "Count"):
        table.add_column(col, justify="right", no_wrap=True)
    for row, depth in rows:
        rows_of = _stat_rows(row, depth, cell)
        for r in rows_of if depth == 0 else rows_of[:1]:
            table.add_row(*r)
    return table


def schedule_note(wl: dict[str, Any]) -> str | None:
    """Open loop: a warning when iterations started late (the generator could not keep the schedule)."""
    schedule = (wl.get("statistics") or {}).get("schedule")
    if not schedule or not schedule["late"]:
        return None
    lag = schedule["start_lag"]
    limit = (wl.get("runner") or {}).get("max_concurrency")
    note = (f"{schedule['late']} of {lag['iteration_count']} iterations started more than "
            f"{seconds(schedule['late_after'])} behind schedule (start lag p99 {seconds(lag['99%ile'])}, "
            f"max {seconds(lag['max'])}); at most {schedule['max_concurrency']} ran at once")
    if limit and schedule["max_concurrency"] >= limit:
        return note + f": every slot was busy (max_concurrency {limit}); 'from schedule' counts the wait."
    if schedule["late"] >= lag["iteration_count"] / 100:
        return note + ": the generator could not keep up; 'from schedule' counts the wait."
    return note + "."


def sla_table(results: list[dict[str, Any]]) -> Table:
    """One row per SLA verdict."""
    table = Table(title="SLA", title_justify="left")
    table.add_column("Criterion")
    table.add_column("Status")
    table.add_column("Detail")
    for r in results:
        status = "[green]PASS[/green]" if r["success"] else "[red]FAIL[/red]"
        table.add_row(r["criterion"], status, r["detail"])
    return table


ARGS_SHOWN = 300  # characters of a workload's arguments on its heading line; the task file has them all
ERROR_KINDS_SHOWN = 5


def _one_line(value: Any, limit: int = ARGS_SHOWN) -> str:
    text = json.dumps(value, separators=(", ", ": "), default=str)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def error_kinds_lines(wl: dict[str, Any]) -> list[str]:
    """Why iterations failed: the most frequent kinds, with counts and the first iteration of each."""
    kinds = (wl.get("statistics") or {}).get("errors") or []
    if not kinds:
        return []
    failed = wl["failed_iteration_count"] or sum(k["count"] for k in kinds)
    lines = [f"Why {failed:,} iteration(s) failed ({len(kinds)} kind(s)):"]
    for kind in kinds[:ERROR_KINDS_SHOWN]:
        first = f", first in iteration {kind['first_iteration']}" if kind.get("first_iteration") else ""
        message = kind["message"] if len(kind["message"]) <= 200 else kind["message"][:200] + "…"
        lines.append(f"  {kind['count']:,} × {kind['type']}: {message}{first}")
    if len(kinds) > ERROR_KINDS_SHOWN:
        rest = sum(k["count"] for k in kinds[ERROR_KINDS_SHOWN:])
        lines.append(f"  {rest:,} more in {len(kinds) - ERROR_KINDS_SHOWN} other kind(s): see the HTML report")
    return lines


def checks_lines(wl: dict[str, Any]) -> list[str]:
    """Each named check with its passes and failures, as k6 lists its checks (✓ all passed, ✗ some failed)."""
    found = (wl.get("statistics") or {}).get("checks") or []
    if not found:
        return []
    passed = sum(c["passed"] for c in found)
    total = passed + sum(c["failed"] for c in found)
    lines = [f"Checks: {passed:,} of {total:,} passed ({percent(passed, total)})"]
    width = min(60, max(len(c["name"]) for c in found))
    for c in found:
        mark = "✗" if c["failed"] else "✓"
        failed = f", {c['failed']:,} failed ({percent(c['failed'], c['passed'] + c['failed'])})" if c["failed"] \
            else ""
        lines.append(f"  {mark} {c['name']:<{width}}  {c['passed']:,} passed{failed}")
    return lines


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with the digits it needs: 99.95% is not 100.0%."""
    if not whole:
        return "n/a"
    share = 100 * part / whole
    if part in (0, whole):
        return f"{share:.0f}%"
    for digits in (1, 2, 3, 4):
        shown = round(share, digits)
        if 0 < shown < 100:
            return f"{shown:.{digits}f}%"
    return f"{share:.5f}%"


def print_workload(wl: dict[str, Any], rally_seconds: bool = False) -> None:
    """Everything about one finished workload."""
    console.rule(f"[bold]{wl['name']}[/bold] (workload {wl['position']}, {wl['runner_type']} runner)")
    console.print(f"args: {_one_line(wl['args'])}  runner: {_one_line(wl['runner'])}", markup=False,
                  highlight=False)
    console.print(stats_table(wl["statistics"], rally_seconds))
    total = wl["total_iteration_count"]
    failed = wl["failed_iteration_count"]
    rate = total / wl["load_duration"] if wl["load_duration"] else 0.0
    if rally_seconds:
        load, full = f"{fmt(wl['load_duration'])} s", f"{fmt(wl['full_duration'])} s"
    else:
        load, full = seconds(wl["load_duration"]), seconds(wl["full_duration"])
    console.print(f"Load duration: {load}   Full duration: {full}   "
                  f"Iterations: {total}   Failures: {failed}   Rate: {rate:,.1f} it/s")
    if (wl.get("statistics") or {}).get("aggregate"):
        console.print("Results: aggregate (per-second figures from the workers, no iteration rows): "
                      "percentiles from histograms, to 3 significant digits; min, max, average and counts "
                      "are exact.")
    elif (wl.get("statistics") or {}).get("exact") is False:
        console.print("Percentiles from a histogram, to 3 significant digits: more than a million "
                      "iterations. Min, max, average and counts are exact.")
    for line in error_kinds_lines(wl):
        console.print(line, markup=False, highlight=False, style="red" if line[0] != " " else None)
    for line in checks_lines(wl):
        console.print(line, markup=False, highlight=False, style="red" if line.startswith("  ✗") else None)
    note = schedule_note(wl)
    if note:
        console.print(f"[yellow]{note}[/yellow]")
    for ctx in wl.get("contexts_results") or []:
        for step in ("setup", "cleanup"):
            error = (ctx.get(step) or {}).get("error")
            if error:
                console.print(f"[red]context {ctx['plugin_name']} {step} failed:[/red] "
                              f"{error['etype']}: {error['msg']}")
    console.print(sla_table((wl.get("sla_results") or {}).get("sla", [])))


def iterations_table(workload: dict[str, Any]) -> Table:
    """Rally's "Atomics per iteration" table of one workload (from ``task.iterations``)."""
    table = Table(title="Atomics per iteration", title_justify="left")
    for col in workload["headers"]:
        table.add_column(col, justify="right")
    for row in workload["rows"]:
        table.add_row(str(row[0]), *(fmt(v) for v in row[1:]))
    return table


def hooks_table(runs: list[dict[str, Any]]) -> Table:
    """One row per hook run (the flat view of the hooks design)."""
    table = Table(title="Hooks", title_justify="left")
    for col in ("Hook", "Trigger", "Iteration", "Started", "Duration", "Status", "Error"):
        table.add_column(col)
    for r in runs:
        trig = r["triggered_by"]
        status = "[green]success[/green]" if r["status"] == "success" else f"[red]{r['status']}[/red]"
        iteration = "-" if r.get("iteration") is None else str(r["iteration"])
        table.add_row(r["action"], f"{trig['event_type']} {trig['value']}", iteration,
                      _clock(r["started_at"]), seconds(r["duration"]), status, hook_error(r.get("error")))
    return table


def hook_error(error: Any) -> str:
    """A hook run's error in one line: squall's ``{exception_name, description}`` or Rally's ``{etype, msg}``
    (an imported run), its kind first unless unknown."""
    if not isinstance(error, dict) or not error:
        return ""
    kind = error.get("exception_name") or error.get("etype")
    message = error.get("description") or error.get("msg") or ""
    return f"{kind}: {message}" if kind and kind != "n/a" else str(message)


def _clock(timestamp: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%H:%M:%S.%f")[:-3]


_ROLE = re.compile(r":[a-z]+:`~?(?:[\w.]*\.)?([^`]+)`")


def plain(text: str) -> str:
    """A docstring's reStructuredText as a terminal shows it: ``code`` and :role:`~a.b.Name` as code, Name."""
    return _ROLE.sub(r"\1", text).replace("``", "`")


def tasks_table(tasks: list[dict[str, Any]]) -> Table:
    """The task list; on a terminal under 110 columns, without the duration, environment and tags, and the
    creation time to the minute. An identifier is never folded or cut."""
    narrow = console.width < 110
    table = Table()
    table.add_column("UUID", no_wrap=True, min_width=36)
    table.add_column("Created", no_wrap=True)
    columns = ("Status", "SLA", "Title") if narrow else ("Duration", "Status", "SLA", "Env", "Title", "Tags")
    for col in columns:
        table.add_column(col)
    for t in tasks:
        sla = {True: "[green]pass[/green]", False: "[red]fail[/red]", None: "-"}[t["pass_sla"]]
        created = (t["created_at"] or "")[:19]
        if narrow:
            table.add_row(t["uuid"], created[5:16].replace("T", " "), t["status"], sla, t["title"])
        else:
            table.add_row(t["uuid"], created, fmt(t["task_duration"], 2), t["status"], sla, t["env_name"] or "-",
                          t["title"], ", ".join(t["tags"] or []))
    return table


def print_detailed(task: dict[str, Any], hook_runs: list[dict[str, Any]],
                   per_iteration: dict[str, dict[str, Any]], rally_seconds: bool = False) -> None:
    """Every workload of a task (statistics, SLA, iteration tables when given, hook runs), then its verdict."""
    for sub in task["subtasks"]:
        for wl in sub["workloads"]:
            print_workload(wl, rally_seconds)
            if wl["uuid"] in per_iteration:
                console.print(iterations_table(per_iteration[wl["uuid"]]))
            runs = [r for r in hook_runs if r["workload_uuid"] == wl["uuid"]]
            if runs:
                console.print(hooks_table(runs))
    verdict = {True: "[green]passed[/green]", False: "[red]failed[/red]", None: "n/a"}[task["pass_sla"]]
    console.print(f"\nTask {task['uuid']}: {task['status']}, SLA {verdict}")
