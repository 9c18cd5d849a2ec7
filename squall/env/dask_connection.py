"""A connection to the Dask cluster an executor spec names, for the Dask executor and the Dask platform's check.

``distributed`` is imported only when a connection is made: squall runs without it
until a Dask executor is chosen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from squall import exceptions
from squall.env.executor_spec import ExecutorSpec

_CONNECT_SECONDS = 5.0


def connect(spec: ExecutorSpec) -> tuple[Any, Any]:
    """A Dask client (and the local cluster it owns, for dask-local:N); a one-line error when unreachable."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise exceptions.InvalidArgumentsError("the Dask executor needs the 'distributed' package "
                                               "(pip install 'squall[dask]')") from None
    if spec.kind == "dask-local":
        cluster = LocalCluster(n_workers=spec.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, scheduler_kwargs={"dashboard": False}, silence_logs=50)
        return Client(cluster), cluster
    try:
        return Client(spec.address, timeout=_CONNECT_SECONDS), None
    except (OSError, TimeoutError) as exc:
        raise exceptions.InvalidArgumentsError(
            f"cannot reach the Dask scheduler at {spec.address}: {type(exc).__name__}: {exc}") from None


@contextmanager
def connected(spec: ExecutorSpec) -> Iterator[Any]:
    """A Dask client for the time of a check, closed (with its local cluster) afterwards."""
    client, cluster = connect(spec)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def worker_count(spec: ExecutorSpec) -> int:
    """How many workers the scheduler has now: it is asked, and no code is sent to them."""
    with connected(spec) as client:
        return len(client.scheduler_info()["workers"])
