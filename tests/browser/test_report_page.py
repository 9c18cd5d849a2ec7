"""The HTML task report, opened in a real browser."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from squall.api import API
from tests.browser.conftest import PageWatch
from tests.conftest import CLI, free_port


def _task(tmp_path: Path) -> Path:
    path = tmp_path / "task.json"
    path.write_text(json.dumps({"version": 2, "title": "report check", "subtasks": [{"title": "s", "workloads": [
        {"scenario": {"Dummy.failure": {"sleep": 0.002, "from_iteration": 40, "to_iteration": 60, "each": 5}},
         "runner": {"constant": {"times": 400, "concurrency": 4}},
         "sla": {"failure_rate": {"max": 1}},
         "hooks": [{"action": {"sys_call": "true"}, "trigger": {"event": {"unit": "iteration", "at": [100, 300]}}},
                   {"action": {"sys_call": "false"}, "trigger": {"event": {"unit": "iteration", "at": [200]}}}]},
        {"scenario": {"Dummy.dummy_timed_atomic_actions": {"number_of_actions": 2, "sleep_factor": 0.001}},
         "runner": {"serial": {"times": 30}}},
        {"scenario": {"Dummy.dummy_output": {}}, "runner": {"serial": {"times": 5}}},
    ]}]}))
    return path


def _open(page: PageWatch, path: Path) -> None:
    page.page.goto(path.as_uri())
    page.page.wait_for_function("window.squallReport && window.squallReport.ready")


def _unit(max_seconds: float) -> tuple[str, float]:
    """The report's unit for a table whose largest duration is max_seconds."""
    if 0 < max_seconds < 1e-3:
        return "µs", 1e6
    if 0 < max_seconds < 1:
        return "ms", 1e3
    return "s", 1.0


def _js_short(value: float) -> str:
    """A number as the report prints it: 3 significant digits, thousands grouped."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{round(value):,}"
    rounded = float(f"{value:.3g}")
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def test_task_report_shows_the_right_numbers_offline(cli: CLI, api: API, page: PageWatch, tmp_path: Path) -> None:
    cli("task", "start", str(_task(tmp_path)), check=True, sla_fails=True)  # 5 in 400 fail: over 1%
    out = tmp_path / "report.html"
    cli("task", "report", "--out", str(out), check=True)
    _open(page, out)
    shot = page.screenshot("task-report")
    assert shot.stat().st_size > 10_000
    assert page.errors == []
    assert page.requests == [out.as_uri()]  # nothing fetched but the file itself

    task = api.task.get()
    first = task["subtasks"][0]["workloads"][0]
    p = page.page
    sections = p.locator("section.workload")
    assert sections.count() == 3
    failure = sections.nth(0)
    kpis = failure.locator(".kpi .v").all_inner_texts()
    assert kpis[0] == "400" and kpis[1] == str(first["failed_iteration_count"]) == "5"
    total_row = failure.locator("table").first.locator("tbody tr", has_text="total")
    cells = total_row.first.locator("td").all_inner_texts()
    data = first["statistics"]["durations"]["total"]["data"]
    name, scale = _unit(data["max"])
    assert failure.locator("h3", has_text="Response times").first.inner_text() == f"Response times ({name})"
    assert cells[2] == _js_short(data["median"] * scale) and cells[-1] == "400"
    assert "0.000" not in failure.locator("table").first.locator("td").all_inner_texts()
    # Hooks: one row per run, the failed one marked.
    hook_rows = failure.locator("h3:has-text('Hooks') + table tbody tr")
    assert hook_rows.count() == 3
    assert hook_rows.nth(1).locator("td").nth(5).inner_text() == "failed"
    # Failures grouped by type and message (Rally's one message: one group of 5), tracebacks available.
    groups = failure.locator("h3:has-text('Failures') + table tbody tr").all_inner_texts()
    assert len(groups) == 1 and "DummyScenarioException" in groups[0]
    assert "Dummy scenario expected exception: 'Expected failure'" in groups[0] and "\t5\t" in groups[0]
    assert failure.locator("details pre").count() >= 5
    # Charts are drawn: each time chart has a canvas.
    assert failure.locator(".chart canvas").count() >= 4
    # Atomic actions and scenario outputs of the other workloads.
    atomics = sections.nth(1).locator("table").first.inner_text()
    assert "action_0" in atomics and "action_1" in atomics
    assert sections.nth(2).locator("text=Scenario output").count() == 1
    assert sections.nth(2).locator("[data-chart^='Additive StatsTable'] canvas").count() == 1


def test_several_tasks_side_by_side(cli: CLI, page: PageWatch, tmp_path: Path) -> None:
    task = tmp_path / "t.json"
    task.write_text(json.dumps({"Dummy.dummy": [{"runner": {"type": "serial", "times": 20}}]}))
    cli("task", "start", str(task), check=True)
    cli("task", "start", str(task), check=True)
    uuids = [t["uuid"] for t in json.loads(cli("task", "list", "--json", check=True).stdout)]
    out = tmp_path / "two.html"
    cli("task", "report", *uuids, "--out", str(out), check=True)
    _open(page, out)
    page.screenshot("two-tasks-report")
    assert page.errors == []
    assert page.page.locator("section[data-task]").count() == 2
    assert page.page.locator("nav a").count() == 2


def test_compare_and_trends_pages(cli: CLI, page: PageWatch, tmp_path: Path) -> None:
    task = tmp_path / "t.yaml"
    task.write_text('{"Dummy.dummy": [{"args": {"sleep": {{ s }}}, '
                    '"runner": {"type": "constant", "times": 40, "concurrency": 4}}]}')
    for s in ("0.01", "0.03", "0.01"):
        cli("task", "start", str(task), "--task-args", f"s: {s}", "--tag", "nightly", check=True)
    a, b, c = [t["uuid"] for t in json.loads(cli("task", "list", "--json", check=True).stdout)]
    out = tmp_path / "cmp.html"
    proc = cli("task", "compare", a, b, "--out", str(out))
    assert proc.returncode == 1 and "REGRESSION" in proc.stdout  # 3x slower
    assert cli("task", "compare", a, c, "--max-degradation", "50").returncode == 0
    verdict = json.loads(cli("task", "compare", a, b, "--json").stdout)
    (wl,) = verdict["workloads"]
    assert wl["regression"] and wl["metrics"]["median"]["change"] > 100
    _open(page, out)
    page.screenshot("compare-report")
    assert page.errors == []
    assert page.page.locator("#comparison .badge").inner_text() == "REGRESSION"
    cells = page.page.locator("#comparison table tbody tr").first.locator("td").all_inner_texts()
    assert cells[2].endswith(" ms") and cells[3].endswith(" ms"), cells  # durations say their unit
    assert page.page.locator("section[data-task]").count() == 2

    trends = tmp_path / "trends.html"
    cli("task", "trends", "--tag", "nightly", "--out", str(trends), check=True)
    _open(page, trends)
    page.screenshot("trends-report")
    assert page.errors == []
    # Same configuration twice (sleep 0.01) is one trend with two runs; sleep 0.03 is another.
    runs = sorted(page.page.locator("section[data-trend]").evaluate_all(
        "els => els.map(e => e.querySelectorAll(':scope > table > tbody > tr').length)"))
    assert runs == [1, 2]
    # One tick per run, labelled with its date and tag, none overlapping.
    assert page.page.evaluate(_CHART_PROBLEMS) == []
    ticks = page.page.evaluate("() => [...document.querySelectorAll('.chart')].map(b => b.uplot.axes[0]._splits)")
    assert ticks and all(all(float(t).is_integer() for t in axis) for axis in ticks)
    labels = page.page.evaluate("() => [...document.querySelectorAll('.chart')].map(b => b.uplot.axes[0]._values)")
    assert all("nightly" in label for axis in labels for label in axis)
    assert all(len(set(axis)) == len(axis) for axis in labels)  # two runs in one minute: two labels still
    # One unit on the whole page; the longest iteration has a chart of its own, so it flattens no percentile.
    titles = page.page.locator(".chart .title").all_inner_texts()
    assert {t.split("(")[1].split(")")[0] for t in titles if t.startswith(("Duration", "Longest"))} == {"ms"}
    assert sum(t.startswith("Longest iteration") for t in titles) == 2


def test_markup_in_titles_cannot_blank_the_report(cli: CLI, page: PageWatch, tmp_path: Path) -> None:
    title = "<!--<script> x </script><b>&amp; \u2028"
    task = tmp_path / "markup.json"
    task.write_text(json.dumps({"version": 2, "title": title, "subtasks": [{"title": title, "workloads": [
        {"scenario": {"Dummy.dummy": {}}, "runner": {"serial": {"times": 3}}}]}]}))
    cli("task", "start", str(task), check=True)
    out = tmp_path / "report.html"
    cli("task", "report", "--out", str(out), check=True)
    _open(page, out)
    assert page.errors == []
    assert page.page.locator("section.workload").count() == 1
    assert title.split("\u2028")[0] in page.page.locator("body").inner_text()


# Every chart's tick labels, as uPlot placed them on its axes, checked for overlaps on the drawing.
_CHART_PROBLEMS = """() => {
  const problems = [];
  const ctx = document.createElement("canvas").getContext("2d");
  document.querySelectorAll(".chart").forEach((box) => {
    const name = box.dataset.chart, u = box.uplot;
    if (box.dataset.share) {  // the atomic-share panel: bars, not a uPlot chart
      if (!box.querySelector(".share")) problems.push("atomic share: empty");
      return;
    }
    if (!u || !box.querySelector("canvas")) { problems.push(name + ": empty"); return; }
    if (!u.data.slice(1).some((s) => s.some((v) => v !== null && v !== undefined))) problems.push(name + ": no values");
    u.axes.forEach((axis, i) => {
      if (axis.show === false || !axis._splits || !axis._values) return;
      const font = Array.isArray(axis.font) ? axis.font[0] : axis.font;
      ctx.font = font || "12px sans-serif";
      const across = axis.side % 2 === 0;  // bottom/top axes: labels side by side
      const boxes = [];
      axis._splits.forEach((v, j) => {
        const label = axis._values[j];
        if (label === null || label === undefined || label === "") return;
        const pos = u.valToPos(v, axis.scale, false);
        const size = across ? ctx.measureText(String(label)).width : 11;
        boxes.push([pos - size / 2, pos + size / 2, String(label)]);
      });
      boxes.sort((a, b) => a[0] - b[0]);
      for (let k = 1; k < boxes.length; k++) {
        if (boxes[k][0] < boxes[k - 1][1]) problems.push(name + ": axis " + i + " labels '" + boxes[k - 1][2] +
                                                        "' and '" + boxes[k][2] + "' overlap");
      }
    });
  });
  return problems;
}"""


@pytest.mark.parametrize("which", ["demo", "failures, hooks and outputs"])
def test_no_chart_is_empty_and_no_tick_labels_overlap(cli: CLI, page: PageWatch, tmp_path: Path, which: str) -> None:
    task = Path(__file__).resolve().parents[2] / "samples" / "tasks" / "dummy.yaml" if which == "demo" \
        else _task(tmp_path)
    cli("task", "start", str(task), check=which == "demo", timeout=300)
    out = tmp_path / "report.html"
    cli("task", "report", "--out", str(out), check=True)
    _open(page, out)
    page.screenshot("report-" + which.split(",")[0])
    assert page.errors == []
    assert page.page.locator(".chart").count() >= 3
    # Charts by iteration number, atomic actions per second, and each atomic action's share of the time.
    assert page.page.locator("[data-chart$='by iteration number'] canvas").count() >= 1
    assert page.page.locator("[data-chart^='Atomic actions per second'] canvas").count() >= 1
    shares = page.page.locator("[data-share] .share-value").all_inner_texts()
    assert shares and all(0 <= float(v.rstrip("%")) <= 100 for v in shares)
    assert page.page.evaluate(_CHART_PROBLEMS) == []
    # The overview lists every workload; durations never read 0.000.
    overview = page.page.locator("#overview tbody tr")
    assert overview.count() == page.page.locator("section.workload").count()
    cells = page.page.locator("#report td").all_inner_texts()
    assert cells and not [c for c in cells if c.strip() in ("0.000", "0.00")]  # a duration never reads as zero


def test_a_workload_in_figures_is_charted_and_says_so(cli: CLI, api: API, page: PageWatch, tmp_path: Path) -> None:
    task = tmp_path / "aggregate.json"
    task.write_text(json.dumps({"version": 2, "title": "figures", "subtasks": [{"title": "s", "workloads": [
        {"scenario": {"Dummy.dummy_random_fail_in_atomic": {"exception_probability": 0.2}},
         "runner": {"rps": {"rps": 300, "times": 900}}, "sla": {"failure_rate": {"max": 100}}}]}]}))
    cli("task", "start", "-q", str(task), "--results", "aggregate", check=True)
    out = tmp_path / "report.html"
    cli("task", "report", "--out", str(out), check=True)
    _open(page, out)
    page.screenshot("report-aggregate")
    assert page.errors == []
    wl = api.task.get()["subtasks"][0]["workloads"][0]
    section = page.page.locator("section.workload").first
    assert section.locator(".kpi .v").all_inner_texts()[0] == "900"
    note = section.locator("[data-results='aggregate']")
    assert note.count() == 1 and f"at most {wl['statistics']['aggregate']['peak_concurrency']} " in note.inner_text()
    for title in ("Iteration duration", "Latency from schedule", "Load: iterations ended per second",
                  "Failures per bin", "Duration histogram", "Atomic actions per second"):
        assert section.locator(f"[data-chart^='{title}'] canvas").count() == 1, title
    assert section.locator("[data-chart$='by iteration number']").count() == 0  # no iteration numbers
    failures = section.locator("h3:has-text('Failures') + table tbody tr")
    counts = [int(failures.nth(i).locator("td").nth(2).inner_text()) for i in range(failures.count())]
    assert sum(counts) == wl["failed_iteration_count"] > 0
    assert page.page.evaluate(_CHART_PROBLEMS) == []


_LOAD_CHART = """() => {
  const box = document.querySelector("[data-chart^='Load: iterations']");
  return box.uplot.series.slice(1).map((s, i) => ({label: s.label, values: box.uplot.data[i + 1]}));
}"""


@pytest.mark.parametrize(("runner", "label"), [
    ({"ramping_vus": {"stages": [{"duration": 1, "target": 4}, {"duration": 1.5, "target": 4},
                                 {"duration": 0.5, "target": 0}]}}, "users wanted (stages)"),
    ({"ramping_arrival_rate": {"stages": [{"duration": 1, "target": 40}, {"duration": 1.5, "target": 40},
                                          {"duration": 0.5, "target": 0}], "max_concurrency": 4}}, "due/s (stages)"),
])
def test_a_ramps_stages_are_drawn_on_the_load_chart(cli: CLI, page: PageWatch, tmp_path: Path,
                                                     runner: dict[str, object], label: str) -> None:
    task = tmp_path / "ramp.json"
    task.write_text(json.dumps({"version": 2, "title": "ramp", "subtasks": [{"title": "s", "workloads": [
        {"scenario": {"Dummy.dummy": {"sleep": 0.02}}, "runner": runner}]}]}))
    cli("task", "start", "-q", str(task), check=True)
    out = tmp_path / "report.html"
    cli("task", "report", "--out", str(out), check=True)
    _open(page, out)
    page.screenshot("report-stages-" + next(iter(runner)))
    assert page.errors == []
    series = {s["label"]: s["values"] for s in page.page.evaluate(_LOAD_CHART)}
    planned = series[label]  # the stages, drawn beside what ran
    assert max(planned) == 4 if "users" in label else max(planned) == 40
    assert planned[0] < max(planned)  # the ramp up is drawn: it starts below the hold
    ran = series["running (mean)"] if "users" in label else series["started/s"]
    assert max(v for v in ran if v is not None) > 0
    assert page.page.evaluate(_CHART_PROBLEMS) == []


def test_each_check_is_listed_with_its_passes_and_failures(cli: CLI, page: PageWatch, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>hello</p>")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], cwd=site,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert server.poll() is None and time.monotonic() < deadline, "http.server did not start"
            time.sleep(0.05)
        steps = [{"name": "home", "url": "/index.html", "check": {"status": 200, "body_contains": "hello"}},
                 {"name": "gone", "url": "/gone.html", "check": {"status": [200, 404]}},
                 {"name": "greeting", "url": "/index.html", "check": {"body_matches": "bye"}}]
        task = tmp_path / "checks.json"
        task.write_text(json.dumps({"version": 2, "title": "checks", "subtasks": [{"title": "s", "workloads": [
            {"scenario": {"HttpJourney.run": {"base_url": f"http://127.0.0.1:{port}", "steps": steps}},
             "runner": {"constant": {"times": 12, "concurrency": 2}}, "sla": {"failure_rate": {"max": 100}}}]}]}))
        cli("task", "start", "-q", str(task), check=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    out = tmp_path / "report.html"
    cli("task", "report", "--out", str(out), check=True)
    _open(page, out)
    page.screenshot("report-checks")
    assert page.errors == []
    heading = page.page.locator("h3", has_text="Checks:")
    assert heading.inner_text() == "Checks: 36 of 48 passed (75.0%)"
    cells = [[td.inner_text() for td in tr.locator("td").all()]
             for tr in page.page.locator("h3:has-text('Checks:') + table tr").all()]
    assert [c for c in cells if c] == [
        ["✓ home: status is 200", "12", "0", "100%"],
        ["✓ home: body contains 'hello'", "12", "0", "100%"],
        ["✓ gone: status in [200, 404]", "12", "0", "100%"],
        ["✗ greeting: body matches 'bye'", "0", "12", "0%"]]
