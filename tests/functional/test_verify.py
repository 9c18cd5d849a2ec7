"""Verifications through the real CLI: a pytest suite with every status, a JUnit command, import, compare."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from squall.api import API
from tests.conftest import CLI, ServiceFactory

SUITE = '''
import pytest


def test_passes():
    assert 1 + 1 == 2


def test_fails():
    assert "cloud" == "sky", "the cloud is not the sky"


@pytest.mark.skip(reason="no Neutron here")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known bug 42")
def test_expected_failure():
    assert False


@pytest.mark.xfail(reason="was broken")
def test_unexpected_pass():
    assert True
'''


def _suite(tmp_path: Path, text: str = SUITE) -> Path:
    folder = tmp_path / "suite"
    folder.mkdir(exist_ok=True)
    (folder / "test_cloud.py").write_text(text)
    return folder


def _last(cli: CLI) -> dict:
    return json.loads(cli("verify", "show", "--json", check=True).stdout)


def test_a_pytest_suite_keeps_every_status_and_compares_runs(cli: CLI, tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    created = cli("verify", "create-verifier", "--name", "suite", "--type", "pytest",
                  "--settings", json.dumps({"path": str(suite)}), check=True)
    assert "suite" in created.stdout
    listed = cli("verify", "list-verifier-tests", "--pattern", "pass", check=True).stdout.split()
    assert listed == ["test_cloud.py::test_passes", "test_cloud.py::test_unexpected_pass"]
    first = cli("verify", "start", "--tag", "first")
    assert first.returncode == 2, first.stdout + first.stderr  # an unexpected pass (Rally: before failures)
    run_a = _last(cli)
    by_name = {t["name"].split("::")[-1]: t for t in run_a["tests"]}
    assert {n: t["status"] for n, t in by_name.items()} == {
        "test_passes": "success", "test_fails": "fail", "test_skipped": "skip",
        "test_expected_failure": "xfail", "test_unexpected_pass": "uxsuccess"}
    assert by_name["test_skipped"]["reason"] == "no Neutron here"
    assert "known bug 42" in by_name["test_expected_failure"]["reason"]
    assert "the cloud is not the sky" in by_name["test_fails"]["traceback"]
    assert (run_a["status"], run_a["tests_count"], run_a["success"], run_a["failures"], run_a["skipped"],
            run_a["expected_failures"], run_a["unexpected_success"]) == ("failed", 5, 1, 1, 1, 1, 1)
    assert run_a["verifier_version"].startswith("pytest")

    # Fixed, and one test more: compare says so and passes the gate.
    (suite / "test_cloud.py").write_text(SUITE.replace('"cloud" == "sky"', '"sky" == "sky"') +
                                         "\n\ndef test_new():\n    pass\n")
    cli("verify", "start", "--pattern", "not unexpected", "--tag", "second")
    run_b = _last(cli)
    assert run_b["tests_count"] == 5  # -k deselected the unexpected pass
    compared = json.loads(cli("verify", "compare", run_a["uuid"], run_b["uuid"], "--json", check=True).stdout)
    assert [t["name"].split("::")[-1] for t in compared["fixed"]] == ["test_fails"]
    assert [t["name"].split("::")[-1] for t in compared["new"]] == ["test_new"]
    assert [t["name"].split("::")[-1] for t in compared["gone"]] == ["test_unexpected_pass"]
    assert compared["regression"] is False
    # The other way round, the fixed test is a new failure: exit 1, the CI gate.
    back = cli("verify", "compare", run_b["uuid"], run_a["uuid"])
    assert back.returncode == 1 and "test_fails" in back.stdout and "REGRESSION" in back.stdout

    tagged = json.loads(cli("verify", "list", "--tag", "first", "--json", check=True).stdout)
    assert [r["uuid"] for r in tagged] == [run_a["uuid"]]

    # Rerun only what failed in A: the fixed test now passes, the unexpected pass is one again.
    cli("verify", "rerun", "--uuid", run_a["uuid"], "--failed")
    rerun = _last(cli)
    assert sorted((t["name"].split("::")[-1], t["status"]) for t in rerun["tests"]) == [
        ("test_fails", "success"), ("test_unexpected_pass", "uxsuccess")]
    flips = json.loads(cli("verify", "flaky", "--last", "10", "--json", check=True).stdout)
    assert {t["name"].split("::")[-1]: t["verdict"] for t in flips["tests"]} == {"test_fails": "fixed"}

    # Reports of both runs side by side.
    page = tmp_path / "report.html"
    cli("verify", "report", "--uuid", run_a["uuid"], "--uuid", run_b["uuid"], "--to", str(page), check=True)
    text = page.read_text()
    assert run_a["uuid"] in text and run_b["uuid"] in text and "test_fails" in text
    doc = json.loads(cli("verify", "report", "--uuid", run_a["uuid"], "--uuid", run_b["uuid"], "--type", "json",
                         check=True).stdout)
    assert list(doc["verifications"]) == [run_a["uuid"], run_b["uuid"]]  # Rally's shape: runs by UUID
    fails = doc["tests"]["test_cloud.py::test_fails"]
    assert set(fails["by_verification"]) == {run_a["uuid"], run_b["uuid"]}
    assert fails["by_verification"][run_a["uuid"]]["status"] == "fail" and "sky" in fails["by_verification"][
        run_a["uuid"]]["details"]
    junit = ET.fromstring(cli("verify", "report", "--uuid", run_a["uuid"], "--type", "junit-xml", check=True).stdout)
    (suite_el,) = junit.findall("testsuite")
    assert len(suite_el.findall("testcase")) == 5 and len(suite_el.findall("testcase/failure")) == 2


def test_junit_verifier_and_import_of_a_junit_file(cli: CLI, tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite), "--junitxml={junit}"]
    cli("verify", "create-verifier", "--name", "junit-suite", "--type", "junit",
        "--settings", json.dumps({"command": command}), check=True)
    cli("verify", "start")
    run = _last(cli)
    statuses = sorted(t["status"] for t in run["tests"])
    # JUnit XML cannot tell an unexpected pass from a pass: pytest writes both as passed.
    assert statuses == ["fail", "skip", "success", "success", "xfail"]

    junit = tmp_path / "report.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite),
                    f"--junitxml={junit}"], capture_output=True, check=False)
    imported = cli("verify", "import", "--file", str(junit), "--verifier", "junit-suite", check=True)
    assert "failed" in imported.stdout
    again = _last(cli)
    assert again["imported_from"] == str(junit) and again["tests_count"] == 5


def test_bad_verifier_input_is_refused_clearly(cli: CLI, tmp_path: Path) -> None:
    unknown = cli("verify", "create-verifier", "--name", "x", "--type", "nosuch")
    assert unknown.returncode == 1 and "nosuch" in unknown.stderr and "Traceback" not in unknown.stderr
    missing = cli("verify", "create-verifier", "--name", "x", "--type", "pytest", "--settings", "{}")
    assert missing.returncode == 1 and "path" in missing.stderr
    cli("verify", "create-verifier", "--name", "x", "--type", "pytest", "--settings",
        json.dumps({"path": str(_suite(tmp_path))}), check=True)
    twice = cli("verify", "create-verifier", "--name", "x", "--type", "pytest", "--settings",
                json.dumps({"path": "p"}))
    assert twice.returncode == 1 and "exists" in twice.stderr
    broken = tmp_path / "broken.xml"
    broken.write_text("<testsuite><testcase name='a'>")
    refused = cli("verify", "import", "--file", str(broken))
    assert refused.returncode == 1 and "not JUnit XML" in refused.stderr
    assert json.loads(cli("verify", "list", "--json", check=True).stdout) == []  # nothing half-imported
    bad_args = cli("verify", "start", "--concurrency", "-1")
    assert bad_args.returncode == 1 and "concurrency" in bad_args.stderr


WRITER = '''
import datetime as dt, sys, time
import subunit

out = subunit.StreamResultToBytes(sys.stdout.buffer)
now = lambda: dt.datetime.now(dt.timezone.utc)
for i in range(COUNT):
    test = f"tempest.api.identity.test_thing.Test.test_{i}[id-{i:04d},smoke]"
    out.status(test_id=test, test_status="inprogress", timestamp=now())
    if i % 4 == 1:
        out.status(test_id=test, file_name="traceback", file_bytes=b"Traceback: 401 Unauthorized",
                   mime_type="text/plain;charset=utf8", eof=True)
        out.status(test_id=test, test_status="fail", timestamp=now())
    elif i % 4 == 2:
        out.status(test_id=test, file_name="reason", file_bytes=b"Neutron is not available",
                   mime_type="text/plain;charset=utf8", eof=True)
        out.status(test_id=test, test_status="skip", timestamp=now())
    else:
        out.status(test_id=test, test_status="success", timestamp=now())
    sys.stdout.flush()
'''


def test_subunit_streams_from_a_command_and_from_a_file_count_as_subunit_stats_does(cli: CLI, tmp_path: Path) -> None:
    writer = tmp_path / "writer.py"
    writer.write_text(WRITER.replace("COUNT", "40"))
    cli("verify", "create-verifier", "--name", "sub", "--type", "subunit",
        "--settings", json.dumps({"command": [sys.executable, str(writer)]}), check=True)
    assert cli("verify", "start").returncode == 3  # some tests failed (Rally's code; 2 is an unexpected pass)
    run = _last(cli)
    assert (run["tests_count"], run["success"], run["failures"], run["skipped"]) == (40, 20, 10, 10)
    failed = next(t for t in run["tests"] if t["status"] == "fail")
    assert failed["name"].endswith("[id-0001,smoke]") and "401 Unauthorized" in failed["traceback"]
    assert next(t for t in run["tests"] if t["status"] == "skip")["reason"] == "Neutron is not available"

    stream = tmp_path / "run.subunit"
    stream.write_bytes(subprocess.run([sys.executable, str(writer)], capture_output=True, check=True).stdout)
    cli("verify", "import", "--file", str(stream), check=True)
    imported = _last(cli)
    stats = subprocess.run([str(Path(sys.executable).parent / "subunit-stats")], stdin=stream.open("rb"),
                           capture_output=True, text=True).stdout
    expected = {line.split(":")[0]: int(line.split(":")[1]) for line in stats.splitlines()
                if line.split(":")[0] in ("Total tests", "Passed tests", "Failed tests", "Skipped tests")}
    assert expected == {"Total tests": imported["tests_count"], "Passed tests": imported["success"],
                        "Failed tests": imported["failures"], "Skipped tests": imported["skipped"]}

    garbage = tmp_path / "garbage.subunit"
    garbage.write_bytes(bytes([0xB3]) + b"\\x00not a packet at all")
    refused = cli("verify", "import", "--file", str(garbage))
    assert refused.returncode == 1 and "not a subunit v2 stream" in refused.stderr and "Traceback" not in refused.stderr
    empty = tmp_path / "empty.xml"
    empty.write_text("<testsuite/>")
    assert "holds no test results" in cli("verify", "import", "--file", str(empty)).stderr
    assert len(json.loads(cli("verify", "list", "--json", check=True).stdout)) == 2  # nothing stored


def test_the_service_runs_a_verification_in_the_background(start_service: ServiceFactory, home: Path,
                                                           tmp_path: Path) -> None:
    remote = API(endpoint_url=start_service("--allow-exec", home=home))
    remote.verifier.create(name="bg", plugin="pytest", settings={"path": str(_suite(tmp_path))})
    started = remote.verification.start()
    assert started["status"] == "running"  # the service answered before the suite ended
    deadline = time.monotonic() + 120
    while (row := remote.verification.get(uuid=started["uuid"]))["status"] == "running":
        assert time.monotonic() < deadline, "the verification never ended"
        time.sleep(0.2)
    assert (row["status"], row["tests_count"], row["failures"]) == ("failed", 5, 1)
    again = remote.verification.rerun(uuid=started["uuid"], failed=True)
    while (row := remote.verification.get(uuid=again["uuid"]))["status"] == "running":
        assert time.monotonic() < deadline, "the rerun never ended"
        time.sleep(0.2)
    assert row["tests_count"] == 2  # the failure and the unexpected pass


def test_an_xfail_list_turns_known_failures_into_expected_ones(cli: CLI, tmp_path: Path) -> None:
    cli("verify", "create-verifier", "--name", "known", "--type", "pytest",
        "--settings", json.dumps({"path": str(_suite(tmp_path))}), check=True)
    xfail = tmp_path / "xfail.yaml"
    xfail.write_text("test_cloud.py::test_fails: bug 7 in the cloud\ntest_cloud.py::test_passes: fixed upstream?\n")
    proc = cli("verify", "start", "--xfail-list", str(xfail), "--pattern", "not unexpected")
    assert proc.returncode == 2  # test_passes, listed as expected to fail, passed: an unexpected success
    by_name = {t["name"].split("::")[-1]: t for t in _last(cli)["tests"]}
    assert by_name["test_fails"]["status"] == "xfail" and by_name["test_fails"]["reason"] == "bug 7 in the cloud"
    assert by_name["test_passes"]["status"] == "uxsuccess"
    bad = tmp_path / "bad.yaml"
    bad.write_text("- [not, a, mapping]\n")
    assert cli("verify", "start", "--xfail-list", str(bad)).returncode == 1


BLOCKING_SUITE = '''
import os
import time


def test_first():
    pass


def test_second_waits_for_the_go():
    deadline = time.monotonic() + 120
    while not os.path.exists(os.environ["GO_FILE"]):
        assert time.monotonic() < deadline, "never told to go"
        time.sleep(0.05)
'''


def test_results_are_stored_while_the_suite_still_runs(cli: CLI, tmp_path: Path) -> None:
    go = tmp_path / "go"
    cli.env["GO_FILE"] = str(go)
    cli("verify", "create-verifier", "--name", "blocking", "--type", "pytest",
        "--settings", json.dumps({"path": str(_suite(tmp_path, BLOCKING_SUITE))}), check=True)
    run = cli.popen("verify", "start")
    try:
        deadline = time.monotonic() + 120
        while True:  # the first test's result is stored while the second test blocks the suite
            rows = json.loads(cli("verify", "list", "--json", check=True).stdout)
            if rows and rows[-1]["status"] == "running" and rows[-1]["tests_count"] == 1:
                break
            assert run.poll() is None and time.monotonic() < deadline, "the first result never showed"
            time.sleep(0.2)
        go.touch()
        assert run.wait(timeout=120) == 0
    finally:
        run.kill()
        run.communicate()
    assert _last(cli)["status"] == "finished" and _last(cli)["tests_count"] == 2
