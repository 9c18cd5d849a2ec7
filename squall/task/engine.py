"""The task engine: runs the workloads of a validated task and stores results.

Data flow per workload: contexts set up -> worker processes issue iterations
-> the consumer (this process) streams each result into statistics, the live
SLA check and database chunks -> contexts cleaned up -> statistics and SLA
verdicts stored. See docs/architecture.md.
"""

from __future__ import annotations

import gc
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from squall import exceptions, registry, utils
from squall.deploy import faults
from squall.env import platform
from squall.storage import repo
from squall.storage.db import Database
from squall.task import persistent
from squall.task.aggregate_intake import AggregateIntake
from squall.task.below_load import run_below_the_load
from squall.task.context import ContextManager
from squall.task.executor import Batch, Executor, ExecutorSpec, make_executor
from squall.task.hook import HookRunResult
from squall.task.hook_executor import HookExecutor
from squall.task.metrics import LiveMetrics, WorkloadMetrics
from squall.task.runner import Runner
from squall.task.sla import SLAChecker
from squall.task.stats import WorkloadStats
from squall.task.taskfile.normalise import TaskConfig, WorkloadConfig
from squall.task.worker_base import RawResult

CHUNK_SIZE = 2_000
CHUNK_SECONDS = 2.0
PROGRESS_SECONDS = 0.5
ABORT_STATUSES = ("aborting", "soft_aborting")
# Each stored iteration is a few containers the collector tracks; with the default 700 it walked every young one
# about every 100 iterations (a tenth of this loop's CPU at 50,000 iterations/s). They are freed by reference
# counting, so a rarer young pass costs nothing in memory.
YOUNG_GC_THRESHOLD = 50_000


def to_iteration(raw: RawResult | tuple[Any, ...]) -> dict[str, Any]:
    """A worker's compact result as Rally's iteration dict (plus its number, and the Dask worker that ran it)."""
    number, timestamp, duration, idle, error, output, atomics, lag = raw[:8]
    it = {
        "iteration": number,
        "timestamp": timestamp,
        "duration": duration,
        "idle_duration": idle,
        "error": error,
        "output": output or {"additive": [], "complete": []},
        "atomic_actions": atomics,
    }
    if lag is not None:
        # Open loop: how late it started; the latency from its due time is start_lag + duration.
        it["start_lag"] = lag
    if len(raw) > 8:
        it["worker"] = raw[8]
    return it


class ResultConsumer:
    """Drains a worker pool: statistics, live SLA, chunks, progress, abort."""

    def __init__(self, db: Database, task_uuid: str, workload_uuid: str, pool: Executor,
                 sla: SLAChecker, abort_on_sla_failure: bool, metrics: WorkloadMetrics | None = None) -> None:
        self.db = db
        self.metrics = metrics
        self.task_uuid = task_uuid
        self.workload_uuid = workload_uuid
        self.pool = pool
        self.sla = sla
        self.abort_on_sla_failure = abort_on_sla_failure
        self.stats = WorkloadStats()
        self.aborted_on_sla = False
        self.aborted_by_user = False
        self.tick_callbacks: list[Callable[[], None]] = []
        self._chunk: list[dict[str, Any]] = []
        self._chunk_order = 0
        self._interrupts = 0
        #: Aggregate mode (``--results aggregate``): worker reports instead of rows.
        self.intake = (AggregateIntake(self.stats, sla, pool.result_sources)
                       if pool.schedule.results == "aggregate" else None)

    def _flush(self, final: bool = False) -> None:
        if self.intake is not None:
            records = self.intake.complete(final)
            if records:
                repo.seconds_add(self.db, self.workload_uuid, self.task_uuid, records)
        if self._chunk:
            repo.chunk_add(self.db, self.workload_uuid, self.task_uuid, self._chunk_order, self._chunk)
            self._chunk_order += 1
            self._chunk = []

    def _progress(self) -> None:
        repo.workload_update(self.db, self.workload_uuid, total_iteration_count=self.stats.count,
                             failed_iteration_count=self.stats.failed)
        if self.metrics is not None:
            rate = self.pool.schedule.rate
            target = rate.rate_at(time.monotonic() - self.pool.t0) if rate is not None else None
            self.metrics.tick(self.pool.started_iterations, self.stats.count, target)
        task = repo.task_get(self.db, self.task_uuid)
        repo.task_update(self.db, self.task_uuid, heartbeat=utils.utcnow())
        # A soft abort lets this workload finish; the engine skips the ones after it.
        if task["status"] == "aborting" and not self.aborted_by_user:
            self.aborted_by_user = True
            self.pool.stop()

    def _take_report(self, report: dict[str, Any]) -> None:
        assert self.intake is not None
        if not self.intake.take(report) and self.abort_on_sla_failure and not self.aborted_on_sla:
            self.aborted_on_sla = True
            self.pool.stop()
        if self.metrics is not None:
            self.metrics.summary(report["summary"])

    def _take(self, batch: Batch) -> None:
        if isinstance(batch, dict):
            self._take_report(batch)
            return
        stats_add = self.stats.add_iteration
        sla_add = self.sla.add_iteration
        chunk = self._chunk
        observe = self.metrics.iteration if self.metrics is not None else None
        for raw in batch:
            it = to_iteration(raw)
            stats_add(it)
            if observe is not None:
                observe(it)
            if not sla_add(it) and self.abort_on_sla_failure and not self.aborted_on_sla:
                self.aborted_on_sla = True
                self.pool.stop()
            chunk.append(it)
        self.stats.compact()
        if len(chunk) >= CHUNK_SIZE:
            self._flush()

    def on_hook_result(self, result: HookRunResult) -> None:
        """A hook run ended (called from its thread): feed the hooks SLA (and the live metrics)."""
        if self.metrics is not None:
            self.metrics.hook(str(result.get("status", "")))
        if not self.sla.add_hook_result(result) and self.abort_on_sla_failure and not self.aborted_on_sla:
            self.aborted_on_sla = True
            self.pool.stop()

    def interrupt(self) -> None:
        """Ctrl-C: first stop issuing iterations, on the second kill workers."""
        self._interrupts += 1
        self.aborted_by_user = True
        repo.task_set_status_if(self.db, self.task_uuid, ("running",), "aborting")
        if self._interrupts == 1:
            self.pool.stop()
        else:
            self.pool.kill()

    def consume(self) -> None:
        """Run until every worker is done, in a thread that yields the CPU to the load
        (:mod:`~squall.task.below_load`); Ctrl-C is turned into an abort."""
        # What exists before the load (the engine, SQLAlchemy, the plugins) lives on: the collector's full
        # passes over it cost a third of this loop's CPU at high rates, so they are spared it until the end.
        gc.freeze()
        thresholds = gc.get_threshold()
        gc.set_threshold(YOUNG_GC_THRESHOLD, *thresholds[1:])
        if self.intake is not None:
            self.intake.origin = self.pool.started_at
        try:
            run_below_the_load(self._consume, self.interrupt, self.pool.kill)
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()

    def _consume(self) -> None:
        last_flush = last_progress = time.monotonic()
        while not self.pool.finished:
            batch = self.pool.receive()
            if batch:
                self._take(batch)
            for callback in self.tick_callbacks:
                callback()
            now = time.monotonic()
            if now - last_flush >= CHUNK_SECONDS:
                self._flush()
                last_flush = now
            if now - last_progress >= PROGRESS_SECONDS:
                self._progress()
                last_progress = now
        self._flush(final=True)
        self.pool.join()


@dataclass
class WorkloadRun:
    """One workload on its way through the engine: what prepare made and what load saw."""

    uuid: str
    runner: Runner
    scenario_cls: type[registry.Plugin]
    context: dict[str, Any]
    contexts: ContextManager
    sla: SLAChecker
    started: float = field(default_factory=time.monotonic)
    pool: Executor | None = None
    consumer: ResultConsumer | None = None
    hooks: HookExecutor | None = None
    errors: list[str] = field(default_factory=list)
    interrupted: bool = False


class TaskEngine:
    """Runs every workload of a task, in order, and records the outcome."""

    def __init__(self, db: Database, task_uuid: str, config: TaskConfig,
                 env_spec: dict[str, Any] | None = None, abort_on_sla_failure: bool = False,
                 env_uuid: str | None = None, env_name: str | None = None,
                 persistent_context: dict[str, Any] | None = None, metrics: LiveMetrics | None = None,
                 executor: ExecutorSpec | None = None) -> None:
        self.db = db
        self.executor = executor or ExecutorSpec("local")
        self.metrics = metrics
        self._subtask_title = ""
        self.persistent_context = persistent_context
        self.env_uuid = env_uuid
        self.env_name = env_name
        self.task_uuid = task_uuid
        self.config = config
        self.env_spec = env_spec or {}
        self.abort_on_sla_failure = abort_on_sla_failure

    def _aborting(self) -> bool:
        return repo.task_get(self.db, self.task_uuid)["status"] in ABORT_STATUSES

    def run(self) -> str:
        """Run the task; returns its final status."""
        started = time.monotonic()
        repo.task_update(self.db, self.task_uuid, status="running", pid=os.getpid(),
                         hostname=socket.gethostname(), heartbeat=utils.utcnow())
        passed = True
        aborted = False
        try:
            for position, sub in enumerate(self.config["subtasks"]):
                row = repo.subtask_create(self.db, task_uuid=self.task_uuid, position=position,
                                          title=sub["title"], description=sub["description"],
                                          tags=sub["tags"], status="running")
                sub_started = time.monotonic()
                sub_passed = True
                self._subtask_title = sub["title"]
                for wl in sub["workloads"]:
                    if aborted or self._aborting():
                        aborted = True
                        break
                    ok, was_aborted = self._run_workload(row["uuid"], wl)
                    sub_passed = sub_passed and ok
                    aborted = aborted or was_aborted
                repo.subtask_update(self.db, row["uuid"], pass_sla=sub_passed,
                                    status="aborted" if aborted else "finished",
                                    duration=time.monotonic() - sub_started)
                passed = passed and sub_passed
                if aborted:
                    break
        except KeyboardInterrupt:
            aborted = True
        status = "aborted" if aborted else "finished"
        repo.task_update(self.db, self.task_uuid, status=status, pass_sla=passed,
                         task_duration=time.monotonic() - started, heartbeat=utils.utcnow())
        return status

    def _run_workload(self, subtask_uuid: str, wl: WorkloadConfig) -> tuple[bool, bool]:
        """Prepare, load and record one workload; returns (SLA passed, aborted by the user)."""
        run = self._prepare(subtask_uuid, wl)
        self._load(run, wl)
        return self._record(run)

    def _prepare(self, subtask_uuid: str, wl: WorkloadConfig) -> WorkloadRun:
        """The workload's plugins and contexts, and its row (status running)."""
        runner_cls = registry.get("runner", wl["runner_name"])
        runner: Runner = runner_cls(wl["runner_args"])  # type: ignore[call-arg, assignment]
        scenario_cls = registry.get("scenario", wl["scenario_name"])
        # Canonical names: a task's "admin_cleanup" overrides a default "admin_cleanup@openstack".
        contexts = {registry.get("context", name).plugin_name: cfg
                    for name, cfg in {**getattr(scenario_cls, "DEFAULT_CONTEXTS", {}), **wl["contexts"]}.items()}
        provided, state = persistent.provided(self.persistent_context) if self.persistent_context else (set(), {})
        # The persistent context's contexts are set up already: the workload starts from their state.
        contexts = {name: cfg for name, cfg in contexts.items() if name not in provided}
        implicit = platform.implicit_contexts(self.env_spec, {**contexts, **dict.fromkeys(provided)})
        contexts = {**implicit, **contexts}
        row = repo.workload_create(
            self.db, task_uuid=self.task_uuid, subtask_uuid=subtask_uuid, position=wl["position"],
            name=wl["scenario_name"], description=wl["description"] or (scenario_cls.get_info()["title"]),
            args=wl["scenario_args"], runner_type=wl["runner_name"], runner=wl["runner_args"],
            contexts=contexts, sla=wl["sla"], hooks=[], status="running",
            expected_iterations=runner.expected_iterations(),
        )
        base_context: dict[str, Any] = {
            "task": {"uuid": self.task_uuid},
            "owner_id": self.task_uuid,
            "env": self.env_spec,
            "config": contexts,
            **state,
        }
        return WorkloadRun(uuid=row["uuid"], runner=runner, scenario_cls=scenario_cls, context=base_context,
                           contexts=ContextManager(contexts, base_context), sla=SLAChecker(wl["sla"]))

    def _load(self, run: WorkloadRun, wl: WorkloadConfig) -> None:
        """Set up the contexts, run the iterations and hooks, clean up; what happened lands in ``run``."""
        try:
            run.contexts.setup()
            run.scenario_cls.before_load(run.context)  # type: ignore[attr-defined]
            pool = run.pool = make_executor(self.executor, run.runner.schedule(), wl["scenario_name"],
                                            wl["scenario_args"], run.context)
            live = (self.metrics.workload(self._subtask_title, wl["position"], wl["scenario_name"])
                    if self.metrics is not None else None)
            consumer = run.consumer = ResultConsumer(self.db, self.task_uuid, run.uuid, pool, run.sla,
                                                     self.abort_on_sla_failure, live)
            if wl["hooks"]:
                # Hooks run in this process; fault actions are recorded in the environment's history.
                recorder = faults.FaultRecorder(self.db, self.task_uuid, self.env_uuid, self.env_name)
                run.hooks = HookExecutor(wl["hooks"], lambda: pool.started_iterations,
                                         pool.stopped, {**run.context, "faults": recorder},
                                         consumer.on_hook_result)
            try:
                pool.start()
            except exceptions.SquallError as exc:  # the executor could not start (its cluster changed since)
                run.errors.append(f"the load could not start: {exc}")
                pool.kill()
                pool.join()
                return
            if run.hooks is not None:
                run.hooks.start(pool.t0)
            consumer.consume()
            run.errors.extend(pool.errors)
        except exceptions.ContextSetupError as exc:
            run.errors.append(str(exc))
        except KeyboardInterrupt:
            run.interrupted = True
            if run.pool is not None:
                run.pool.kill()
        except BaseException:
            # The database failed us (full, locked) or squall did: no iteration
            # may outlive the clean-up below, or it could leave what it makes.
            if run.pool is not None:
                run.pool.kill()
            raise
        finally:
            if run.hooks is not None:
                run.hooks.finish()
            try:
                run.contexts.cleanup()
            except KeyboardInterrupt:
                run.interrupted = True

    def _record(self, run: WorkloadRun) -> tuple[bool, bool]:
        """Leak check, the SLA's final verdicts and the workload's figures, stored."""
        leaks = platform.leak_check(self.env_spec, self.task_uuid)
        sla = run.sla
        sla.add_leaks(leaks)
        consumer = run.consumer
        stats = consumer.stats if consumer else WorkloadStats()
        aborted_by_user = run.interrupted or bool(consumer and consumer.aborted_by_user)
        if consumer and consumer.aborted_on_sla:
            sla.add_extra("aborted_on_sla", False, "Task was aborted due to SLA failure(s).")
        if aborted_by_user:
            sla.add_extra("aborted_manually", False, "Task was aborted by the user.")
        for error in run.errors:
            sla.add_extra("something_went_wrong", False, error)
        passed = sla.passed()
        pool = run.pool
        intake = consumer.intake if consumer is not None else None
        if intake is not None:
            stats.peak_concurrency = intake.peak
        columns = stats.columns()
        if intake is not None:
            columns["statistics"]["aggregate"] = intake.statistics()
        clocks = getattr(pool, "clocks", None)
        if clocks:  # a Dask run: which workers, their clock offsets and the uncertainty
            columns["statistics"]["executor"] = {"type": self.executor.kind, "workers": clocks}
        repo.workload_update(
            self.db, run.uuid,
            status="aborted" if aborted_by_user else ("crashed" if run.errors else "finished"),
            contexts_results=run.contexts.results,
            hooks=run.hooks.results() if run.hooks is not None else [],
            leaks=leaks,
            sla_results={"sla": sla.results()},
            pass_sla=passed,
            full_duration=time.monotonic() - run.started,
            load_started_at=pool.started_at if pool is not None and pool.started_at else None,
            **columns,
        )
        return passed, aborted_by_user
