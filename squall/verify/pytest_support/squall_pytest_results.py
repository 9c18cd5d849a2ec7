"""A pytest plugin squall loads into a suite it runs (``-p squall_pytest_results``): one JSON line per test.

Standalone (the standard library only), because it runs in the suite's
interpreter. It writes to the file named by ``SQUALL_PYTEST_RESULTS`` as each
test ends, so squall reads results while the suite runs, with the statuses
JUnit XML cannot tell apart: ``xfail`` and ``uxsuccess``.
"""

import json
import os
import time

_OUT = None


def _write(record):
    global _OUT
    if _OUT is None:
        _OUT = open(os.environ["SQUALL_PYTEST_RESULTS"], "a", buffering=1, encoding="utf-8")
    _OUT.write(json.dumps(record) + "\n")


def _reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(getattr(report, "wasxfail", "") or "")


def pytest_runtest_logreport(report):
    """Record the test once: at its call, or at a set-up that skipped or failed it."""
    xfail = hasattr(report, "wasxfail")
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.passed:
            status = "uxsuccess" if xfail else "success"
        elif report.skipped:
            status = "xfail" if xfail else "skip"
        else:
            status = "fail"
        record = {"name": report.nodeid, "status": status, "duration": round(report.duration, 6),
                  "timestamp": time.time()}
        if status in ("skip", "xfail"):
            record["reason"] = report.wasxfail if xfail and report.wasxfail else _reason(report)
        if status == "fail":
            record["traceback"] = report.longreprtext
        _write(record)
