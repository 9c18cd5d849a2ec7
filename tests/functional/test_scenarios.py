"""Dummy and HTTP scenarios, contexts and atomic actions end to end."""

from __future__ import annotations

from http.server import ThreadingHTTPServer
from pathlib import Path

from squall.api import API
from tests.conftest import CLI
from tests.functional.helpers import iterations, only_workload, run_task, v2_task


def test_dummy_failure_fails_the_chosen_iterations(api: API) -> None:
    task = run_task(api, v2_task("Dummy.failure", {"sleep": 0, "from_iteration": 3, "to_iteration": 8, "each": 2},
                                 runner={"serial": {"times": 10}}))
    failed = sorted(it["iteration"] for it in iterations(api, task["uuid"]) if it["error"])
    assert failed == [4, 6, 8]
    assert task["pass_sla"] is False
    verdicts = api.task.sla_check(task_id=task["uuid"])["verdicts"]
    assert verdicts[0]["criterion"] == "failure_rate" and not verdicts[0]["success"]


def test_dummy_exception_message_and_traceback(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy_exception", {"sleep": 0, "message": "boom"},
                                 runner={"serial": {"times": 2}}))
    its = iterations(api, task["uuid"])
    assert all(it["error"][:2] == ["DummyScenarioException", "Dummy scenario expected exception: 'boom'"] for it in its)
    assert "Traceback" in its[0]["error"][2]


def test_atomic_actions_are_timed_and_nested_stats(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy_timed_atomic_actions", {"number_of_actions": 3, "sleep_factor": 0.02},
                                 runner={"serial": {"times": 2}}))
    (it,) = [i for i in iterations(api, task["uuid"]) if i["iteration"] == 1]
    assert [a["name"] for a in it["atomic_actions"]] == ["action_0", "action_1", "action_2"]
    a2 = it["atomic_actions"][2]
    assert a2["finished_at"] - a2["started_at"] >= 0.04
    names = [r["name"] for r in only_workload(task)["statistics"]["durations"]["atomics"]]
    assert names == ["action_0", "action_1", "action_2"]


def test_random_fail_in_atomic_marks_the_action_failed(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy_random_fail_in_atomic", {"exception_probability": 1},
                                 runner={"serial": {"times": 1}}))
    (it,) = iterations(api, task["uuid"])
    assert it["error"][0] == "KeyError"
    assert it["atomic_actions"][0]["failed"] is True


def test_dummy_output_charts(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy_output", runner={"serial": {"times": 1}}))
    (it,) = iterations(api, task["uuid"])
    # Rally 5.1.1's nine charts: four additive, five complete.
    assert [c["chart_plugin"] for c in it["output"]["additive"]] == ["StatsTable", "StackedArea", "Lines", "Pie"]
    assert [c["chart_plugin"] for c in it["output"]["complete"]] == ["Lines", "StackedArea", "TextArea", "Pie",
                                                                     "Table"]


def test_exception_probability_zero_and_one(api: API) -> None:
    never = run_task(api, v2_task("Dummy.dummy_exception_probability", {"exception_probability": 0},
                                  runner={"serial": {"times": 5}}))
    always = run_task(api, v2_task("Dummy.dummy_exception_probability", {"exception_probability": 1},
                                   runner={"serial": {"times": 5}}))
    assert only_workload(never)["failed_iteration_count"] == 0
    assert only_workload(always)["failed_iteration_count"] == 5


def test_random_action(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy_random_action", {"actions_num": 2, "sleep_min": 0, "sleep_max": 0.01},
                                 runner={"serial": {"times": 3}}))
    assert len(only_workload(task)["statistics"]["durations"]["atomics"]) == 2


def test_context_cleanup_runs_after_a_failed_setup(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", contexts={"dummy_context": {"fail_setup": True}},
                                 runner={"serial": {"times": 5}}))
    wl = only_workload(task)
    assert wl["total_iteration_count"] == 0 and task["pass_sla"] is False
    (ctx,) = wl["contexts_results"]
    assert ctx["setup"]["error"]["msg"] == "dummy_context was asked to fail its set-up"
    assert ctx["cleanup"]["finished_at"] > 0
    details = [r["detail"] for r in wl["sla_results"]["sla"]]
    assert any("failed to set up" in d for d in details)


def test_context_data_reaches_scenarios_and_cleanup_errors_are_recorded(api: API) -> None:
    task = run_task(api, v2_task("Dummy.dummy", contexts={"dummy_context": {"fail_cleanup": True}},
                                 runner={"serial": {"times": 2}}))
    wl = only_workload(task)
    assert wl["total_iteration_count"] == 2
    assert wl["contexts_results"][0]["cleanup"]["error"]["etype"] == "RuntimeError"


def test_a_failed_cleanup_is_shown_once_in_the_report_not_raw_on_stderr(cli: CLI, tmp_path: Path) -> None:
    task = tmp_path / "t.yaml"
    task.write_text("Dummy.dummy:\n  - context: {dummy_context: {fail_cleanup: true}}\n"
                    "    runner: {type: serial, times: 1}\n")
    proc = cli("task", "start", str(task), check=True)
    assert proc.stdout.count("dummy_context cleanup failed") == 1
    assert "RuntimeError: dummy_context was asked to fail its clean-up" in proc.stdout
    assert "cleanup failed" not in proc.stderr


def test_http_check_request(api: API, http_server: ThreadingHTTPServer) -> None:
    port = http_server.server_address[1]
    ok = run_task(api, v2_task("HttpRequests.check_request",
                               {"url": f"http://127.0.0.1:{port}/x", "method": "GET", "status_code": 200,
                                "params": {"a": "1"}, "timeout": 5},
                               runner={"constant": {"times": 40, "concurrency": 4}}))
    wl = only_workload(ok)
    assert wl["total_iteration_count"] == 40 and wl["failed_iteration_count"] == 0
    assert len(http_server.hits) == 40  # type: ignore[attr-defined]
    assert ("GET", "/x?a=1") in http_server.hits  # type: ignore[attr-defined]
    assert wl["statistics"]["durations"]["atomics"][0]["name"] == "requests.check_request"


def test_http_wrong_status_code_fails(api: API, http_server: ThreadingHTTPServer) -> None:
    port = http_server.server_address[1]
    task = run_task(api, v2_task("HttpRequests.check_request",
                                 {"url": f"http://127.0.0.1:{port}/status/503", "method": "POST", "status_code": 200},
                                 runner={"serial": {"times": 2}}))
    its = iterations(api, task["uuid"])
    assert its[0]["error"][:2] == ["ValueError", "Expected HTTP request code is `200` actual `503`"]


def test_http_random_request(api: API, http_server: ThreadingHTTPServer) -> None:
    port = http_server.server_address[1]
    requests = [{"url": f"http://127.0.0.1:{port}/a", "method": "GET"},
                {"url": f"http://127.0.0.1:{port}/status/201", "method": "PUT", "status_code": 201}]
    task = run_task(api, v2_task("HttpRequests.check_random_request", {"requests": requests, "status_code": 200},
                                 runner={"constant": {"times": 30, "concurrency": 3}}))
    assert only_workload(task)["failed_iteration_count"] == 0
    paths = {p for _, p in http_server.hits}  # type: ignore[attr-defined]
    assert paths == {"/a", "/status/201"}


def test_http_unreachable_server_is_a_failed_iteration(api: API) -> None:
    from tests.conftest import free_port

    task = run_task(api, v2_task("HttpRequests.check_request",
                                 {"url": f"http://127.0.0.1:{free_port()}/", "method": "GET", "status_code": 200},
                                 runner={"rps": {"times": 2, "rps": 10, "timeout": 5}}))
    its = iterations(api, task["uuid"])
    assert len(its) == 2 and all(it["error"] for it in its)
