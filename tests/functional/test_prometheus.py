"""A real Prometheus (Debian's) scrapes a running task's ``--prometheus-port`` and holds its series."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLI, IN_CI, SQUALL, free_port

PROMETHEUS = "/usr/bin/prometheus"


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Prometheus on 127.0.0.1, scraping 127.0.0.1:<metrics port> every second; yields both ports."""
    if not Path(PROMETHEUS).exists():
        if IN_CI:
            pytest.fail("prometheus is not installed; scripts/install-test-deps.sh installs it")
        pytest.skip("prometheus is not installed")
    metrics_port, web_port = free_port(), free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(f"""global: {{scrape_interval: 1s, evaluation_interval: 1s}}
scrape_configs:
  - job_name: squall
    static_configs: [{{targets: ["127.0.0.1:{metrics_port}"]}}]
""")
    proc = subprocess.Popen([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                             f"--web.listen-address=127.0.0.1:{web_port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{web_port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=2):  # noqa: S310 - our own server
                break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "prometheus did not start"
            time.sleep(0.2)
    try:
        yield {"url": url, "metrics_port": metrics_port}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(tmp_path / "tsdb", ignore_errors=True)


def _query(url: str, promql: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/v1/query?" + urllib.parse.urlencode({"query": promql}),  # noqa: S310
                                timeout=5) as resp:
        return list(json.loads(resp.read())["data"]["result"])


def test_prometheus_scrapes_a_running_task(cli: CLI, prometheus: dict[str, Any], tmp_path: Path) -> None:
    cli("db", "create", check=True)
    task = tmp_path / "paced.yaml"
    task.write_text("""---
Dummy.dummy:
  - args: {sleep: 0.01}
    runner: {type: rps, times: 600, rps: 20}
""")
    proc = subprocess.Popen([*SQUALL, "task", "start", "-q", str(task), "--prometheus-port",
                             str(prometheus["metrics_port"])], env=cli.env, cwd=cli.cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        seen: dict[str, list[dict[str, Any]]] = {}
        wanted = ("squall_iterations_total", "squall_rps_target", "squall_concurrency",
                  "squall_atomic_duration_seconds_count", "squall_iteration_duration_seconds_bucket",
                  "squall_atomic_failures_total")
        while len(seen) < len(wanted):
            assert proc.poll() is None, "the task ended before Prometheus saw its series"
            assert time.monotonic() < deadline, f"Prometheus has only {sorted(seen)}"
            for name in wanted:
                found = _query(prometheus["url"], name)
                if found and (name != "squall_iterations_total" or float(found[0]["value"][1]) > 0):
                    seen[name] = found
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C: the task aborts, its workers end with it
        proc.communicate(timeout=60)
    task_uuid = json.loads(cli("task", "list", "--json", check=True).stdout)[-1]["uuid"]
    labels = seen["squall_iterations_total"][0]["metric"]
    assert (labels["task"], labels["scenario"], labels["workload"], labels["subtask"]) == (
        task_uuid, "Dummy.dummy", "0", "Dummy.dummy")
    assert float(seen["squall_rps_target"][0]["value"][1]) == 20.0
    assert {s["metric"]["action"] for s in seen["squall_atomic_duration_seconds_count"]} == {"foo"}
    assert [(s["metric"]["action"], s["value"][1]) for s in seen["squall_atomic_failures_total"]] == [("foo", "0")]


def test_each_request_of_a_journey_has_its_failures_counted() -> None:
    from squall.task.engine.metrics import LiveMetrics

    live = LiveMetrics("t")
    series = live.workload("s", 0, "HttpJourney.run")
    for failed in (False, True, True):
        series.iteration({"duration": 0.1, "error": ["StepFailed", "m", ""] if failed else [],
                          "atomic_actions": [{"name": "login", "started_at": 1.0, "finished_at": 1.1, "failed": False},
                                             {"name": "GET /items", "started_at": 1.1, "finished_at": 1.2,
                                              "failed": failed}]})
    value = live.registry.get_sample_value
    labels = {"task": "t", "subtask": "s", "workload": "0", "scenario": "HttpJourney.run"}
    assert value("squall_atomic_failures_total", {**labels, "action": "GET /items"}) == 2
    assert value("squall_atomic_failures_total", {**labels, "action": "login"}) == 0
    assert value("squall_atomic_duration_seconds_count", {**labels, "action": "GET /items"}) == 3


def test_the_service_metrics_show_its_running_tasks(start_service: Any, home: Path) -> None:
    import httpx

    from squall.api import API

    url = start_service("--token", "s3cret", home=home)
    api = API(endpoint_url=url, token="s3cret")
    task = api.task.create(config=json.dumps({"Dummy.dummy": [{"args": {"sleep": 0.05},
                                                                "runner": {"type": "serial", "times": 2000}}]}))
    api.task.start(task_id=task["uuid"])  # the service launches it in a process of its own
    try:
        assert httpx.get(f"{url}/metrics", timeout=10).status_code == 401
        deadline = time.monotonic() + 60
        while True:
            text = httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer s3cret"}, timeout=10).text
            line = next((ln for ln in text.splitlines()
                         if ln.startswith("squall_iterations_total{") and task["uuid"] in ln), None)
            if line is not None and float(line.rsplit(" ", 1)[1]) > 0:
                break
            assert time.monotonic() < deadline, text
            time.sleep(0.3)
        assert 'scenario="Dummy.dummy"' in line and 'workload="0"' in line
        assert f'squall_expected_iterations{{scenario="Dummy.dummy",subtask="Dummy.dummy",task="{task["uuid"]}"' \
               in text
    finally:
        api.task.abort(task_id=task["uuid"])
        deadline = time.monotonic() + 60
        while api.task.status(task_id=task["uuid"])["status"] not in ("aborted", "finished", "crashed"):
            assert time.monotonic() < deadline
            time.sleep(0.3)
