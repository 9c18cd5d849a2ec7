"""Reports of one or several verifications: JSON, JUnit XML, and an HTML page with the runs side by side.

Several runs are shown as Rally shows them: one row per test, one status
column per run; a test whose status differs between the runs is marked.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from squall.verify.results import TestResult

COLOURS = {"success": "#1a9e5a", "fail": "#c62828", "skip": "#8e99ab", "xfail": "#6b46c1", "uxsuccess": "#e07b00"}


RALLY_TIME = "%Y-%m-%dT%H:%M:%S"


def split_tags(test_id: str) -> tuple[str, list[str]]:
    """``a.b.test_x[id-1,smoke]`` -> (``a.b.test_x``, [``id-1``, ``smoke``]): a test id's name and tags."""
    name, bracket, rest = test_id.partition("[")
    if not bracket or not rest.endswith("]"):
        return test_id, []
    return name, [tag for tag in rest[:-1].split(",") if tag]


def _when(value: Any) -> str:
    return value.strftime(RALLY_TIME) if hasattr(value, "strftime") else str(value or "")[:19]


def to_json(runs: list[dict[str, Any]], tests: list[list[TestResult]]) -> str:
    """Rally's ``verify report --type json``: ``verifications`` by UUID, and ``tests`` by id, each with its
    ``name``, ``tags`` and its result ``by_verification`` (``details``: the reason and traceback)."""
    verifications: dict[str, Any] = {}
    by_test: dict[str, Any] = {}
    for run, run_tests in zip(runs, tests, strict=True):
        verifications[run["uuid"]] = {
            "started_at": _when(run["created_at"]), "finished_at": _when(run["updated_at"]),
            "status": run["status"], "run_args": run["run_args"], "tests_count": run["tests_count"],
            "tests_duration": run["tests_duration"], "skipped": run["skipped"], "success": run["success"],
            "expected_failures": run["expected_failures"], "unexpected_success": run["unexpected_success"],
            "failures": run["failures"], "verifier_uuid": run["verifier_uuid"], "env_name": run["env_name"],
            "tags": run["tags"]}
        for t in run_tests:
            if t["name"] not in by_test:
                name, tags = split_tags(t["name"])
                tags.sort(key=lambda tag: not tag.startswith("id-"))  # the test's id first, as Rally does
                by_test[t["name"]] = {"tags": tags, "name": name, "by_verification": {}}
            result: dict[str, Any] = {"status": t["status"], "duration": f"{t.get('duration') or 0:.3f}"}
            reason, trace = t.get("reason", ""), (t.get("traceback") or "").strip()
            details = reason + ("\n\n" if reason and trace else "") + trace
            if details:
                result["details"] = details
            by_test[t["name"]]["by_verification"][run["uuid"]] = result
    return json.dumps({"verifications": verifications, "tests": by_test}, indent=4, default=str)


def to_junit(runs: list[dict[str, Any]], tests: list[list[TestResult]]) -> str:
    """One ``<testsuite>`` per verification, a ``<testcase>`` per test with its failure or skip."""
    root = ET.Element("testsuites")
    for run, run_tests in zip(runs, tests, strict=True):
        suite = ET.SubElement(root, "testsuite", name=f"verification {run['uuid']}", tests=str(run["tests_count"]),
                              failures=str(run["failures"]), skipped=str(run["skipped"]),
                              time=f"{run['tests_duration']:.3f}", timestamp=str(run["created_at"] or ""))
        for t in run_tests:
            classname, _, name = t["name"].rpartition(".")
            case = ET.SubElement(suite, "testcase", classname=classname, name=name or t["name"],
                                 time=f"{t.get('duration') or 0:.3f}")
            if t["status"] in ("fail", "uxsuccess"):
                failure = ET.SubElement(case, "failure", message="unexpected success" if t["status"] == "uxsuccess"
                                        else "test failed")
                failure.text = t.get("traceback", "")
            elif t["status"] in ("skip", "xfail"):
                ET.SubElement(case, "skipped", message=t.get("reason", "") or t["status"])
    return ET.tostring(root, encoding="unicode")


def _matrix(tests: list[list[TestResult]]) -> list[tuple[str, list[TestResult | None]]]:
    names: dict[str, None] = {}
    for run_tests in tests:
        for t in run_tests:
            names.setdefault(t["name"])
    indexed = [{t["name"]: t for t in run_tests} for run_tests in tests]
    return [(name, [idx.get(name) for idx in indexed]) for name in sorted(names)]


def to_html(runs: list[dict[str, Any]], tests: list[list[TestResult]], flaky: Iterable[str] = ()) -> str:
    """A self-contained page: the runs' counts, then every test with its status in each run."""
    marked = set(flaky)
    esc = html.escape
    head = "".join(f"<th>{esc(r['uuid'][:8])}<br>{esc(str(r['created_at'] or '')[:19])}</th>" for r in runs)
    counts = "".join(
        f"<tr><td>{esc(r['uuid'])}</td><td>{esc(r['status'])}</td><td>{r['tests_count']}</td><td>{r['success']}"
        f"</td><td>{r['failures']}</td><td>{r['skipped']}</td><td>{r['expected_failures']}</td>"
        f"<td>{r['unexpected_success']}</td><td>{r['tests_duration']:.3f}</td></tr>" for r in runs)
    rows = []
    for name, results in _matrix(tests):
        statuses = [r["status"] if r else "" for r in results]
        changed = len({s for s in statuses if s}) > 1
        cells = "".join(
            f'<td style="color:{COLOURS.get(s, "#333")}" title="{esc((r or {}).get("reason", "") or "")}">'
            f"{esc(s or '-')}</td>" for s, r in zip(statuses, results, strict=True))
        badge = ' <span class="flaky">flaky</span>' if name in marked else ""
        rows.append(f'<tr class="{"changed" if changed else ""}"><td>{esc(name)}{badge}</td>{cells}</tr>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>squall verification report</title>
<style>body{{font:14px system-ui,sans-serif;margin:24px;color:#1f2430}} table{{border-collapse:collapse;margin:12px 0}}
td,th{{border-bottom:1px solid #e3e7ee;padding:4px 10px;text-align:left}} tr.changed td:first-child{{font-weight:600}}
.flaky{{background:#fff3cd;border-radius:3px;padding:0 4px;font-size:12px}}</style></head>
<body><h1>Verifications ({len(runs)})</h1>
<table id="runs"><thead><tr><th>Verification</th><th>Status</th><th>Tests</th><th>Passed</th><th>Failed</th>
<th>Skipped</th><th>xfail</th><th>uxsuccess</th><th>Duration (s)</th></tr></thead><tbody>{counts}</tbody></table>
<table id="tests"><thead><tr><th>Test</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
</body></html>"""


def histories(runs: Iterable[Iterable[TestResult]]) -> dict[str, list[str]]:
    """Each test's statuses across runs, in the order of the runs."""
    found: dict[str, list[str]] = {}
    for run_tests in runs:
        for t in run_tests:
            found.setdefault(t["name"], []).append(t["status"])
    return found


def flaky(histories: dict[str, list[str]], min_flips: int = 1) -> list[dict[str, Any]]:
    """Tests whose outcome flipped between pass and fail across runs (oldest first).

    Two flips or more: ``flaky``; one: ``broke`` (it fails now) or ``fixed`` (it passes now).
    """
    found = []
    for name, statuses in histories.items():
        outcomes = ["pass" if s in ("success", "xfail") else "fail" for s in statuses if s in
                    ("success", "xfail", "fail", "uxsuccess")]
        flips = sum(1 for a, b in zip(outcomes, outcomes[1:], strict=False) if a != b)
        if flips >= min_flips:
            verdict = "flaky" if flips > 1 else ("broke" if outcomes[-1] == "fail" else "fixed")
            found.append({"name": name, "flips": flips, "runs": len(outcomes), "failed": outcomes.count("fail"),
                          "verdict": verdict})
    return sorted(found, key=lambda f: (-f["flips"], f["name"]))
