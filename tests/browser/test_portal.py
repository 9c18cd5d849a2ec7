"""The web portal, driven in Debian's Chromium against a real service."""

from __future__ import annotations

import json
import time
from pathlib import Path

from squall.api import API
from tests.browser.conftest import PageWatch
from tests.conftest import ServiceFactory


def _task(sleep: float, times: int = 20) -> str:
    return json.dumps({"Dummy.dummy": [{"args": {"sleep": sleep},
                                        "runner": {"type": "constant", "times": times, "concurrency": 2}}]})


def _run(api: API, text: str, tags: list[str]) -> str:
    task = api.task.create(config=text, tags=tags)
    api.task.start(task_id=task["uuid"])
    return str(task["uuid"])


def test_portal_filter_open_compare_and_watch_live(start_service: ServiceFactory, home: Path,
                                                   page: PageWatch) -> None:
    url = start_service("--allow-exec", home=home)
    api = API()  # the same database the service uses
    fast = _run(api, _task(0.001), ["nightly"])
    slow = _run(api, _task(0.02), ["nightly"])
    _run(api, _task(0.001), ["adhoc"])
    p = page.page
    p.goto(url + "/")
    p.wait_for_selector("#tasks tbody tr")
    assert p.locator("#tasks tbody tr").count() == 3

    # Filter by tag, then sort by duration.
    p.select_option("select[name=tag]", "nightly")
    assert p.locator("#tasks tbody tr").count() == 2
    p.click("th[data-key=task_duration]")
    assert p.locator("#tasks tbody tr").first.get_attribute("data-uuid") == fast
    page.screenshot("portal-tasks")

    # Select two and compare: the comparison report opens with its verdict.
    assert p.locator("#compare").is_disabled()
    p.check(f"input[data-uuid='{fast}']")
    p.check(f"input[data-uuid='{slow}']")
    p.click("#compare")
    frame = p.frame_locator("iframe.report")
    frame.locator("#comparison .badge").wait_for()
    assert frame.locator("#comparison .badge").inner_text() == "REGRESSION"
    page.screenshot("portal-compare")

    # Open one task's full report.
    p.goto(url + "/#/tasks")
    p.wait_for_selector("#tasks tbody tr")
    p.click(f"tr[data-uuid='{fast}'] a")
    frame = p.frame_locator("iframe.report")
    frame.locator("section.workload").wait_for()
    assert frame.locator("section.workload .kpi .v").first.inner_text() == "20"
    # One scroll: the frame is as tall as the report inside it, and the page, not the frame, scrolls.
    p.wait_for_function("() => { const f = document.querySelector('iframe.report');"
                        " return f.clientHeight >= f.contentDocument.documentElement.scrollHeight - 1; }")
    assert p.evaluate("document.documentElement.scrollHeight > window.innerHeight")

    # A live task: numbers grow without a reload; the abort button stops it.
    remote = API(endpoint_url=url)
    live = remote.task.create(config=json.dumps({"Dummy.dummy": [{"args": {"sleep": 0.02}, "runner": {
        "type": "constant_for_duration", "duration": 60, "concurrency": 2}}]}))
    remote.task.start(task_id=live["uuid"])
    p.goto(url + f"/#/live/{live['uuid']}")
    p.wait_for_function("document.querySelector('#live-done') && +document.querySelector('#live-done').textContent > 0")
    first = int(p.inner_text("#live-done"))
    deadline = time.time() + 30
    while int(p.inner_text("#live-done")) <= first:
        assert time.time() < deadline, "live view did not update"
        time.sleep(0.3)
    page.screenshot("portal-live")
    # The browser's POST carries its Origin and Sec-Fetch-Site, and the guard lets the portal's own through.
    with p.expect_response(lambda r: r.url.endswith("/api/v1/task/abort")) as aborted:
        p.click("text=Abort")
    sent = aborted.value.request.all_headers()
    assert sent["origin"] == url and sent["sec-fetch-site"] == "same-origin"
    assert sent["content-type"] == "application/json" and aborted.value.status == 200
    p.wait_for_selector("#live-report", timeout=60_000)
    assert p.inner_text("#live-status") == "aborted"
    assert page.errors == []


def test_portal_environments(start_service: ServiceFactory, home: Path, page: PageWatch) -> None:
    url = start_service(home=home)
    for route, said, command in (("envs", "No environment yet.", "squall env create --name NAME --from-sysenv"),
                                 ("verifications", "No verification yet.", "squall verify create-verifier")):
        page.page.goto(url + f"/#/{route}")  # empty pages say what is missing and the command that makes it
        page.page.wait_for_selector(".empty")
        text = page.page.inner_text(".empty")
        assert said in text and command in text, text
        page.page.goto(url + "/#/")
    API(endpoint_url=url).env.create(name="lab", spec={"http": {"base_url": "http://127.0.0.1:9/"}})
    page.page.goto(url + "/#/envs")
    page.page.wait_for_selector("#envs tbody tr")
    assert "lab" in page.page.inner_text("#envs") and "http" in page.page.inner_text("#envs")
    assert page.page.query_selector(".empty") is None
    assert page.errors == []


def test_portal_deployment_runs_and_history(start_service: ServiceFactory, home: Path, page: PageWatch) -> None:
    url = start_service(home=home)
    api = API()
    api.env.create(name="lab", spec={"nodes": [{"id": 5, "name": "a"}, {"id": 6, "name": "b"}]})
    run = api.deployment.run(graph={"tasks": [{"id": "ok", "command": "echo fine"},
                                              {"id": "bad", "nodes": [6], "command": "exit 3",
                                               "on_error": "continue"}]})
    p = page.page
    p.goto(url + "/#/deploys")
    p.wait_for_selector("#runs tbody tr")
    assert p.locator("#runs tbody tr").count() == 1
    p.click(f"#runs tr[data-run='{run['id']}'] a")
    p.wait_for_selector("#history tbody tr")
    assert p.locator("#history tbody tr").count() == 3
    p.fill("input[name=nodes]", "6")
    p.fill("input[name=statuses]", "error")
    p.click("#apply-history")
    p.wait_for_function("document.querySelectorAll('#history tbody tr').length === 1")
    row = p.locator("#history tbody tr").first
    assert row.get_attribute("data-node") == "6" and row.get_attribute("data-status") == "error"
    assert "3" in row.inner_text()
    page.screenshot("portal-history")
    assert page.errors == []


def test_portal_verifications_filter_open_and_compare(start_service: ServiceFactory, home: Path, page: PageWatch,
                                                      tmp_path: Path) -> None:
    url = start_service(home=home)
    api = API()  # the same database the service uses
    api.verifier.create(name="suite", plugin="junit", settings={"command": ["true"]})
    junit = ('<testsuite><testcase classname="api.Test" name="test_list"/>'
             '<testcase classname="api.Test" name="test_create">{}</testcase></testsuite>')
    nightly = api.verification.import_results(content=junit.format(""), source="a.xml", tags=["nightly"])
    broken = api.verification.import_results(content=junit.format('<failure message="500">boom</failure>'),
                                             source="b.xml", tags=["nightly"])
    api.verification.import_results(content=junit.format(""), source="c.xml", tags=["adhoc"])
    p = page.page
    p.goto(url + "/#/verifications")
    p.wait_for_selector("#verification-list tbody tr")
    assert p.locator("#verification-list tbody tr").count() == 3
    p.select_option("#verifications select[name=tag]", "nightly")
    assert p.locator("#verification-list tbody tr").count() == 2
    p.select_option("#verifications select[name=status]", "failed")
    (row,) = p.locator("#verification-list tbody tr").all_inner_texts()
    assert broken["uuid"][:8] in row
    p.select_option("#verifications select[name=status]", "")

    # Two runs side by side: the test that broke is marked as changed.
    assert p.locator("#compare-verifications").is_disabled()
    p.check(f"input[data-uuid='{nightly['uuid']}']")
    p.check(f"input[data-uuid='{broken['uuid']}']")
    p.click("#compare-verifications")
    frame = p.frame_locator("iframe.report")
    frame.locator("#tests tr.changed").first.wait_for()
    assert "api.Test.test_create" in frame.locator("#tests tr.changed").first.inner_text()
    page.screenshot("portal-verifications-compare")
    # A run's own page.
    p.goto(url + f"/#/verification/{broken['uuid']}")
    assert "fail" in p.frame_locator("iframe.report").locator("#runs").inner_text()
    assert page.errors == []
