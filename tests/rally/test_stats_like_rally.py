"""squall's statistics table computed from Rally 5.1.1's iterations equals Rally's own, cell by cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from squall.task.stats import WorkloadStats
from tests.conftest import CLI

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


def test_imported_rally_results_show_rallys_table(rally_dummy_run: tuple[dict[str, Any], Path], cli: CLI,
                                                   tmp_path: Path) -> None:
    report, _ = rally_dummy_run
    path = tmp_path / "rally.json"
    path.write_text(json.dumps(report))
    cli("task", "import", str(path), check=True)
    detailed = json.loads(cli("task", "detailed", "--json", check=True).stdout)
    ours = [wl for sub in detailed["subtasks"] for wl in sub["workloads"]]
    theirs = [wl for sub in report["tasks"][0]["subtasks"] for wl in sub["workloads"]]
    assert [_table(wl["statistics"]) for wl in ours] == [_table(wl["statistics"]) for wl in theirs]
