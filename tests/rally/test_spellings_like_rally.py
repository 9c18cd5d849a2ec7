"""Rally 5.1.1's spellings of commands, typed into Rally and into squall side by side: the same exit codes, and
squall never answering with a usage error where Rally takes the command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import CLI, SQUALL
from tests.rally import oracle

PASSES = "Dummy.dummy:\n  - runner: {type: constant, times: 2, concurrency: 1}\n"
# Two criteria fail, one passes.
FAILS_TWO = ("Dummy.dummy:\n  - args: {sleep: 0.02}\n    runner: {type: constant, times: 2, concurrency: 1}\n"
             "    sla: {max_seconds_per_iteration: 0.001, max_avg_duration: 0.001, failure_rate: {max: 0}}\n")


def _last_uuid(run: oracle.Rally | CLI) -> str:
    return str(run("task", "list", "--uuids-only", check=True).stdout.split()[-1])


def _started(rally: oracle.Rally, cli: CLI, path: Path, *extra: str, sla_fails: bool = False) -> tuple[str, str]:
    """(Rally's, squall's) task of the same file."""
    code = 2 if sla_fails else 0
    assert rally("task", "start", str(path), *extra).returncode == code
    cli("task", "start", str(path), *extra, check=True, sla_fails=sla_fails)
    return _last_uuid(rally), _last_uuid(cli)


def test_sla_check_prints_rallys_json_and_exits_with_the_failed_count(rally: oracle.Rally, cli: CLI,
                                                                      tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(FAILS_TWO)
    theirs_id, ours_id = _started(rally, cli, path, sla_fails=True)
    theirs = rally("task", "sla-check", "--json", "--uuid", theirs_id)
    ours = cli("task", "sla-check", "--json", "--uuid", ours_id)
    assert theirs.returncode == ours.returncode == 2  # two failed criteria
    rally_rows, squall_rows = json.loads(theirs.stdout), json.loads(ours.stdout)
    assert [list(r) for r in squall_rows] == [list(r) for r in rally_rows]  # the same keys, in the same order
    def verdicts(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
        return [(r["criterion"], r["status"], r["benchmark"], r["pos"]) for r in rows]
    assert verdicts(squall_rows) == verdicts(rally_rows)
    # The table: the same columns as Rally's, and the same code.
    table = cli("task", "sla-check", ours_id)
    assert table.returncode == 2 and "max_avg_duration" in table.stdout and "Benchmark" in table.stdout


def test_a_task_is_named_as_rally_names_it(rally: oracle.Rally, cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(PASSES)
    theirs_id, ours_id = _started(rally, cli, path, "--tag", "first", "second")
    for one in (rally, cli):  # several tags after one --tag
        listed = one("task", "list", "--tag", "second", check=True).stdout
        assert "first" in listed and "second" in listed, listed
    commands = [
        ("task", "detailed", "--uuid", "{id}"),
        ("task", "status", "--uuid", "{id}"),
        ("task", "use", "--uuid", "{id}"),
        ("task", "sla-check", "--uuid={id}"),
        ("task", "report", "--uuid", "{id}", "--out", "{out}/report.html"),
        ("task", "export", "--uuid", "{id}", "--type", "html-static", "--to", "{out}/static.html"),
        ("task", "export", "--uuid", "{id}", "--type", "trends-html", "--to", "{out}/trends.html"),
        ("task", "restart", "--uuid", "{id}"),
        ("db", "revision"),
        ("db", "ensure"),
        ("--debug", "task", "list"),
        ("--log-file", "{out}/log.txt", "task", "list"),
    ]
    for command in commands:
        codes = []
        for one, task_id, out in ((rally, theirs_id, tmp_path / "out-rally"), (cli, ours_id, tmp_path / "out-squall")):
            out.mkdir(exist_ok=True)
            proc = one(*(word.format(id=task_id, out=out) for word in command))
            codes.append(proc.returncode)
            assert "Usage:" not in proc.stderr, (command, proc.stderr)
            assert proc.returncode == 0, (command, codes, proc.stdout[-2000:], proc.stderr[-2000:])
    for name in ("static.html", "trends.html"):
        assert (tmp_path / "out-squall" / name).read_text().lstrip().lower().startswith("<!doctype html")
    # The restart ran the same workload again, as a new task: same scenario, runner and arguments.
    restarted = json.loads(cli("task", "detailed", _last_uuid(cli), "--json", check=True).stdout)
    original = json.loads(cli("task", "detailed", ours_id, "--json", check=True).stdout)
    assert restarted["uuid"] != original["uuid"] and restarted["status"] == "finished"
    def shape(task: dict[str, object]) -> list[tuple[object, ...]]:
        return [(w["name"], w["runner_type"], w["runner"], w["args"], w["total_iteration_count"])
                for s in task["subtasks"] for w in s["workloads"]]  # type: ignore[attr-defined, index]
    assert shape(restarted) == shape(original)
    refused = cli("task", "restart", ours_id, "--scenario", "Dummy.nothing")
    assert refused.returncode == 1 and "no workload of Dummy.nothing" in refused.stderr


def test_standard_input_is_a_task_file_and_an_args_file(rally: oracle.Rally, cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "templated.yaml"
    path.write_text("Dummy.dummy:\n  - runner: {type: constant, times: {{ n }}, concurrency: 1}\n")
    for base, env, cwd in ((rally.base, rally.env, rally.work), (SQUALL, cli.env, cli.cwd)):
        for args, stdin in ((["task", "validate", "-", "--task-args", "{n: 2}"], path.read_text()),
                            (["task", "validate", str(path), "--task-args-file", "-"], "n: 3\n")):
            proc = subprocess.run([*base, *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd,
                                  timeout=120)
            assert proc.returncode == 0, (base[0], args, proc.stdout, proc.stderr)


def test_ids_given_as_rally_gives_them(rally: oracle.Rally, cli: CLI) -> None:
    # A verification id as a positional argument: both look for it, neither calls it a usage error.
    theirs, ours = rally("verify", "show", "1234"), cli("verify", "show", "1234")
    assert theirs.returncode != 0 and ours.returncode == 1
    assert "not found" in ours.stderr and "Usage:" not in ours.stderr
    # A part of a plugin's name: both list the plugins it matches, and refuse to pick one.
    theirs, ours = rally("plugin", "show", "dummy"), cli("plugin", "show", "dummy")
    assert theirs.returncode != 0 and ours.returncode == 1
    for name in ("Dummy.dummy", "Dummy.dummy_exception", "dummy_context"):
        assert name in theirs.stdout and name in ours.stdout
    # Rally's plugin filters: every runner Rally lists, squall lists too.
    theirs = rally("plugin", "list", "--platform", "default", "--plugin-base", "ScenarioRunner", check=True)
    ours = cli("plugin", "list", "--platform", "default", "--plugin-base", "ScenarioRunner", check=True)
    for runner in ("constant", "constant_for_duration", "rps", "serial"):
        assert f" {runner} " in theirs.stdout and f" {runner} " in ours.stdout
    assert "Dummy.dummy" not in ours.stdout


def test_rallys_config_file_gives_the_database_and_rallys_own_is_refused(rally: oracle.Rally, cli: CLI,
                                                                          tmp_path: Path) -> None:
    # The oracle's rally.conf names Rally's own database: squall refuses to touch it, and says why.
    rally_conf = rally.work / "rally.conf"
    before = rally("task", "list", "--uuids-only", check=True).stdout
    for command in (("task", "list"), ("db", "recreate", "--yes")):
        proc = cli("--config-file", str(rally_conf), *command)
        assert proc.returncode == 1 and "Rally's" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert rally("task", "list", "--uuids-only", check=True).stdout == before  # Rally's results are untouched
    # A configuration file of squall's own database: used, and its log_file written.
    conf = tmp_path / "squall.conf"
    log = tmp_path / "squall.log"
    conf.write_text(f"[DEFAULT]\nlog_file = {log}\n[database]\nconnection = sqlite:///{tmp_path / 'own.db'}\n")
    path = tmp_path / "ok.yaml"
    path.write_text(PASSES)
    cli("--config-file", str(conf), "task", "start", str(path), check=True)
    assert (tmp_path / "own.db").is_file() and "finished" in log.read_text()
    assert len(cli("--config-file", str(conf), "task", "list", "--uuids-only", check=True).stdout.split()) == 1


LEGACY = {"type": "ExistingCloud", "creds": {"openstack": {
    "auth_url": "http://127.0.0.1:9/v3", "region_name": "RegionOne", "endpoint_type": "public",
    "admin": {"username": "admin", "password": "secret", "user_domain_name": "Default", "project_name": "admin",
              "project_domain_name": "Default"},
    "https_insecure": False, "https_cacert": ""}}}
NO_CLOUD = {"OS_AUTH_URL": "http://127.0.0.1:9/v3", "OS_USERNAME": "admin", "OS_PASSWORD": "secret",
            "OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default"}


def test_rallys_old_deployment_file_is_converted_as_rally_converts_it(cli: CLI, tmp_path: Path) -> None:
    missing = oracle.verify_installed()
    assert missing is None, missing  # rally-openstack beside Rally 5.1.1: the test command installs it
    rally = oracle.Rally(tmp_path / "rally", NO_CLOUD)  # rally-openstack's Rally; nothing is reached
    path = tmp_path / "legacy.json"
    path.write_text(json.dumps(LEGACY))
    # Rally 5.1.1 stores the converted environment, then fails printing its deprecation warning (AttributeError:
    # 'EnvManager' object has no attribute 'spec', exit 1); squall stores it and says what it became.
    rally("deployment", "create", "--name", "legacy", "--filename", str(path))
    ours = cli("deployment", "create", "--name", "legacy", "--filename", str(path), check=True)
    assert "ExistingCloud" in ours.stdout
    theirs = rally("deployment", "config", "--deployment", "legacy", check=True)
    ours = cli("deployment", "config", "--deployment", "legacy", "--show-secrets", check=True)
    assert json.loads(ours.stdout) == json.loads(theirs.stdout) == LEGACY["creds"]
    assert "secret" not in cli("deployment", "config", "legacy", check=True).stdout  # hidden unless asked
    # recreate --filename: Rally 5.1.1 takes the spelling and answers "temporarily disabled"; squall replaces
    # the config, keeps the UUID, and checks the new one (unreachable here: exit 1, said).
    uuid = json.loads(cli("env", "show", "legacy", "--json", check=True).stdout)["uuid"]
    moved = {**LEGACY, "creds": {"openstack": {**LEGACY["creds"]["openstack"], "region_name": "moved"}}}
    path.write_text(json.dumps(moved))
    theirs = rally("deployment", "recreate", "--deployment", "legacy", "--filename", str(path))
    assert theirs.returncode not in (0, 2) and "disabled" in theirs.stdout + theirs.stderr
    ours = cli("deployment", "recreate", "--deployment", "legacy", "--filename", str(path))
    assert ours.returncode == 1 and "spec updated" in ours.stdout and "openstack: unavailable" in ours.stdout
    assert json.loads(cli("deployment", "config", uuid, "--show-secrets", check=True).stdout) == moved["creds"]
    # Another deployment type: both refuse it.
    path.write_text(json.dumps({"type": "DevstackEngine"}))
    theirs = rally("deployment", "create", "--name", "dev", "--filename", str(path))
    ours = cli("deployment", "create", "--name", "dev", "--filename", str(path))
    assert theirs.returncode not in (0, 2) and ours.returncode == 1 and "does not exist" in ours.stderr
    # Rally's env spellings: info and destroy.
    assert cli("env", "info", "--env", "legacy").returncode == 1  # the cloud is unreachable: said, exit 1
    assert cli("env", "destroy", "--env", "legacy", check=True)
    assert "legacy" not in cli("env", "list", check=True).stdout


def test_results_files_are_reported_and_trended_without_being_stored(rally: oracle.Rally, cli: CLI,
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(PASSES)
    rally("task", "start", str(path), check=True)
    results = tmp_path / "results.json"
    rally("task", "report", "--json", "--out", str(results), check=True)
    for command in (("task", "report", str(results), "--out", "{out}/report.html"),
                    ("task", "trends", str(results), "--out", "{out}/trends.html")):
        for one, out in ((rally, tmp_path / "out-rally"), (cli, tmp_path / "out-squall")):
            out.mkdir(exist_ok=True)
            proc = one(*(word.format(out=out) for word in command))
            assert proc.returncode == 0, (command, proc.stdout, proc.stderr)
    report = (tmp_path / "out-squall" / "report.html").read_text()
    assert "Dummy.dummy" in report and '"iterations":2' in report  # the file's workload, drawn
    assert "<!doctype html" in (tmp_path / "out-squall" / "trends.html").read_text().lower()
    assert cli("task", "list", "--uuids-only", check=True).stdout.strip() == ""  # nothing stored
