"""Runs one created task in its own process (``task.launch``).

    python -m squall.task.detached --db URL --task UUID [--abort-on-sla-failure]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from squall.storage import repo
from squall.storage.db import Database
from squall.task.engine import TaskEngine


def main(argv: list[str] | None = None) -> int:
    """Run the task to its end; SIGTERM and SIGINT abort it gracefully."""
    parser = argparse.ArgumentParser(prog="squall.task.detached")
    parser.add_argument("--db", required=True)
    parser.add_argument("--task", required=True)
    parser.add_argument("--abort-on-sla-failure", action="store_true")
    opts = parser.parse_args(argv)
    # A service stopping its workers sends SIGTERM: treat it like Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    db = Database(opts.db)
    task = repo.task_get(db, opts.task)
    env: dict[str, object] = {}
    if task["env_uuid"]:
        try:
            env = repo.env_get(db, task["env_uuid"])["spec"]
        except Exception:
            env = {}
    TaskEngine(db, task["uuid"], task["config"], env, opts.abort_on_sla_failure,  # type: ignore[arg-type]
               env_uuid=task["env_uuid"], env_name=task["env_name"]).run()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
