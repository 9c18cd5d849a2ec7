"""Live Prometheus metrics of a running task (``squall task start --prometheus-port N``), with prometheus-client.

One registry per task; every series carries the labels ``task``, ``subtask``,
``workload`` (its position) and ``scenario``. The consumer of a workload's
results feeds them as iterations arrive, and every progress tick sets the
gauges: iterations in flight, the rps target and the achieved start rate.
``METRICS`` names every series, for dashboards to check against.
"""

from __future__ import annotations

import time
from typing import Any

#: name -> (kind, help). Counters get prometheus-client's ``_total`` suffix in the exposition.
METRICS: dict[str, tuple[str, str]] = {
    "squall_iterations": ("counter", "Iterations that ended"),
    "squall_iteration_failures": ("counter", "Iterations that ended with an error"),
    "squall_iteration_duration_seconds": ("histogram", "Iteration duration (from its start, as Rally's)"),
    "squall_atomic_duration_seconds": ("histogram", "Duration of each top-level atomic action (each request of a "
                                                    "journey)"),
    "squall_atomic_failures": ("counter", "Top-level atomic actions (requests of a journey) that failed"),
    "squall_from_schedule_seconds": ("histogram", "Open loop: latency from the iteration's due time"),
    "squall_concurrency": ("gauge", "Iterations in flight"),
    "squall_rps_target": ("gauge", "Open loop: the start rate asked for now"),
    "squall_rps_achieved": ("gauge", "Iterations started per second over the last progress tick"),
    "squall_hook_runs": ("counter", "Hook runs that ended, by status"),
}
LABELS = ("task", "subtask", "workload", "scenario")
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def exposed_names() -> set[str]:
    """Every series name a scrape can show (counters with ``_total``, histograms with their parts)."""
    names: set[str] = set()
    for name, (kind, _) in METRICS.items():
        if kind == "counter":
            names.add(f"{name}_total")
        elif kind == "histogram":
            names.update(f"{name}{part}" for part in ("_bucket", "_count", "_sum"))
        else:
            names.add(name)
    return names


class LiveMetrics:
    """The metrics of one task, in a registry of their own, served over HTTP while the task runs."""

    def __init__(self, task_uuid: str) -> None:
        import prometheus_client as prom

        self.task_uuid = task_uuid
        self.registry = prom.CollectorRegistry()
        make = {"counter": prom.Counter, "gauge": prom.Gauge}
        self.series: dict[str, Any] = {}
        for name, (kind, text) in METRICS.items():
            labels = LABELS + (("action",) if name.startswith("squall_atomic_") else ()) + \
                (("status",) if name == "squall_hook_runs" else ())
            if kind == "histogram":
                self.series[name] = prom.Histogram(name, text, labels, registry=self.registry, buckets=BUCKETS)
            else:
                self.series[name] = make[kind](name, text, labels, registry=self.registry)
        self._server: Any = None

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """Expose the metrics at ``http://HOST:PORT/metrics`` (any path answers) until :meth:`close`."""
        import prometheus_client as prom

        self._server, _ = prom.start_http_server(port, addr=host, registry=self.registry)

    def close(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def workload(self, subtask: str, position: int, scenario: str) -> WorkloadMetrics:
        """The series of one workload."""
        return WorkloadMetrics(self, (self.task_uuid, subtask, str(position), scenario))


class WorkloadMetrics:
    """One workload's series, its labels bound."""

    def __init__(self, live: LiveMetrics, labels: tuple[str, ...]) -> None:
        s = live.series
        self._labels = labels
        self._atomic = s["squall_atomic_duration_seconds"]
        self._atomic_failures = s["squall_atomic_failures"]
        self._hooks = s["squall_hook_runs"]
        self._iterations = s["squall_iterations"].labels(*labels)
        self._failures = s["squall_iteration_failures"].labels(*labels)
        self._durations = s["squall_iteration_duration_seconds"].labels(*labels)
        self._from_schedule = s["squall_from_schedule_seconds"].labels(*labels)
        self._concurrency = s["squall_concurrency"].labels(*labels)
        self._target = s["squall_rps_target"].labels(*labels)
        self._achieved = s["squall_rps_achieved"].labels(*labels)
        self._failures.inc(0)  # a series from the start, so rates over it exist before the first failure
        self._actions: dict[str, Any] = {}
        self._last: tuple[float, int] | None = None

    def iteration(self, it: dict[str, Any]) -> None:
        """One ended iteration (Rally's dict)."""
        self._iterations.inc()
        if it["error"]:
            self._failures.inc()
        self._durations.observe(it["duration"])
        lag = it.get("start_lag")
        if lag is not None:
            self._from_schedule.observe(lag + it["duration"])
        for action in it["atomic_actions"]:
            name = action["name"]
            series = self._actions.get(name)
            if series is None:
                series = self._actions[name] = (self._atomic.labels(*self._labels, name),
                                                self._atomic_failures.labels(*self._labels, name))
                series[1].inc(0)  # a series from the start, so a rate of failures exists before the first
            if action.get("finished_at") is not None:
                series[0].observe(action["finished_at"] - action["started_at"])
            if action.get("failed"):
                series[1].inc()

    def summary(self, summary: dict[str, Any]) -> None:
        """One worker's aggregate report (``--results aggregate``): the counters move; the duration
        histograms, which need every value, do not."""
        self._iterations.inc(summary["count"])
        self._failures.inc(summary["failed"])

    def tick(self, started: int, ended: int, target: float | None) -> None:
        """Progress: iterations started and ended so far, and the rate asked for now (open loop)."""
        now = time.monotonic()
        self._concurrency.set(max(0, started - ended))
        if target is not None:
            self._target.set(target)
        if self._last is not None and now > self._last[0]:
            self._achieved.set((started - self._last[1]) / (now - self._last[0]))
        self._last = (now, started)

    def hook(self, status: str) -> None:
        """A hook run ended with ``status``."""
        self._hooks.labels(*self._labels, status).inc()
