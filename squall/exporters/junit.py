"""Task results as JUnit XML: a test case per workload (failed on SLA failure) and per hook run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from squall import utils
from squall.plugin_api.exporter import Exporter, ResultsReader
from squall.registry import configure


def export(trees: list[dict[str, Any]]) -> str:
    """A ``<testsuites>`` document for CI systems."""
    suites = ET.Element("testsuites")
    for tree in trees:
        workloads = [wl for sub in tree["subtasks"] for wl in sub["workloads"]]
        failures = sum(1 for wl in workloads if not wl["pass_sla"])
        tests = len(workloads)
        suite = ET.SubElement(suites, "testsuite", {
            "id": tree["uuid"], "name": tree["title"] or tree["uuid"], "tests": str(tests),
            "failures": str(failures), "errors": "0", "skipped": "0",
            "time": f"{tree['task_duration'] or 0:.3f}", "timestamp": utils.iso(tree["created_at"]) or "",
        })
        for wl in workloads:
            case = ET.SubElement(suite, "testcase", {
                "classname": wl["name"], "name": f"workload {wl['position']}: {wl['name']}",
                "id": wl["uuid"], "time": f"{wl['full_duration'] or 0:.3f}",
            })
            if not wl["pass_sla"]:
                details = [r["detail"] for r in (wl["sla_results"] or {}).get("sla", []) if not r["success"]]
                failure = ET.SubElement(case, "failure", {"message": details[0] if details else "SLA failed"})
                failure.text = "\n".join(details)
            for hook in wl["hooks"] or []:
                (action_name, _), = hook["config"]["action"].items()
                for run in hook["results"]:
                    tests += 1
                    trig = run["triggered_by"]
                    hook_case = ET.SubElement(suite, "testcase", {
                        "classname": f"{wl['name']}.hooks",
                        "name": f"workload {wl['position']}: {action_name} at {trig['event_type']} {trig['value']}",
                        "time": f"{run['finished_at'] - run['started_at']:.3f}",
                    })
                    if run["status"] != "success":
                        failures += 1
                        error = run.get("error") or {}
                        fail = ET.SubElement(hook_case, "failure",
                                             {"message": error.get("description") or run["status"]})
                        fail.text = error.get("details", "")
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


@configure(name="junit-xml")
class JunitXml(Exporter):
    """A ``<testsuites>`` document for CI systems: a test case per workload (failed when its SLA failed) and
    per hook run."""

    def export(self, results: ResultsReader) -> str:
        return export(results.tasks)

