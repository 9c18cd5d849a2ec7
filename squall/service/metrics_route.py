"""``GET /metrics``: the service's running tasks for Prometheus, from what their processes store.

A task the service launched runs in a process of its own, so this reads the
progress every task stores twice a second: iterations ended and failed per
workload, and the iterations expected. The names are those of
``squall task start --prometheus-port`` (:mod:`squall.task.engine.metrics`), so the
shipped Grafana dashboard's rate panels work against either.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from squall import exceptions

# The labels of squall.task.engine.metrics.LABELS (the service reaches the domain only through the API).
LABELS = ("task", "subtask", "workload", "scenario")


def exposition(workloads: list[dict[str, Any]]) -> bytes:
    """The Prometheus text format of the running workloads."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    done = CounterMetricFamily("squall_iterations", "Iterations that ended", labels=LABELS)
    failed = CounterMetricFamily("squall_iteration_failures", "Iterations that ended with an error", labels=LABELS)
    expected = GaugeMetricFamily("squall_expected_iterations", "Iterations the workload will run, when known",
                                 labels=LABELS)
    for wl in workloads:
        labels = [wl["task"], wl["subtask"], str(wl["workload"]), wl["scenario"]]
        done.add_metric(labels, wl["done"])
        failed.add_metric(labels, wl["failed"])
        if wl["expected"] is not None:
            expected.add_metric(labels, wl["expected"])

    class _Running:
        def collect(self) -> Any:
            return [done, failed, expected]

    registry = CollectorRegistry()
    registry.register(_Running())
    return bytes(generate_latest(registry))


def metrics_endpoint(api: Any, authorised: Any, error: Any) -> Any:
    """The ``/metrics`` handler: the service's token is needed when it has one (Prometheus sends it as a
    bearer token: ``authorization: {credentials: ...}`` in the scrape config)."""

    async def metrics(request: Request) -> Response:
        if not authorised(request):
            return error(exceptions.UnauthorizedError("a valid 'Authorization: Bearer <token>' header is needed"))
        workloads = await run_in_threadpool(api.task.running)
        return Response(exposition(workloads), media_type="text/plain; version=0.0.4; charset=utf-8")

    return metrics
