"""Rally runs that need nothing from squall, started in the background as the session begins.

Rally 5.1.1 takes about 40 s to run the task of every Dummy scenario that
several oracle tests compare with squall's. Nothing in it depends on squall,
so it runs beside the tests before it (its own database, its own folder),
and the fixture that needs it waits for it: the oracle costs the suite's
wall clock little more than the comparisons themselves.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.rally import oracle

_POOL: ThreadPoolExecutor | None = None
_DUMMY: Future[tuple[dict[str, Any], Path, oracle.Rally]] | None = None
_WORK: Path | None = None


def dummy_run(work: Path) -> tuple[dict[str, Any], Path, oracle.Rally]:
    """Rally 5.1.1's JSON report of a task of every Dummy scenario (DUMMY_WORKLOADS), the task file, and the
    Rally whose database holds the run."""
    from tests.rally.conftest import DUMMY_WORKLOADS, PLUGIN_PATHS

    work.mkdir(parents=True, exist_ok=True)
    rally = oracle.Rally(work / "rally")
    task = work / "dummy.json"
    task.write_text(json.dumps({"version": 2, "title": "dummies", "subtasks": [
        {"title": f"w{i}", "workloads": [wl]} for i, wl in enumerate(DUMMY_WORKLOADS)]}))
    rally("--plugin-paths", PLUGIN_PATHS, "task", "start", str(task), timeout=600)
    out = work / "rally.json"
    rally("task", "report", "--json", "--out", str(out), check=True)
    return json.loads(out.read_text()), task, rally


def begin() -> None:
    """Start the Dummy run in the background (when Rally is installed; the fixture says when it is not)."""
    global _POOL, _DUMMY, _WORK
    if _DUMMY is not None or oracle.installed() is not None:
        return
    _WORK = Path(tempfile.mkdtemp(prefix="squall-rally-dummy-"))
    _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rally-prefetch")
    _DUMMY = _POOL.submit(dummy_run, _WORK)


def dummy_result(work: Path) -> tuple[dict[str, Any], Path, oracle.Rally]:
    """The background run's result, or a run now (in ``work``) when none was started."""
    return _DUMMY.result() if _DUMMY is not None else dummy_run(work)


def end() -> None:
    """Wait for what is still running, and remove its folder."""
    if _POOL is not None:
        _POOL.shutdown(wait=True)
    if _WORK is not None:
        shutil.rmtree(_WORK, ignore_errors=True)
