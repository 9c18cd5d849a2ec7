"""HttpJourney.run against the sample shop under uvicorn: every request the shop served is one counted request of its
step, failures are the shop's failures, values flow from one answer to the next request, a login runs once per
virtual user, the feed's rows are all used, think time is idle and not duration."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from squall.api import API
from tests.conftest import CLI, free_port
from tests.functional.helpers import iterations, only_workload, run_task, v2_task

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "tasks" / "http-journey.yaml"
FEED = ROOT / "samples" / "tasks" / "users.csv"
# The shop's route for each of the sample's steps.
ROUTES = {"login": "POST /login", "list items": "GET /items", "create item": "POST /items",
          "read item": "GET /items/{id}", "whoami": "GET /me", "slow page": "GET /slow", "logout": "POST /logout"}


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


@pytest.fixture
def shop() -> Iterator[str]:
    """samples/apps/shop.py under uvicorn on a free port; its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "samples" / "apps" / "shop.py"), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(base + "/_stats")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    raise RuntimeError(f"the shop did not start:\n{out}") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _rows(wl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["display_name"]: row["data"] for row in wl["statistics"]["durations"]["atomics"]}


def test_the_sample_journey_counts_each_request_the_shop_served_once(cli: CLI, shop: str) -> None:
    proc = cli("task", "start", str(SAMPLE), "--task-args",
               json.dumps({"base_url": shop, "users": 20, "ramp": 1, "hold": 2, "feed": str(FEED)}), check=True,
               timeout=300)
    served, failed, logins, logouts = (_get(shop + path) for path in
                                       ("/_stats", "/_stats/failed", "/_stats/logins", "/_stats/logouts"))
    task_id = next(line.split()[1] for line in proc.stdout.splitlines() if line.startswith("Task "))
    export = json.loads(cli("task", "export", task_id, "--type", "squall-json", check=True).stdout)
    (workload,) = [w for s in export["tasks"][0]["subtasks"] for w in s["workloads"]]
    rows = _rows(workload)
    assert {ROUTES[name]: data["iteration_count"] for name, data in rows.items()} == served  # one row a request
    assert failed == {} and workload["failed_iteration_count"] == 0
    assert all(data["success"] == "100.0%" for data in rows.values())
    # The login ran once per virtual user, each user with its own row of the feed: all 20 rows used, once.
    users = [line.split(",")[0] for line in FEED.read_text().splitlines()[1:]]
    assert logins == {name: 1 for name in users} and rows["login"]["iteration_count"] == 20
    # Each user logged out once, at its end: after it, the shop refuses its token, and it refused none.
    assert logouts == logins and rows["logout"]["iteration_count"] == 20
    # The id the create answered was read back (a wrong one is a 404), once per iteration.
    assert served["GET /items/{id}"] == served["POST /items"] == workload["total_iteration_count"] > 20
    # Each check is counted under its name as written: the id it compares is a different value each time.
    checks = {c["name"]: (c["passed"], c["failed"]) for c in workload["statistics"]["checks"]}
    assert checks['read item: $.id is "${item_id}"'] == (served["GET /items/{id}"], 0)
    assert checks["login: $.token exists"] == (20, 0) and checks["logout: status is 200"] == (20, 0)
    assert checks["whoami: body contains '${username}'"] == (served["GET /me"], 0)
    assert len(checks) == 9


def test_think_time_is_idle_not_duration_and_comes_between_the_steps(api: API, shop: str) -> None:
    steps = [{"name": "first", "url": "/slow", "think_time": 0.2}, {"name": "second", "url": "/slow"}]
    task = run_task(api, v2_task("HttpJourney.run", {"base_url": shop, "steps": steps},
                                 runner={"constant": {"times": 8, "concurrency": 4}}))
    its = iterations(api, task["uuid"])
    assert len(its) == 8 and not any(it["error"] for it in its)
    for it in its:
        first, second = it["atomic_actions"]
        assert second["started_at"] - first["finished_at"] >= 0.19  # the think came between the two requests
        assert it["idle_duration"] >= 0.19  # the event loop's timers are good to a millisecond
        # Rally's duration leaves the idle time out: the iteration's span is its duration plus its idle time.
        span = second["finished_at"] - it["timestamp"]
        assert it["duration"] + it["idle_duration"] == pytest.approx(span, abs=0.01)
        assert it["duration"] < span - 0.19


def test_failures_are_the_shops_failures_and_say_which_step_and_why(api: API, shop: str) -> None:
    steps = [{"name": "flaky", "url": "/flaky"}, {"name": "after", "url": "/slow"}]
    task = run_task(api, v2_task("HttpJourney.run", {"base_url": shop, "steps": steps},
                                 runner={"constant": {"times": 200, "concurrency": 5}},
                                 sla={"failure_rate": {"max": 100}}))
    failed_by_shop = _get(shop + "/_stats/failed")
    wl = only_workload(task)
    assert failed_by_shop == {"GET /flaky": 4} and wl["failed_iteration_count"] == 4  # every 50th of 200
    rows = _rows(wl)
    assert rows["flaky"]["iteration_count"] == 200 and rows["flaky"]["success"] == "98.0%"
    assert rows["after"]["iteration_count"] == 196 == _get(shop + "/_stats")["GET /slow"]  # a failed step ends it
    errors = [it["error"] for it in iterations(api, task["uuid"]) if it["error"]]
    assert {tuple(e[:2]) for e in errors} == {("StepFailed", "step 'flaky': status 500")}


def test_extracted_values_flow_and_a_wrong_one_is_refused_by_the_shop(api: API, shop: str) -> None:
    login = {"name": "login", "method": "POST", "url": "/login", "json": {"username": "ana", "password": "ana"},
             "extract": {"token": {"json": "$.token"}}}
    good = {"name": "list", "url": "/items", "headers": {"Authorization": "Bearer ${token}"},
            "check": {"json": {"$.items[0].id": 1, "$.next": 2}}}
    bad = {"name": "list", "url": "/items", "headers": {"Authorization": "Bearer not-${token}"}}
    for step, failures in ((good, 0), (bad, 6)):
        task = run_task(api, v2_task("HttpJourney.run", {"base_url": shop, "on_start": [login], "steps": [step]},
                                     runner={"constant": {"times": 6, "concurrency": 2}},
                                     sla={"failure_rate": {"max": 100}}))
        assert only_workload(task)["failed_iteration_count"] == failures
    assert _get(shop + "/_stats/failed") == {"GET /items": 6}  # the wrong token: 401 from the shop each time
    assert _get(shop + "/_stats/logins") == {"ana": 4}  # once per virtual user: 2 users, 2 tasks


@pytest.mark.parametrize("runner", [{"constant": {"times": 7, "concurrency": 3}},
                                    {"rps": {"times": 7, "rps": 50, "max_concurrency": 3}}])
def test_on_stop_runs_once_per_user_inside_its_last_iteration(api: API, shop: str, runner: dict[str, Any]) -> None:
    auth = {"Authorization": "Bearer ${token}"}
    login = {"name": "login", "method": "POST", "url": "/login", "json": {"username": "ana", "password": "ana"},
             "extract": {"token": {"json": "$.token"}}}
    logout = {"name": "logout", "method": "POST", "url": "/logout", "headers": auth, "check": {"status": 200}}
    args = {"base_url": shop, "on_start": [login], "steps": [{"name": "list", "url": "/items", "headers": auth}],
            "on_stop": [logout]}
    task = run_task(api, v2_task("HttpJourney.run", args, runner=runner))
    wl = only_workload(task)
    assert wl["pass_sla"] and wl["total_iteration_count"] == 7 and wl["failed_iteration_count"] == 0
    users = _get(shop + "/_stats/logins")["ana"]
    assert 1 <= users <= 3 and _get(shop + "/_stats/logouts") == {"ana": users}
    # The logout is the last request of each user: its token was never refused (no 401) after it.
    assert _get(shop + "/_stats/failed") == {}
    its = sorted(iterations(api, task["uuid"]), key=lambda it: it["timestamp"])
    with_logout = [it for it in its if any(a["name"] == "logout" for a in it["atomic_actions"])]
    assert len(with_logout) == users
    for it in with_logout:  # the logout ends its iteration, and its time counts in the iteration's duration
        assert [a["name"] for a in it["atomic_actions"]][-1] == "logout"
        spans = [a["finished_at"] - a["started_at"] for a in it["atomic_actions"]]
        assert it["duration"] >= sum(spans) - 1e-6


def test_a_value_missing_from_the_answer_fails_the_step_naming_it(api: API, shop: str) -> None:
    steps = [{"name": "me", "url": "/slow", "extract": {"token": {"json": "$.token"}}}]
    task = run_task(api, v2_task("HttpJourney.run", {"base_url": shop, "steps": steps},
                                 runner={"serial": {"times": 1}}, sla={"failure_rate": {"max": 100}}))
    (it,) = iterations(api, task["uuid"])
    assert it["error"][:2] == ["StepFailed", "step 'me': no value for 'token' (json '$.token' not in the answer)"]


def test_a_percentile_threshold_on_a_step_fails_the_run_with_exit_2(cli: CLI, shop: str, tmp_path: Path) -> None:
    task = tmp_path / "slow.yaml"
    workload = {"scenario": {"HttpJourney.run": {"base_url": shop, "steps": [{"name": "slow page", "url": "/slow"}]}},
                "runner": {"constant": {"times": 20, "concurrency": 4}},
                "sla": {"percentile": {"p": 95, "max": 0.01, "action": "slow page"}}}
    task.write_text(yaml.safe_dump({"version": 2, "title": "t", "subtasks": [{"title": "s", "workloads": [workload]}]}))
    proc = cli("task", "start", str(task), sla_fails=True, check=True)
    assert "p95 of slow page" in proc.stdout and "> 0.01s - Failed" in proc.stdout  # 50 ms answers


def test_a_journey_that_cannot_run_is_refused_before_it_starts(cli: CLI, tmp_path: Path) -> None:
    steps = [{"name": "a", "url": "/x/${nope}", "check": {"body_matches": "([a-"}},
             {"name": "b", "url": "/y", "extract": {"v": {"json": "$.items[x"}}}]
    task = tmp_path / "bad.yaml"
    task.write_text(yaml.safe_dump({"HttpJourney.run": [{"args": {"base_url": "http://127.0.0.1:1", "steps": steps},
                                                         "runner": {"type": "serial", "times": 1}}]}))
    proc = cli("task", "validate", str(task))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert "steps[0]: uses ${nope}, set by no variable, feed column or earlier step's extract" in out
    assert "the regular expression '([a-' does not compile" in out
    assert "'$.items[x' is not a JSON path" in out
    assert "Traceback" not in out


def test_the_terminal_says_why_iterations_failed(cli: CLI, shop: str, tmp_path: Path) -> None:
    task = tmp_path / "flaky.yaml"
    workload = {"scenario": {"HttpJourney.run": {"base_url": shop, "steps": [{"name": "flaky", "url": "/flaky"}]}},
                "runner": {"constant": {"times": 100, "concurrency": 2}}, "sla": {"failure_rate": {"max": 5}}}
    task.write_text(yaml.safe_dump({"version": 2, "title": "t", "subtasks": [{"title": "s", "workloads": [workload]}]}))
    for flags in ([], ["--results", "aggregate"]):
        start = cli("task", "start", str(task), *flags, check=True)
        detailed = cli("task", "detailed", check=True)
        for out in (start.stdout, detailed.stdout):
            assert "Why 2 iteration(s) failed (1 kind(s)):" in out, out
            line = next(text for text in out.splitlines() if "× StepFailed" in text)
            assert line.startswith("  2 × StepFailed: step 'flaky': status 500")
            assert ("first in iteration" in line) is (not flags)  # aggregate mode keeps no iteration numbers


def test_a_request_repeated_in_an_iteration_counts_each_time_in_the_table_and_the_exports(
        cli: CLI, shop: str, tmp_path: Path) -> None:
    login = {"name": "login", "method": "POST", "url": "/login", "json": {"username": "ana", "password": "ana"},
             "extract": {"token": {"json": "$.token"}}}
    pages = [{"name": "page", "url": "/items", "params": {"page": n}, "headers": {"Authorization": "Bearer ${token}"}}
             for n in (1, 2, 3)]
    task = tmp_path / "pages.yaml"
    workload = {"scenario": {"HttpJourney.run": {"base_url": shop, "on_start": [login], "steps": pages}},
                "runner": {"constant": {"times": 50, "concurrency": 5}}}
    task.write_text(yaml.safe_dump({"version": 2, "title": "t", "subtasks": [{"title": "s", "workloads": [workload]}]}))
    cli("task", "start", str(task), check=True)
    served = _get(shop + "/_stats")
    assert served["GET /items"] == 150
    table = json.loads(cli("task", "detailed", "--json", check=True).stdout)
    rows = _rows(table["subtasks"][0]["workloads"][0])
    assert rows["page"]["iteration_count"] == 150 and "page (x3)" not in rows  # one row, counted per request
    requests = [line for line in cli("task", "export", "--type", "csv-requests", check=True).stdout.splitlines()
                if line]
    assert requests[0].split(",")[4] == "request"
    named = [line.split(",")[4] for line in requests[1:]]
    assert named.count("page") == 150 and named.count("login") == 5
    per_iteration = [line for line in cli("task", "export", "--type", "csv", check=True).stdout.splitlines() if line]
    assert len(per_iteration) == 51 and all('""page"": [' in line for line in per_iteration[1:])  # all three runs


@pytest.mark.parametrize("flags", [[], ["--results", "aggregate"], ["--executor", "dask-local:2"]])
def test_each_check_is_counted_as_k6_counts_checks(cli: CLI, shop: str, tmp_path: Path, flags: list[str]) -> None:
    flaky = {"name": "flaky", "url": "/flaky", "check": {"status": 200, "json": {"$.ok": True}}}
    slow = {"name": "slow", "url": "/slow", "check": {"body_contains": "slow", "max_duration": 30}}
    task = tmp_path / "checks.yaml"
    workload = {"scenario": {"HttpJourney.run": {"base_url": shop, "steps": [flaky, slow]}},
                "runner": {"constant": {"times": 100, "concurrency": 4}},
                "sla": {"failure_rate": {"max": 5}, "checks": {"min_percent": 99}}}
    task.write_text(yaml.safe_dump({"version": 2, "title": "t", "subtasks": [{"title": "s", "workloads": [workload]}]}))
    start = cli("task", "start", str(task), *flags, timeout=300)
    assert start.returncode == 2, start.stdout[-3000:] + start.stderr[-3000:]  # the checks SLA failed, as k6's
    assert _get(shop + "/_stats") == {"GET /flaky": 100, "GET /slow": 98}
    assert _get(shop + "/_stats/failed") == {"GET /flaky": 2}
    # Both of a failed answer's checks are counted (failed), not only the first; the step after it never ran.
    stored = json.loads(cli("task", "detailed", "--json", check=True).stdout)["subtasks"][0]["workloads"][0]
    assert stored["statistics"]["checks"] == [
        {"name": "flaky: status is 200", "passed": 98, "failed": 2},
        {"name": "flaky: $.ok is true", "passed": 98, "failed": 2},
        {"name": "slow: body contains 'slow'", "passed": 98, "failed": 0},
        {"name": "slow: duration <= 30 s", "passed": 98, "failed": 0}]
    verdicts = {r["criterion"]: r for r in stored["sla_results"]["sla"]}
    assert verdicts["failure_rate"]["success"] and not verdicts["checks"]["success"]
    assert verdicts["checks"]["detail"] == "Checks passed, all checks: 98.99% (392 of 396) >= 99.00% - Failed"
    for out in (start.stdout, cli("task", "detailed", check=True).stdout):
        lines = out.splitlines()
        at = lines.index("Checks: 392 of 396 passed (99.0%)")
        assert lines[at + 1].startswith("  ✗ flaky: status is 200") and lines[at + 1].endswith(
            "98 passed, 2 failed (2.0%)")
        assert lines[at + 3].startswith("  ✓ slow: body contains 'slow'") and lines[at + 3].endswith("98 passed")


def _sample_like_journey(shop: str) -> dict[str, Any]:
    """The sample's journey: a login and a logout per user, the feed, values carried, think time, a weighted
    choice."""
    auth = {"Authorization": "Bearer ${token}"}
    return {"base_url": shop, "feed": {"file": str(FEED)},
            "on_start": [{"name": "login", "method": "POST", "url": "/login",
                          "json": {"username": "${username}", "password": "${password}"},
                          "check": {"json": {"$.token": {"exists": True}}}, "extract": {"token": {"json": "$.token"}}}],
            "steps": [{"name": "create item", "method": "POST", "url": "/items", "headers": auth,
                       "json": {"name": "by ${username} in ${iteration}"}, "check": {"status": 201},
                       "extract": {"item_id": {"json": "$.id"}}, "think_time": [0.02, 0.03]},
                      {"name": "read item", "url": "/items/${item_id}", "headers": auth,
                       "check": {"json": {"$.id": "${item_id}"}}},
                      {"choose": [{"weight": 3, "steps": [{"name": "whoami", "url": "/me",
                                                            "check": {"body_contains": "${username}"}}]},
                                  {"weight": 1, "steps": [{"name": "flaky", "url": "/flaky"}]}]}],
            "on_stop": [{"name": "logout", "method": "POST", "url": "/logout", "headers": auth,
                         "check": {"status": 200}}]}


@pytest.mark.parametrize("runner", [
    {"constant": {"times": 150, "concurrency": 4}},  # on callbacks, closed loop
    {"rps": {"times": 150, "rps": 300, "max_concurrency": 4}},  # on callbacks, open loop
    {"ramping_vus": {"stages": [{"duration": 0.5, "target": 4}, {"duration": 1.5, "target": 4}]}},  # on callbacks
    {"constant": {"times": 150, "concurrency": 4, "timeout": 60}},  # a coroutine per iteration (a task to cancel)
])
def test_a_journey_counts_alike_on_callbacks_and_on_coroutines(api: API, shop: str, runner: dict[str, Any]) -> None:
    task = run_task(api, v2_task("HttpJourney.run", _sample_like_journey(shop), runner=runner,
                                 sla={"failure_rate": {"max": 100}}))
    wl = only_workload(task)
    served, failed = _get(shop + "/_stats"), _get(shop + "/_stats/failed")
    ran = wl["total_iteration_count"]
    assert ran > 20
    routes = {"login": "POST /login", "create item": "POST /items", "read item": "GET /items/{id}",
              "whoami": "GET /me", "flaky": "GET /flaky", "logout": "POST /logout"}
    rows = _rows(wl)
    assert {routes[name]: data["iteration_count"] for name, data in rows.items()} == served  # one row a request
    assert rows["login"]["iteration_count"] == 4 == len(_get(shop + "/_stats/logins"))  # once per user
    assert _get(shop + "/_stats/logouts") == _get(shop + "/_stats/logins")  # each user logged out, once
    assert served["POST /items"] == served["GET /items/{id}"] == ran  # each created id was read back
    assert served["GET /me"] + served["GET /flaky"] == ran and served["GET /me"] > served["GET /flaky"] > 0
    assert wl["failed_iteration_count"] == failed.get("GET /flaky", 0)  # the shop's failures, and no other
    checks = {c["name"]: (c["passed"], c["failed"]) for c in wl["statistics"]["checks"]}
    assert checks == {"login: $.token exists": (4, 0), "logout: status is 200": (4, 0),
                      "create item: status is 201": (ran, 0), 'read item: $.id is "${item_id}"': (ran, 0),
                      "whoami: body contains '${username}'": (served["GET /me"], 0)}
    its = iterations(api, task["uuid"])
    for it in its:  # think time is idle, between the create and the read
        create, read = (a for a in it["atomic_actions"] if a["name"] in ("create item", "read item"))
        # (the event loop's timers are good to a millisecond)
        assert it["idle_duration"] >= 0.019 and read["started_at"] - create["finished_at"] >= 0.019
        assert it["error"] == [] or it["error"][:2] == ["StepFailed", "step 'flaky': status 500"]
    # Each logout ends its user's last iteration, its time counted in the iteration's duration.
    with_logout = [it for it in its if any(a["name"] == "logout" for a in it["atomic_actions"])]
    assert len(with_logout) == 4
    for it in with_logout:
        assert it["atomic_actions"][-1]["name"] == "logout"
        assert it["duration"] >= sum(a["finished_at"] - a["started_at"] for a in it["atomic_actions"]) - 1e-6


def test_a_journey_offers_its_iteration_on_callbacks() -> None:
    from squall.platforms.http.journey import HttpJourney
    from squall.platforms.http.journey_callbacks import CallbackJourney

    args = _sample_like_journey("http://127.0.0.1:1")
    on_callbacks = HttpJourney.callback_iteration(args)
    assert isinstance(on_callbacks, CallbackJourney) and on_callbacks.stops_users
    without_stop = HttpJourney.callback_iteration({**args, "on_stop": []})
    assert without_stop is not None and not without_stop.stops_users
