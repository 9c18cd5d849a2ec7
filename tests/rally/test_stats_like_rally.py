"""squall's statistics table computed from Rally 5.1.1's iterations equals Rally's own, cell by cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from squall.task.results.stats import WorkloadStats
from tests.conftest import CLI
from tests.rally import oracle

CELLS = ("min", "median", "90%ile", "95%ile", "max", "avg")


def _cells(row: dict[str, Any]) -> list[Any]:
    """A row as Rally's table shows it: 3 decimals or n/a, success, count; then its children."""
    data = row["data"]
    shown = [row["display_name"]]
    shown += ["n/a" if data[c] in (None, "n/a") else round(data[c], 3) for c in CELLS]
    shown += [data["success"], data["iteration_count"], row["count_per_iteration"]]
    return [shown, [_cells(child) for child in row["children"]]]


def _table(statistics: dict[str, Any]) -> list[Any]:
    durations = statistics["durations"]
    return [_cells(row) for row in durations["atomics"]] + [_cells(durations["total"])]


def test_every_cell_equals_rallys(rally_dummy_run: tuple[dict[str, Any], Path]) -> None:
    report, _ = rally_dummy_run
    workloads = [wl for sub in report["tasks"][0]["subtasks"] for wl in sub["workloads"]]
    seen_failures = seen_repeats = False
    for wl in workloads:
        stats = WorkloadStats()
        for iteration in sorted(wl["data"], key=lambda it: it["timestamp"]):
            stats.add_iteration(iteration)
        assert _table(stats.to_dict()) == _table(wl["statistics"]), wl["name"]
        seen_failures |= wl["failed_iteration_count"] == wl["total_iteration_count"] > 0
        seen_repeats |= any("(x2)" in row["display_name"] for row in wl["statistics"]["durations"]["atomics"])
    assert seen_failures and seen_repeats  # every-iteration-failed and repeated atomics were among them


def _rallys_iteration_tables(text: str) -> list[list[list[str]]]:
    """The "Atomics per iteration" tables of `rally task detailed --iterations-data`: header, then rows."""
    tables: list[list[list[str]]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "Atomics per iteration" in line:
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith(("|", "+")):
                    break
                if row.startswith("|"):
                    rows.append([cell.strip() for cell in row.strip("|").split("|")])
            tables.append(rows)
    return tables


def _same_cell(ours: Any, theirs: str) -> bool:
    return str(ours) == theirs if isinstance(ours, int) else round(ours, 3) == float(theirs)


def test_imported_rally_results_show_rallys_tables(rally_dummy_run: tuple[dict[str, Any], Path], cli: CLI,
                                                    dummy_rally: oracle.Rally, tmp_path: Path) -> None:
    report, _ = rally_dummy_run
    path = tmp_path / "rally.json"
    path.write_text(json.dumps(report))
    cli("task", "import", str(path), check=True)
    detailed = json.loads(cli("task", "detailed", "--json", "--iterations-data", check=True).stdout)
    ours = [wl for sub in detailed["subtasks"] for wl in sub["workloads"]]
    theirs = [wl for sub in report["tasks"][0]["subtasks"] for wl in sub["workloads"]]
    assert [_table(wl["statistics"]) for wl in ours] == [_table(wl["statistics"]) for wl in theirs]

    # --iterations-data: Rally's "Atomics per iteration" tables, header and every cell.
    shown = dummy_rally("task", "detailed", report["tasks"][0]["uuid"], "--iterations-data", check=True).stdout
    rallys = _rallys_iteration_tables(shown)
    assert len(rallys) == len(detailed["iterations"]) == len(theirs)
    for mine, want in zip(detailed["iterations"], rallys, strict=True):
        assert mine["headers"] == want[0], mine["name"]
        assert len(mine["rows"]) == len(want) - 1 == mine["total"], mine["name"]
        for row, want_row in zip(mine["rows"], want[1:], strict=True):
            assert all(_same_cell(a, b) for a, b in zip(row, want_row, strict=True)), (mine["name"], row, want_row)
    # The text view prints the same tables.
    text = cli("task", "detailed", "--iterations-data", check=True).stdout
    assert text.count("Atomics per iteration") == len(theirs)


HOOKED_V1 = """---
Dummy.dummy:
  - args: {sleep: 0.01}
    runner: {type: constant, times: 4, concurrency: 1}
    hooks:
      - name: sys_call
        args: "false"
        trigger: {name: event, args: {unit: iteration, at: [2]}}
Dummy.dummy_output:
  - runner: {type: constant, times: 2, concurrency: 1}
"""


def test_an_imported_rally_tasks_hooks_show_under_their_workload_with_rallys_error(
        rally: oracle.Rally, cli: CLI, tmp_path: Path) -> None:
    # Two subtasks, each with its workload at position 0 (Rally numbers them per subtask); hooks in the first.
    path = tmp_path / "hooked.yaml"
    path.write_text(HOOKED_V1)
    rally("task", "start", str(path), check=False)
    rally("task", "report", "--json", "--out", str(tmp_path / "r.json"), check=True)
    exported = json.loads((tmp_path / "r.json").read_text())
    failed = exported["tasks"][0]["subtasks"][0]["workloads"][0]["hooks"][0]["results"][0]
    assert failed["status"] == "failed" and failed["error"]["msg"]  # Rally's {etype, msg, details}
    cli("task", "import", str(tmp_path / "r.json"), check=True)
    shown = cli("task", "detailed", check=True).stdout
    assert shown.count("Hooks") == 1  # under the workload that had them, not under the other position 0
    hooks_at = shown.index("Hooks")
    assert shown.index("Dummy.dummy (workload 0") < hooks_at < shown.index("Dummy.dummy_output (workload 0")
    row = next(line for line in shown[hooks_at:].splitlines() if "sys_call" in line)
    assert failed["error"]["msg"] in row and " - " in row  # the error as Rally gave it; no iteration: "-"
