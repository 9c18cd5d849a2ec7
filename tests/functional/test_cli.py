"""The real ``squall`` command: outputs, exit codes and error messages."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from http.server import ThreadingHTTPServer
from pathlib import Path

from squall.storage.db import SCHEMA_HEAD
from tests.conftest import CLI
from tests.functional.helpers import v2_task

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "tasks"


def test_sample_task_runs_and_prints_rally_statistics(cli: CLI) -> None:
    proc = cli("task", "start", str(SAMPLES / "dummy.yaml"), "--task-args", '{"times": 300}', check=True)
    assert "Response Times (µs)" in proc.stdout or "Response Times (ms)" in proc.stdout
    assert "Iterations: 300" in proc.stdout
    assert "SLA passed" in proc.stdout
    assert "duration: 0.000 s" not in proc.stdout  # the load's and full durations in a unit that fits
    listed = json.loads(cli("task", "list", "--json", check=True).stdout)
    assert listed[0]["status"] == "finished" and listed[0]["tags"] == ["sample"]
    assert cli("task", "sla-check").returncode == 0
    rally_form = cli("task", "detailed", "--seconds", check=True).stdout
    assert "Response Times (sec)" in rally_form and " 0.000 " in rally_form  # Rally's 3 decimals, as asked


def test_durations_read_in_the_unit_that_fits_with_three_significant_digits() -> None:
    from squall.cli.output import in_unit, table_unit

    assert table_unit([0.00041, 0.002]) == ("µs", 1e-6) and table_unit([0.0021, 0.5]) == ("ms", 1e-3)
    assert table_unit([1.5, 30.0]) == ("s", 1.0) and table_unit([]) == ("s", 1.0)
    shown = [in_unit(v, 1e-6) for v in (0.000412, 0.0000031, 0.0000000123, 0.002, 0.0)]
    assert shown == ["412", "3.10", "0.0123", "2,000", "0"]
    assert [in_unit(v, 1e-3) for v in (0.0004123, 0.05, None)] == ["0.412", "50.0", "n/a"]


def test_invalid_task_lists_every_error_without_traceback(cli: CLI, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\nsubtasks:\n- title: x\n  workloads:\n  - scenario: {Dummy.dummy: {}}\n"
                   "    runner: {constant: {times: -1}}\n    sla: {nope: 1}\n")
    for command in ("validate", "start"):
        proc = cli("task", command, str(bad))
        assert proc.returncode == 1
        assert "Traceback" not in proc.stderr + proc.stdout
        assert "subtasks[0].workloads[0].runner.constant.times: -1 is less than the minimum of 1" in proc.stderr
        assert "subtasks[0].workloads[0].sla.nope: unknown sla plugin 'nope'" in proc.stderr
    # Nothing ran, nothing was stored.
    assert json.loads(cli("task", "list", "--json", check=True).stdout) == []


def test_yaml_error_undefined_variable_and_missing_file(cli: CLI, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 2\nsubtasks: [\n")
    proc = cli("task", "validate", str(broken))
    assert proc.returncode == 1 and "YAML syntax error at line 3" in proc.stderr
    proc = cli("task", "validate", str(SAMPLES / "dummy.yaml"), "--task-args", "{bad")
    assert proc.returncode == 1 and "--task-args: YAML syntax error" in proc.stderr
    templ = tmp_path / "t.yaml"
    templ.write_text("version: 2\nsubtasks:\n- title: x\n  scenario: {Dummy.dummy: {sleep: {{ nap }}}}\n")
    proc = cli("task", "validate", str(templ))
    assert proc.returncode == 1 and "template variable is undefined: 'nap'" in proc.stderr
    assert cli("task", "validate", str(templ), "--task-args", "nap: 0").returncode == 0
    proc = cli("task", "start", str(tmp_path / "missing.yaml"))
    assert proc.returncode == 1 and "cannot read task file" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_task_is_a_clear_error(cli: CLI) -> None:
    proc = cli("task", "detailed", "00000000-dead-beef")
    assert proc.returncode == 1
    assert "task '00000000-dead-beef' not found" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_sla_check_exits_1_on_failure(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "fail.json"
    path.write_text(v2_task("Dummy.dummy_exception", {"sleep": 0}, runner={"serial": {"times": 2}}))
    assert cli("task", "start", str(path)).returncode == 2  # the SLA failed
    proc = cli("task", "sla-check", "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)[0]["criterion"] == "failure_rate"


def test_export_json_junit_and_import_round_trip(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(v2_task("Dummy.failure", {"sleep": 0, "from_iteration": 2, "to_iteration": 2},
                            runner={"constant": {"times": 5, "concurrency": 2}}))
    assert cli("task", "start", str(path)).returncode == 2  # one failure: the implicit failure_rate SLA fails
    out = tmp_path / "r.json"
    cli("task", "export", "--type", "json", "--to", str(out), check=True)
    doc = json.loads(out.read_text())
    assert doc["info"]["format_version"] == "1.2"
    (task,) = doc["tasks"]
    wl = task["subtasks"][0]["workloads"][0]
    assert set(wl) >= {"uuid", "description", "runner", "hooks", "scenario", "min_duration", "max_duration",
                       "start_time", "load_duration", "full_duration", "statistics", "data",
                       "failed_iteration_count", "total_iteration_count", "created_at", "updated_at", "contexts",
                       "contexts_results", "position", "pass_sla", "sla_results", "sla"}
    assert wl["runner"] == {"constant": {"times": 5, "concurrency": 2}}
    assert len(wl["data"]) == 5 and wl["failed_iteration_count"] == 1
    assert set(wl["data"][0]) >= {"timestamp", "duration", "idle_duration", "error", "output", "atomic_actions"}

    junit = tmp_path / "r.xml"
    cli("task", "export", "--type", "junit-xml", "--to", str(junit), check=True)
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "1" and suite.get("failures") == "1"
    assert suite.find("testcase/failure") is not None

    imported = cli("task", "import", str(out), "--tag", "imported", check=True)
    new_uuid = imported.stdout.split()[-1]
    again = json.loads(cli("task", "export", new_uuid, check=True).stdout)
    wl2 = again["tasks"][0]["subtasks"][0]["workloads"][0]
    assert wl2["data"] == wl["data"] and wl2["statistics"] == wl["statistics"]
    assert "imported" in again["tasks"][0]["tags"]


def test_import_rejects_garbage(cli: CLI, tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text('{"tasks": [')
    proc = cli("task", "import", str(junk))
    assert proc.returncode == 1 and "not JSON" in proc.stderr
    junk.write_text('{"a": 1}')
    proc = cli("task", "import", str(junk))
    assert proc.returncode == 1 and "expected keys 'info' and 'tasks'" in proc.stderr


def test_unknown_export_type(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(v2_task("Dummy.dummy"))
    cli("task", "start", str(path), check=True)
    proc = cli("task", "export", "--type", "pdf")
    assert proc.returncode == 1 and "unknown export type 'pdf'" in proc.stderr


def test_task_delete_and_use(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(v2_task("Dummy.dummy"))
    cli("task", "start", str(path), check=True)
    uuid = json.loads(cli("task", "list", "--json").stdout)[0]["uuid"]
    cli("task", "use", uuid[:8], check=True)
    assert uuid in cli("task", "status", check=True).stdout
    cli("task", "delete", uuid, check=True)
    assert json.loads(cli("task", "list", "--json").stdout) == []


def test_env_lifecycle_with_http_platform(cli: CLI, tmp_path: Path, http_server: ThreadingHTTPServer) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"http:\n  base_url: http://127.0.0.1:{http_server.server_address[1]}/\n")
    cli("env", "create", "--name", "web", "--spec", str(spec), check=True)
    assert "web" in cli("env", "list", check=True).stdout
    check = cli("env", "check", "web")
    assert check.returncode == 0 and "available" in check.stdout
    path = tmp_path / "t.json"
    path.write_text(v2_task("Dummy.dummy"))
    cli("task", "start", str(path), check=True)
    assert json.loads(cli("task", "list", "--json", "--env", "web").stdout)[0]["env_name"] == "web"
    assert cli("env", "create", "--name", "web").returncode == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("http: {base_url: ftp://x}\n")
    proc = cli("env", "create", "--name", "bad", "--spec", str(bad))
    assert proc.returncode == 1 and "http.base_url" in proc.stderr
    down = tmp_path / "down.yaml"
    from tests.conftest import free_port

    down.write_text(f"http: {{base_url: 'http://127.0.0.1:{free_port()}/'}}\n")
    cli("env", "create", "--name", "down", "--spec", str(down), check=True)
    proc = cli("env", "check", "down")
    assert proc.returncode == 1 and "unavailable" in proc.stdout
    cli("env", "delete", "web", check=True)
    # The task's results outlive the environment.
    assert json.loads(cli("task", "list", "--json").stdout)[0]["env_name"] == "web"


def test_db_and_plugin_commands(cli: CLI) -> None:
    assert f"Schema revision: {SCHEMA_HEAD}" in cli("db", "create", check=True).stdout
    assert SCHEMA_HEAD in cli("db", "show", check=True).stdout
    listed = cli("plugin", "list", "--kind", "scenario", check=True).stdout
    assert "Dummy.dummy_output" in listed and "HttpRequests.check_random_request" in listed
    shown = cli("plugin", "show", "constant", check=True).stdout
    assert '"concurrency"' in shown
    assert cli("plugin", "show", "nope").returncode == 1
    # Without a terminal to ask on: one line naming the flag, no prompt, nothing deleted.
    cli("env", "create", "--name", "kept", check=True)
    refused = cli("db", "recreate")
    assert refused.returncode == 1 and "Continue?" not in refused.stdout + refused.stderr
    assert refused.stderr.strip().endswith("run again with --yes.") and len(refused.stderr.strip().splitlines()) == 1
    assert "kept" in cli("env", "list", check=True).stdout
    assert f"Schema revision: {SCHEMA_HEAD}" in cli("db", "recreate", "--yes", check=True).stdout


def test_task_start_exit_code_tells_passed_sla_failed_and_invalid(cli: CLI, tmp_path: Path) -> None:
    passing = tmp_path / "pass.json"
    passing.write_text(json.dumps({"Dummy.dummy": [{"runner": {"type": "serial", "times": 2}}]}))
    failing = tmp_path / "fail.json"
    failing.write_text(json.dumps({"Dummy.dummy_exception": [{"runner": {"type": "serial", "times": 2},
                                                              "sla": {"failure_rate": {"max": 0}}}]}))
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"Dummy.dummy": [{"runner": {"type": "serial", "times": -1}}]}))
    assert cli("task", "start", str(passing)).returncode == 0
    failed = cli("task", "start", str(failing))
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert "SLA failed" in failed.stdout
    assert cli("task", "start", str(invalid)).returncode == 1


def test_an_export_over_two_gigabytes_reaches_a_pipe_whole() -> None:
    # Linux writes at most 2,147,479,552 bytes a call, and print() made one call: an export piped to another
    # program lost its end without an error. The same function `task export` prints with, into `wc -c`.
    size = 2**31 + 100
    program = f"from squall.cli.output import print_whole; print_whole('x' * {size})"
    counted = subprocess.run(f"'{sys.executable}' -c \"{program}\" | wc -c", shell=True, capture_output=True,  # noqa: S602
                             text=True, check=True)
    assert int(counted.stdout) == size + 1  # and the newline
