"""One test's result, the counts of a run, and the JUnit XML reader.

Statuses are Rally's: ``success``, ``fail``, ``skip``, ``xfail`` (an expected
failure) and ``uxsuccess`` (an unexpected success).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, TypedDict

STATUSES = ("success", "fail", "skip", "xfail", "uxsuccess")
MAX_TEXT = 64 * 1024  # a traceback or reason longer than this is cut (a test printing megabytes)


class TestResult(TypedDict, total=False):
    """What is kept of one test."""

    name: str
    status: str
    duration: float
    reason: str
    traceback: str
    timestamp: float


def bounded_text(text: str | None) -> str:
    """The text, cut to :data:`MAX_TEXT` characters with a marker."""
    text = text or ""
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "\n... (cut by squall)"


@dataclass
class Counts:
    """Counts of a run by status, and the time its tests took."""

    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    duration: float = 0.0

    def add(self, result: TestResult) -> None:
        """Count one result."""
        self.by_status[result["status"]] = self.by_status.get(result["status"], 0) + 1
        self.duration += float(result.get("duration") or 0.0)

    @property
    def total(self) -> int:
        """How many tests ran."""
        return sum(self.by_status.values())

    def columns(self) -> dict[str, Any]:
        """The counts as the verification row stores them (Rally's names)."""
        b = self.by_status
        return {"tests_count": self.total, "success": b["success"], "failures": b["fail"], "skipped": b["skip"],
                "expected_failures": b["xfail"], "unexpected_success": b["uxsuccess"],
                "tests_duration": round(self.duration, 6)}


def _status_of(case: ET.Element) -> tuple[str, str, str]:
    """(status, reason, traceback) of a <testcase>."""
    for child in case:
        tag = child.tag
        text = (child.text or "").strip()
        message = child.get("message") or ""
        if tag in ("failure", "error"):
            return "fail", message, text or message
        if tag == "skipped":
            if (child.get("type") or "") == "pytest.xfail":
                return "xfail", message, ""
            return "skip", message or text, ""
    return "success", "", ""


def read_junit(stream: IO[bytes]) -> Iterator[TestResult]:
    """The test cases of a JUnit XML document, one by one, without holding the document in memory."""
    try:
        for _event, elem in ET.iterparse(stream, events=("end",)):
            if elem.tag != "testcase":
                continue
            classname, name = elem.get("classname") or "", elem.get("name") or ""
            status, reason, trace = _status_of(elem)
            result: TestResult = {"name": f"{classname}.{name}" if classname else name, "status": status,
                                  "duration": float(elem.get("time") or 0.0)}
            if reason:
                result["reason"] = bounded_text(reason)
            if trace:
                result["traceback"] = bounded_text(trace)
            elem.clear()
            yield result
    except ET.ParseError as exc:
        raise ValueError(f"not JUnit XML: {exc}") from None
