"""A verification from start to end: the verifier's results streamed into the database in chunks, with counts.

Statuses are Rally's: ``running``, then ``finished`` (no test failed, nothing
passed unexpectedly), ``failed`` (some did) or ``crashed`` (the suite could
not run, or squall stopped).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from squall import exceptions
from squall.storage import repo, verify_repo
from squall.storage.db import Database
from squall.verify.results import STATUSES, Counts, TestResult
from squall.verify.verifier_setup import configuration, verifier_of

CHUNK = 500
FLUSH_SECONDS = 1.0
Progress = Callable[[Counts], None]


def final_status(counts: Counts) -> str:
    """``finished`` when no test failed or passed unexpectedly, else ``failed``."""
    return "failed" if counts.by_status["fail"] or counts.by_status["uxsuccess"] else "finished"


def expected_failures(results: Iterable[TestResult], xfail: dict[str, str]) -> Iterable[TestResult]:
    """Rally's ``--xfail-list``: a listed test (its id with or without ``[tags]``) that fails is an ``xfail``
    (with the list's reason), one that passes is an unexpected success."""
    for result in results:
        reason = xfail.get(result["name"])
        if reason is None and "[" in result["name"]:  # Rally's rule: the id with or without its [tags]
            reason = xfail.get(result["name"].split("[", 1)[0])
        if reason is not None and result["status"] in ("fail", "success"):
            result = {**result, "status": "xfail" if result["status"] == "fail" else "uxsuccess"}
            if reason:
                result["reason"] = reason
        yield result


def store(db: Database, uuid: str, results: Iterable[TestResult], progress: Progress | None = None) -> Counts:
    """Write results in chunks as they come: every :data:`CHUNK` tests, or once a second when they come
    slowly, so the row's counts (what a progress line shows) stay current while the run goes."""
    counts = Counts()
    chunk: list[TestResult] = []
    order = 0
    flushed = float("-inf")  # the first result is stored at once: a run shows it has started
    for result in results:
        if result.get("status") not in STATUSES:
            raise exceptions.InvalidArgumentsError(f"test {result.get('name')!r}: unknown status "
                                                   f"{result.get('status')!r}")
        counts.add(result)
        chunk.append(result)
        if len(chunk) >= CHUNK or time.monotonic() - flushed >= FLUSH_SECONDS:
            verify_repo.results_add(db, uuid, order, list(chunk))
            verify_repo.verification_update(db, uuid, **counts.columns())
            order, chunk, flushed = order + 1, [], time.monotonic()
            if progress:
                progress(counts)
    if chunk:
        verify_repo.results_add(db, uuid, order, chunk)
    return counts


def create(db: Database, verifier_row: dict[str, Any], env_row: dict[str, Any] | None, run_args: dict[str, Any],
           tags: list[str]) -> dict[str, Any]:
    """The verification row of a run about to start (status ``running``)."""
    verifier = verifier_of(verifier_row, env_row["spec"] if env_row else None)
    return verify_repo.verification_create(
        db, verifier_uuid=verifier_row["uuid"], env_uuid=env_row["uuid"] if env_row else None,
        env_name=env_row["name"] if env_row else None, status="running", tags=tags, run_args=run_args,
        verifier_version=verifier.version() or verifier_row["version"])


def execute(db: Database, uuid: str) -> dict[str, Any]:
    """Run a created verification to its end; returns its row."""
    row = verify_repo.verification_get(db, uuid)
    verifier_row = verify_repo.verifier_get(db, row["verifier_uuid"])
    env_row: dict[str, Any] | None = None
    if row["env_uuid"]:
        try:
            env_row = repo.env_get(db, row["env_uuid"])
        except exceptions.NotFoundError:
            env_row = None
    verifier = verifier_of(verifier_row, env_row["spec"] if env_row else None)
    run_args = dict(row["run_args"] or {})
    xfail = run_args.pop("xfail_list", None) or {}
    try:
        verifier.config = configuration(db, verifier_row, env_row)
        if verifier.config is not None:
            verify_repo.verification_update(db, uuid, config=verifier.shown_config(verifier.config))
        with tempfile.TemporaryDirectory(prefix="squall-verify-") as workdir:
            counts = store(db, uuid, expected_failures(verifier.run(Path(workdir), run_args), xfail))
        verify_repo.verification_update(db, uuid, status=final_status(counts), **counts.columns())
    except (Exception, KeyboardInterrupt) as exc:
        verify_repo.verification_update(db, uuid, status="crashed", error=f"{type(exc).__name__}: {exc}")
        if isinstance(exc, KeyboardInterrupt):
            raise
    return verify_repo.verification_get(db, uuid)


def start(db: Database, verifier_row: dict[str, Any], env_row: dict[str, Any] | None, run_args: dict[str, Any],
          tags: list[str]) -> dict[str, Any]:
    """Run the verifier against the environment to its end, here; returns the verification row."""
    return execute(db, create(db, verifier_row, env_row, run_args, tags)["uuid"])


def launch(db: Database, verifier_row: dict[str, Any], env_row: dict[str, Any] | None, run_args: dict[str, Any],
           tags: list[str]) -> dict[str, Any]:
    """Start the run in a process of its own and return its row at once (the service's way)."""
    row = create(db, verifier_row, env_row, run_args, tags)
    subprocess.Popen([sys.executable, "-m", "squall.verify.run", "--db", db.url, "--verification", row["uuid"]],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    return row


def import_results(db: Database, verifier_row: dict[str, Any], results: Iterable[TestResult], source: str,
                   tags: list[str]) -> dict[str, Any]:
    """Store results read from a file as a new verification of the verifier."""
    row = verify_repo.verification_create(db, verifier_uuid=verifier_row["uuid"], status="running", tags=tags,
                                          run_args={}, verifier_version=verifier_row["version"],
                                          imported_from=source[:1024])
    try:
        counts = store(db, row["uuid"], results)
        if counts.total == 0:
            raise ValueError("it holds no test results")
    except (ValueError, exceptions.SquallError) as exc:
        verify_repo.verification_delete(db, row["uuid"])  # nothing half-imported stays
        raise exceptions.InvalidArgumentsError(f"{source}: {exc}") from None
    verify_repo.verification_update(db, row["uuid"], status=final_status(counts), **counts.columns())
    return verify_repo.verification_get(db, row["uuid"])


def main(argv: list[str] | None = None) -> int:
    """``python -m squall.verify.run --db URL --verification UUID``: what ``launch`` starts."""
    parser = argparse.ArgumentParser(prog="squall.verify.run")
    parser.add_argument("--db", required=True)
    parser.add_argument("--verification", required=True)
    opts = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a stopping service: record the run as crashed
    execute(Database(opts.db), opts.verification)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

