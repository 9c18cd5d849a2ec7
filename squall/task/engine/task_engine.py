"""The task engine: runs the workloads of a validated task and stores results.

Data flow per workload: contexts set up -> worker processes issue iterations
-> the consumer (this process) streams each result into statistics, the live
SLA check and database chunks -> contexts cleaned up -> statistics and SLA
verdicts stored. See docs/architecture.md.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any, cast

from squall import exceptions, registry, utils
from squall.deploy import faults
from squall.env import platform
from squall.env.executor_spec import ExecutorSpec
from squall.plugin_api.runner import Runner
from squall.plugin_api.scenario import Scenario
from squall.storage import repo
from squall.storage.db import Database
from squall.task.engine import persistent
from squall.task.engine.consumer import ABORT_STATUSES, ResultConsumer
from squall.task.engine.context_manager import ContextManager
from squall.task.engine.hook_executor import HookExecutor
from squall.task.engine.metrics import LiveMetrics
from squall.task.engine.sla_checker import SLAChecker
from squall.task.load.executor import Executor
from squall.task.load.executors import make_executor
from squall.task.results.stats import WorkloadStats
from squall.task.taskfile.normalise import TaskConfig, WorkloadConfig

LOG = logging.getLogger(__name__)


@dataclass
class WorkloadRun:
    """One workload on its way through the engine: what prepare made and what load saw."""

    uuid: str
    runner: Runner
    scenario_cls: type[Scenario]
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
        # The start claimed the task (running); an abort asked since then stays asked.
        repo.task_update(self.db, self.task_uuid, pid=os.getpid(), hostname=socket.gethostname(),
                         heartbeat=utils.utcnow())
        passed = True
        aborted = False
        LOG.info("task %s started: %d subtask(s)", self.task_uuid, len(self.config["subtasks"]))
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
        LOG.info("task %s %s in %.3f s, SLA %s", self.task_uuid, status, time.monotonic() - started,
                 "passed" if passed else "failed")
        return status

    def _run_workload(self, subtask_uuid: str, wl: WorkloadConfig) -> tuple[bool, bool]:
        """Prepare, load and record one workload; returns (SLA passed, aborted by the user)."""
        run = self._prepare(subtask_uuid, wl)
        LOG.info("workload %d (%s, %s runner %s) started", wl["position"], wl["scenario_name"], wl["runner_name"],
                 wl["runner_args"])
        self._load(run, wl)
        return self._record(run)

    def _prepare(self, subtask_uuid: str, wl: WorkloadConfig) -> WorkloadRun:
        """The workload's plugins and contexts, and its row (status running)."""
        runner_cls = registry.get("runner", wl["runner_name"])
        runner: Runner = runner_cls(wl["runner_args"])  # type: ignore[call-arg, assignment]
        scenario_cls = cast(type[Scenario], registry.get("scenario", wl["scenario_name"]))
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
            run.scenario_cls.before_load(run.context)
            args = run.scenario_cls.worker_args(wl["scenario_args"])
            pool = run.pool = make_executor(self.executor, run.runner.schedule(), wl["scenario_name"], args,
                                            run.context)
            live = (self.metrics.workload(self._subtask_title, wl["position"], wl["scenario_name"])
                    if self.metrics is not None else None)
            consumer = run.consumer = ResultConsumer(self.db, self.task_uuid, run.uuid, pool, run.sla,
                                                     self.abort_on_sla_failure, live,
                                                     count_each_action=run.scenario_cls.COUNT_EACH_ACTION)
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
        except exceptions.InvalidArgumentsError as exc:  # worker_args refused them
            run.errors.append(f"the scenario's arguments: {exc.message}")
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
        used = {run.scenario_cls.plugin_platform} | run.contexts.platforms()
        leaks = platform.leak_check(self.env_spec, self.task_uuid, used)
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
        if consumer is not None and stats.failed:
            columns["statistics"]["errors"] = consumer.errors.summary()
        if consumer is not None and consumer.checks:
            columns["statistics"]["checks"] = [{"name": name, "passed": passed, "failed": failed}
                                               for name, (passed, failed) in consumer.checks.items()]
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
        LOG.info("workload %s ended: %d iteration(s), %d failed, SLA %s%s", run.uuid, stats.count, stats.failed,
                 "passed" if passed else "failed", "".join(f"; {error}" for error in run.errors))
        return passed, aborted_by_user
