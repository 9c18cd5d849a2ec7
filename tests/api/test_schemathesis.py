"""Schemathesis fuzzes every route of the OpenAPI document: no request may get a 5xx."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import ServiceFactory


def test_no_server_errors_on_fuzzed_requests(start_service: ServiceFactory, tmp_path: Path) -> None:
    # --allow-admin: the db/* routes are fuzzed past the refusal too (recreate wipes only this test's database).
    url = start_service("--allow-admin")
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    har = tmp_path / "fuzz.har"
    proc = subprocess.run([exe, "run", f"{url}/api/v1/openapi.json", "--checks", "not_a_server_error",
                           "--max-examples", "15", "--seed", "1", "--no-color",
                           "--report", "har", "--report-har-path", str(har)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout
    entries = json.loads(har.read_text())["log"]["entries"]
    answered: dict[str, set[int]] = {}
    for entry in entries:
        path = urlsplit(entry["request"]["url"]).path
        answered.setdefault(path, set()).add(entry["response"]["status"])
    assert all(code < 500 for codes in answered.values() for code in codes)
    # The admin routes were reached, not only refused; the seed's routes were fuzzed too.
    for route in ("/api/v1/db/recreate", "/api/v1/db/upgrade", "/api/v1/db/create"):
        assert answered.get(route, set()) - {403}, f"{route}: {answered.get(route)}"
    assert any(p.startswith("/api/tasks/") and p.endswith("/deployment_tasks") for p in answered)
