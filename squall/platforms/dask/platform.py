"""``dask`` platform: the environment's load runs on a Dask cluster, as ``--executor`` would choose.

An environment spec with ``{"dask": {"scheduler": "dask://HOST:8786"}}``
makes every task on it run its iterations on that cluster's workers, unless
``task start --executor`` says otherwise (``--executor local`` keeps it
here). ``workers``, ``fail_on_worker_loss`` and ``results`` are the defaults
of ``--dask-workers``, ``--fail-on-worker-loss`` and ``--results``.

The check connects to the scheduler (as a task's start does, with its 5 s
timeout) and counts its workers; it sends no code to them (a task's start
checks their squall and plugins).
"""

from __future__ import annotations

from typing import Any, ClassVar

from squall import exceptions
from squall.env.dask_connection import worker_count
from squall.env.executor_spec import RESULT_MODES, ExecutorSpec, parse_executor
from squall.env.platform import Platform
from squall.registry import JSON_SCHEMA, configure


@configure(name="dask")
class DaskPlatform(Platform):
    """A Dask cluster (or a local one, ``dask-local:N``) that runs the environment's load."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "scheduler": {"type": "string", "pattern": "^(dask://[A-Za-z0-9._\\-\\[\\]:]+|dask-local:[0-9]{1,3})$"},
            "workers": {"type": "integer", "minimum": 1},
            "fail_on_worker_loss": {"type": "boolean"},
            "results": {"enum": list(RESULT_MODES)},
        },
        "required": ["scheduler"],
        "additionalProperties": False,
    }

    def executor(self) -> ExecutorSpec:
        """The executor this section describes."""
        return parse_executor(self.spec["scheduler"], self.spec.get("workers"),
                              bool(self.spec.get("fail_on_worker_loss")), self.spec.get("results"))

    def check(self) -> dict[str, Any]:
        try:
            spec = self.executor()
        except exceptions.SquallError as exc:
            return {"available": False, "message": exc.message}
        if spec.kind == "dask-local":
            return {"available": True, "message": f"a local Dask cluster of {spec.workers} workers starts with "
                                                   "each workload"}
        try:
            workers = worker_count(spec)
        except exceptions.SquallError as exc:  # unreachable, or no 'distributed' here
            return {"available": False, "message": exc.message}
        if not workers:
            return {"available": False, "message": f"the Dask scheduler at {spec.address} has no workers"}
        return {"available": True, "message": f"Dask scheduler at {spec.address}: {workers} workers"}


def executor_of(env_spec: dict[str, Any]) -> ExecutorSpec | None:
    """The executor an environment spec chooses, or None (the local pool)."""
    section = env_spec.get("dask")
    return DaskPlatform(section).executor() if section is not None else None
