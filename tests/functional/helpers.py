"""Helpers to build task files and read results in functional tests."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from squall.api import API


def v2_task(scenario: str, args: dict[str, Any] | None = None, runner: dict[str, Any] | None = None,
            contexts: dict[str, Any] | None = None, sla: dict[str, Any] | None = None, title: str = "test",
            hooks: list[dict[str, Any]] | None = None) -> str:
    workload: dict[str, Any] = {"scenario": {scenario: args or {}}, "runner": runner or {"serial": {"times": 1}}}
    if hooks is not None:
        workload["hooks"] = hooks
    if contexts is not None:
        workload["contexts"] = contexts
    if sla is not None:
        workload["sla"] = sla
    return json.dumps({"version": 2, "title": title, "subtasks": [{"title": scenario, "workloads": [workload]}]})


def run_task(api: API, text: str, **start: Any) -> dict[str, Any]:
    """Create and run a task through the API; returns ``task.get``."""
    task = api.task.create(config=text)
    api.task.start(task_id=task["uuid"], **start)
    return api.task.get(task_id=task["uuid"])


def only_workload(task: dict[str, Any]) -> dict[str, Any]:
    (sub,) = task["subtasks"]
    (wl,) = sub["workloads"]
    return wl


def iterations(api: API, task_id: str) -> list[dict[str, Any]]:
    doc = json.loads(api.results.export(task_ids=[task_id], type="squall-json")["content"])
    return [it for sub in doc["tasks"][0]["subtasks"] for wl in sub["workloads"] for it in wl["data"]]


@contextmanager
def counting_server() -> Iterator[tuple[str, Counter[str]]]:
    """A keep-alive HTTP/1.1 server on 127.0.0.1 (``/fail`` answers 503, ``/slow`` 200 after 50 ms, any other
    path 200 at once) and the count of the requests it answered, by path."""
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # the head and the body are two writes: no delayed-ACK wait between them

        def do_GET(self) -> None:  # noqa: N802 - the handler's API
            with lock:
                seen[self.path] += 1
            if self.path == "/slow":
                time.sleep(0.05)
            self.send_response(503 if self.path == "/fail" else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
