"""Schemathesis fuzzes every route of the OpenAPI document: no request may get a 5xx."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ServiceFactory


def test_no_server_errors_on_fuzzed_requests(start_service: ServiceFactory, tmp_path: Path) -> None:
    url = start_service()
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    proc = subprocess.run([exe, "run", f"{url}/api/v1/openapi.json", "--checks", "not_a_server_error",
                           "--max-examples", "15", "--seed", "1", "--no-color"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout
