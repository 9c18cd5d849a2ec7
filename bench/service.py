"""Starts a `squall service` for a bench and waits until it answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def running_service(home: Path, port: int, db_url: str | None = None) -> Iterator[str]:
    """A service over the database in ``home`` (or at ``db_url``); yields its base URL."""
    env = dict(os.environ, SQUALL_HOME=str(home))
    env.pop("SQUALL_DB_URL", None)
    if db_url:
        env["SQUALL_DB_URL"] = db_url
    proc = subprocess.Popen([sys.executable, "-m", "squall.cli.main", "service", "start", "--port", str(port)],
                            env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/health")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait()
