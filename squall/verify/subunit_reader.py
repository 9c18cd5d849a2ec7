"""Reading a subunit v2 stream (python-subunit's parser) into test results, as the stream arrives.

The parser pushes events; a thread runs it and hands each finished test over
a bounded queue, so a reader gets results while the suite still runs, and
memory holds only the tests in progress.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from squall.verify.results import STATUSES, TestResult, bounded_text
from squall.verify.verifier import POLL_SECONDS, Process

_DONE = object()
PARSER_ERROR = "subunit.parser"


def class_of(test_id: str) -> str:
    """``setUpClass (a.b.Class)`` -> ``a.b.Class``: what a class-level event is about (Rally's reading)."""
    for prefix in ("setUpClass (", "tearDown ("):
        if test_id.startswith(prefix) and test_id.endswith(")"):
            return test_id[len(prefix):-1]
    return test_id


class _Collector:
    """A testtools StreamResult that turns each test's events into one result.

    As Rally does, a result for something never listed (a class whose ``setUpClass`` skipped or failed)
    is the result of each listed test of that class that has not run; when nothing listed matches (a
    stream without listing, a ``tearDownClass`` failure) it is kept as a result of its own.
    """

    def __init__(self, out: queue.Queue[Any]) -> None:
        self.out = out
        self.open: dict[str, dict[str, Any]] = {}
        self.listed: set[str] = set()  # "exists" and not finished yet

    def startTestRun(self) -> None:  # noqa: N802 - testtools' names
        """Nothing to do at the start."""

    def stopTestRun(self) -> None:  # noqa: N802
        """Nothing to do at the end."""

    def status(self, test_id: str | None = None, test_status: str | None = None, file_name: str | None = None,
               file_bytes: Any = None, timestamp: dt.datetime | None = None, **_: Any) -> None:
        """One event of the stream."""
        if test_id is None:
            return  # bytes outside any test (the suite's own output)
        if test_status == "exists":
            self.listed.add(test_id)
        state = self.open.setdefault(test_id, {"files": {}})
        # A test's time runs from "inprogress"; stestr lists every test ("exists") before any starts.
        if timestamp is not None and (test_status == "inprogress" or "start" not in state) \
                and not state.get("started"):
            state["start"] = timestamp
            state["started"] = test_status == "inprogress"
        if file_name and file_bytes is not None:
            files = state["files"]
            files[file_name] = files.get(file_name, b"") + bytes(file_bytes)
        if test_status in STATUSES:
            self._finished(test_id, test_status, timestamp, self.open.pop(test_id))

    def _finished(self, test_id: str, status: str, end: dt.datetime | None, state: dict[str, Any]) -> None:
        if test_id == PARSER_ERROR:  # python-subunit reports a corrupt packet as this "test"
            detail = b"".join(state["files"].values()).decode("utf-8", "replace").strip()
            last = detail.splitlines()[-1] if detail else "a corrupt packet"
            raise ValueError("".join(c for c in last if c.isprintable() and c != "\ufffd").strip())
        if test_id in self.listed:
            self.listed.discard(test_id)
            self.out.put(_result(test_id, status, end, state))
            return
        target = class_of(test_id)
        members = sorted(t for t in self.listed if t == target or t.startswith(target + "."))
        if not members:
            self.out.put(_result(test_id, status, end, state))
            return
        for member in members:  # the class did not run: each of its tests gets the class's result
            self.listed.discard(member)
            self.open.pop(member, None)
            self.out.put(_result(member, status, end, {"start": end, "files": state["files"]}))


def _text(data: bytes | None) -> str:
    return bounded_text((data or b"").decode("utf-8", "replace"))


def _result(test_id: str, status: str, end: dt.datetime | None, state: dict[str, Any]) -> TestResult:
    start = state.get("start")
    result: TestResult = {"name": test_id, "status": status,
                          "duration": (end - start).total_seconds() if start and end else 0.0,
                          "timestamp": start.timestamp() if start else 0.0}
    files = state["files"]
    if "reason" in files:
        result["reason"] = _text(files["reason"])
    if status in ("fail", "xfail", "uxsuccess") and "traceback" in files:
        result["traceback"] = _text(files["traceback"])
    return result


def read_subunit(stream: IO[bytes]) -> Iterator[TestResult]:
    """The tests of a subunit v2 stream, each as soon as it finished."""
    import subunit  # python-subunit: imported only when a subunit stream is read

    results: queue.Queue[Any] = queue.Queue(maxsize=1000)
    errors: list[BaseException] = []

    def parse() -> None:
        try:
            collector = _Collector(results)
            subunit.ByteStreamToStreamResult(stream, non_subunit_name="stdout").run(collector)
        except BaseException as exc:  # handed to the reader, never lost in the thread
            errors.append(exc)
        finally:
            results.put(_DONE)

    thread = threading.Thread(target=parse, name="subunit-reader", daemon=True)
    thread.start()
    while (item := results.get()) is not _DONE:
        yield item
    thread.join()
    if errors:
        raise ValueError(f"not a subunit v2 stream: {errors[0]}")


class _Following:
    """A file another process is still writing, read as a stream that ends when the process does."""

    def __init__(self, file: IO[bytes], process: Process) -> None:
        self.file = file
        self.process = process

    def read(self, size: int = -1) -> bytes:
        while True:
            alive = self.process.running()
            data = self.file.read(size)
            if data or not alive:
                return data
            time.sleep(POLL_SECONDS)


def run_subunit(argv: list[str], cwd: Path, env: dict[str, str], workdir: Path) -> Iterator[TestResult]:
    """Run a command whose standard output is subunit v2 and read its tests as they end.

    A command that fails before any test ran is an error carrying the end of what it said on stderr.
    """
    process = Process(argv, cwd, env=env, output=workdir / "subunit.bin", stderr=workdir / "stderr.log")
    seen = 0
    try:
        with process.output.open("rb") as out:
            for result in read_subunit(_Following(out, process)):  # type: ignore[arg-type]
                seen += 1
                yield result
        code = process.wait()
        if code and not seen:
            said = (workdir / "stderr.log").read_bytes()[-3000:].decode("utf-8", "replace").strip()
            raise RuntimeError(f"{Path(argv[0]).name} exited with code {code} before any test ran"
                               + (f": {said}" if said else ""))
    finally:
        process.stop()
