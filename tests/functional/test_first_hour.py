"""What a new user meets in the first hour, through the real CLI: messages that say what to do, readable figures."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import CLI


def _task(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_trends_by_a_tag_nobody_used_says_what_it_searched_and_what_exists(cli: CLI, tmp_path: Path) -> None:
    empty = cli("task", "trends", "--tag", "nightly", "--out", str(tmp_path / "t.html"))
    assert empty.returncode == 1 and "Traceback" not in empty.stderr
    assert "no finished task with tag 'nightly'" in empty.stderr and "no finished task at all" in empty.stderr
    task = _task(tmp_path, "t.yaml", "Dummy.dummy:\n  - runner: {type: serial, times: 1}\n")
    cli("task", "start", str(task), "--tag", "weekly", check=True)
    other = cli("task", "trends", "--tag", "nightly", "--out", str(tmp_path / "t.html"))
    assert other.returncode == 1
    assert "1 finished task(s); their tags: weekly" in other.stderr
    cli("task", "trends", "--tag", "weekly", "--out", str(tmp_path / "t.html"), check=True)
    assert (tmp_path / "t.html").read_text().startswith("<!DOCTYPE html>")


def test_plugin_show_lists_a_scenarios_arguments(cli: CLI) -> None:
    shown = cli("plugin", "show", "Dummy.dummy", check=True).stdout
    assert "Arguments" in shown and "sleep" in shown and "number" in shown
    assert "Schema: {}" not in shown
    http = cli("plugin", "show", "HttpRequests.check_request", check=True).stdout
    assert "status_code" in http and "yes" in http  # a required argument says so


def test_csv_rows_come_in_iteration_order(cli: CLI, tmp_path: Path) -> None:
    task = _task(tmp_path, "t.yaml", "Dummy.dummy_random_action:\n  - args: {actions_num: 1, sleep_max: 0.02}\n"
                                     "    runner: {type: constant, times: 60, concurrency: 6}\n")
    cli("task", "start", str(task), check=True)
    text = cli("task", "export", "--type", "csv", check=True).stdout
    numbers = [int(row["iteration"]) for row in csv.DictReader(io.StringIO(text))]
    assert numbers == list(range(1, 61))


def test_compare_warns_when_the_workloads_differ_and_shows_readable_times(cli: CLI, tmp_path: Path) -> None:
    uuids = []
    for sleep in (0, 0.002):
        task = _task(tmp_path, f"t{sleep}.yaml", f"Dummy.dummy:\n  - args: {{sleep: {sleep}}}\n"
                                                 "    runner: {type: serial, times: 3}\n")
        cli("task", "start", str(task), check=True)
        uuids.append(json.loads(cli("task", "status", "--json", check=True).stdout)["uuid"])
    shown = cli("task", "compare", *uuids)
    assert "configured differently (args)" in shown.stdout
    assert " ms" in shown.stdout or " µs" in shown.stdout  # units that keep 3 significant digits
    assert "0.000 -> " not in shown.stdout
    same = cli("task", "compare", uuids[0], uuids[0])
    assert "configured differently" not in same.stdout


def _pasted(stdout: str, label: str) -> str:
    (line,) = [ln for ln in stdout.splitlines() if ln.startswith(label)]
    return line[len(label):].strip()


def test_the_hints_after_a_run_work_when_pasted(cli: CLI, tmp_path: Path) -> None:
    task = _task(tmp_path, "t.yaml", "Dummy.dummy:\n  - runner: {type: serial, times: 1}\n")
    # The venv's squall by its path, on a narrow terminal, with squall not on PATH.
    squall = Path(sys.executable).parent / "squall"
    env = {**cli.env, "COLUMNS": "60",
           "PATH": os.pathsep.join(p for p in cli.env["PATH"].split(os.pathsep) if Path(p) != squall.parent)}
    run = subprocess.run([str(squall), "task", "start", str(task)], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    for label in ("For details:", "Export:"):
        hint = _pasted(run.stdout, label)
        assert hint.startswith(str(squall))
        pasted = subprocess.run(hint, shell=True, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert pasted.returncode == 0, (hint, pasted.stderr)
    assert json.loads((tmp_path / "results.json").read_text())["tasks"]


def test_an_imported_run_counts_once_in_trends(cli: CLI, tmp_path: Path) -> None:
    task = _task(tmp_path, "t.yaml", "Dummy.dummy:\n  - runner: {type: serial, times: 2}\n")
    cli("task", "start", str(task), "--tag", "nightly", check=True)
    original = json.loads(cli("task", "status", "--json", check=True).stdout)["uuid"]
    exported = tmp_path / "run.json"
    cli("task", "export", "--type", "squall-json", "--to", str(exported), check=True)
    for _ in range(2):  # the same file imported twice, beside the original
        cli("task", "import", str(exported), check=True)
    listed = json.loads(cli("task", "list", "--json", check=True).stdout)
    assert len(listed) == 3 and sorted(t["imported_from"] or "" for t in listed) == ["", original, original]
    out = tmp_path / "trends.html"
    shown = cli("task", "trends", "--tag", "nightly", "--out", str(out), check=True).stdout
    assert "Wrote trends of 1 runs" in shown


def test_make_demo_ends_with_where_the_report_and_the_database_are(cli: CLI, tmp_path: Path) -> None:
    """The demo's last lines: the report's path and a file:// URL that opens it (no browser assumed), and
    where the results are kept for every clone."""
    root = Path(__file__).resolve().parents[2]
    venv = Path(sys.prefix)
    out = tmp_path / "out"
    done = subprocess.run(["make", "--no-print-directory", "-C", str(root), "demo", f"VENV={venv}", f"OUT={out}",
                           "-o", f"{venv}/bin/squall"], capture_output=True, text=True, env=cli.env, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-3:]
    assert last[0] == f"Report: {out}/demo-report.html"
    url = last[1].split("in a browser: ", 1)[1]
    assert url == f"file://{out}/demo-report.html" and Path(url.removeprefix("file://")).is_file()
    assert last[2].startswith(f"Results are kept in {cli.env['SQUALL_HOME']}/squall.db, for every clone")
    assert "xdg-open" not in done.stdout


def test_task_list_never_folds_a_uuid_and_prints_only_uuids_when_asked(cli: CLI, tmp_path: Path) -> None:
    task = _task(tmp_path, "t.yaml", "Dummy.dummy:\n  - runner: {type: serial, times: 1}\n")
    for _ in range(2):
        cli("task", "start", str(task), "--tag", "a-rather-long-tag-name", check=True)
    uuids = [t["uuid"] for t in json.loads(cli("task", "list", "--json", check=True).stdout)]
    cli.env["COLUMNS"] = "80"
    table = cli("task", "list", check=True).stdout
    assert all(len(line) <= 80 for line in table.splitlines())
    assert all(sum(uuid in line for line in table.splitlines()) == 1 for uuid in uuids), table
    assert cli("task", "list", "--uuids-only", "--all-envs", check=True).stdout.split() == uuids


def test_report_and_trends_without_out_write_a_file_named_after_what_they_show(cli: CLI, tmp_path: Path) -> None:
    task = _task(tmp_path, "t.yaml", "Dummy.dummy:\n  - runner: {type: serial, times: 1}\n")
    cli("task", "start", str(task), "--tag", "nightly", check=True)
    uuid = json.loads(cli("task", "list", "--json", check=True).stdout)[-1]["uuid"]
    said = cli("task", "report", check=True).stdout
    assert f"squall-report-{uuid[:8]}.html" in said
    assert (cli.cwd / f"squall-report-{uuid[:8]}.html").read_text().startswith("<!DOCTYPE html>")
    cli("task", "report", "--json", check=True)
    assert json.loads((cli.cwd / f"squall-report-{uuid[:8]}.json").read_text())["tasks"][0]["uuid"] == uuid
    assert "squall-trends-nightly.html" in cli("task", "trends", "--tag", "nightly", check=True).stdout
    assert (cli.cwd / "squall-trends-nightly.html").is_file()
    deep = tmp_path / "not" / "yet" / "there" / "r.html"  # missing folders are made
    cli("task", "report", "--out", str(deep), check=True)
    assert deep.is_file()


def test_plugin_titles_are_whole_sentences_without_markup(cli: CLI) -> None:
    listed = cli("plugin", "list", check=True).stdout
    assert "``" not in listed and ":class:" not in listed and ":meth:" not in listed
    assert "(scenario, platform openstack)" in cli("plugin", "show", "Dummy.openstack", check=True).stdout
    shown = cli("plugin", "show", "NovaServers.snapshot_server", check=True).stdout.splitlines()
    # Its first sentence is written over two lines of the docstring: one title.
    assert shown[1] == ("Boot a server, snapshot it into an image (`nova.snapshot_server`), delete the server, boot "
                        "another from the snapshot, delete it and the image (`nova.delete_image`).")


def test_compare_of_tasks_with_no_workload_in_common_says_so_and_fails(cli: CLI, tmp_path: Path) -> None:
    for scenario in ("Dummy.dummy", "Dummy.dummy_random_action"):
        task = _task(tmp_path, "t.yaml", f"{scenario}:\n  - runner: {{type: serial, times: 2}}\n")
        cli("task", "start", str(task), check=True)
    a, b = [t["uuid"] for t in json.loads(cli("task", "list", "--json", check=True).stdout)]
    compared = cli("task", "compare", a, b)
    assert compared.returncode == 1 and "Traceback" not in compared.stderr
    assert "no workload in common" in compared.stderr and "Dummy.dummy_random_action" in compared.stderr
    assert "no regression" not in compared.stdout
