"""API group ``task``: validate, run, inspect and abort tasks (their results: ``results_group``)."""

from __future__ import annotations

import builtins
import datetime as dt
import json
from dataclasses import replace
from typing import Any

from squall import exceptions, utils
from squall.api.base import APIGroup, api_method, public_row
from squall.api.task_checks import (
    check_results_mode,
    hooks_in_config,
    hooks_in_stored_task,
    host_files_in_config,
    probe_first,
    scenarios,
    targets_in_config,
    targets_in_stored_task,
)
from squall.env.executor_spec import ExecutorSpec, parse_executor
from squall.platforms.dask.platform import executor_of
from squall.storage import context_repo, repo
from squall.task.engine import detached, lifecycle
from squall.task.load.executors import probe_scheduler
from squall.task.taskfile import normalise as task_config
from squall.task.taskfile import render
from squall.task.taskfile import validate as validation

DEFAULT_TASK_KEY = "default_task"


def _summary(task: dict[str, Any]) -> dict[str, Any]:
    return {
        "uuid": task["uuid"], "title": task["title"], "description": task["description"],
        "status": task["status"], "pass_sla": task["pass_sla"], "tags": task["tags"],
        "env_uuid": task["env_uuid"], "env_name": task["env_name"],
        "created_at": utils.iso(task["created_at"]), "updated_at": utils.iso(task["updated_at"]),
        "task_duration": task["task_duration"],
        "imported_from": task.get("imported_from"),
        "persistent_context": task.get("persistent_context"),
    }


class TaskAPI(APIGroup):
    """Everything about tasks."""

    group_name = "task"

    # -- helpers -------------------------------------------------------------
    def _load(self, config: str | dict[str, Any], task_args: str | None, source: str,
              task_args_file_content: str | None = None,
              templates: dict[str, str] | None = None) -> task_config.TaskConfig:
        args = render.parse_task_args(task_args, task_args_file_content)
        data = config if isinstance(config, dict) else render.load_task(config, args, source, templates,
                                                                         self.api.render_limits)
        normalised = task_config.normalise(data, self.api.max_workloads)
        validation.validate(normalised)
        return normalised

    def _check_platforms(self, cfg: task_config.TaskConfig, env: str | None) -> dict[str, Any] | None:
        """The environment row; InvalidTaskError when it lacks a platform the task needs."""
        env_row = self.api.env.resolve(env)
        missing = validation.platform_errors(cfg, env_row["spec"] if env_row else {},
                                             env_row["name"] if env_row else None)
        if missing:
            raise exceptions.InvalidTaskError(missing)
        return env_row

    @staticmethod
    def _check_host_files(cfg: task_config.TaskConfig) -> None:
        """InvalidTaskError naming each file on this machine the task needs and cannot read. A service calls
        this only for a caller allowed to read its files (the route is guarded by what the task reads)."""
        unreadable = validation.unreadable_host_files(cfg)
        if unreadable:
            raise exceptions.InvalidTaskError(unreadable)

    def _persistent_context(self, name: str | None, env_row: dict[str, Any] | None) -> str | None:
        """The UUID of the ready persistent context ``name`` on the task's environment."""
        if not name:
            return None
        row = context_repo.context_get(self.db, name)
        if env_row is None or row["env_uuid"] != env_row["uuid"]:
            raise exceptions.InvalidArgumentsError(
                f"persistent context '{row['name']}' is on another environment than the task's")
        if row["status"] != "ready":
            raise exceptions.InvalidStateError(f"persistent context '{row['name']}' is {row['status']}, not ready")
        return str(row["uuid"])

    def resolve(self, task_id: str | None) -> dict[str, Any]:
        """The task row of ``task_id``, or of the task in use; marked crashed first if its process died."""
        if not task_id:
            task_id = repo.pref_get(self.db, DEFAULT_TASK_KEY)
            if not task_id:
                raise exceptions.InvalidArgumentsError("no task given and no default task (see 'squall task use')")
        return lifecycle.refresh(self.db, repo.task_get(self.db, task_id))

    # -- validation and running ----------------------------------------------
    @api_method("POST", runs_commands=host_files_in_config)
    def validate(self, config: str | dict[str, Any], task_args: str | None = None, source: str = "task file",
                 task_args_file_content: str | None = None,
                 templates: dict[str, str] | None = None, env: str | None = None) -> dict[str, Any]:
        """Render, parse and validate a task file's text; raise InvalidTaskError if bad.

        The verdict is the one ``create`` would give: the platforms the task
        needs are checked against ``env`` (default: the one in use).
        ``templates``: the files the task file includes or imports, by path relative to its folder.
        Files on this machine the task names (templates, CA bundles, images) must exist.
        """
        cfg = self._load(config, task_args, source, task_args_file_content, templates)
        self._check_platforms(cfg, env)
        self._check_host_files(cfg)
        workloads = [wl for sub in cfg["subtasks"] for wl in sub["workloads"]]
        return {"valid": True, "version": cfg["version"], "subtasks": len(cfg["subtasks"]),
                "workloads": len(workloads)}

    @api_method("POST", runs_commands=hooks_in_config, loads=targets_in_config)
    def create(self, config: str | dict[str, Any], task_args: str | None = None,
               env: str | None = None, tags: list[str] | None = None,
               title: str | None = None, source: str = "task file",
               task_args_file_content: str | None = None,
               templates: dict[str, str] | None = None, persistent_context: str | None = None) -> dict[str, Any]:
        """Validate a task and store it, ready to start; nothing runs yet.

        ``persistent_context`` (or the task file's field of that name) runs
        every workload on a context set up by ``context.setup`` on the same
        environment, instead of the contexts it names.
        """
        cfg = self._load(config, task_args, source, task_args_file_content, templates)
        env_row = self._check_platforms(cfg, env)
        self._check_host_files(cfg)
        on = self._persistent_context(persistent_context or cfg.get("persistent_context"), env_row)
        text = config if isinstance(config, str) else json.dumps(config, indent=2)
        row = repo.task_create(
            self.db, status="validated", title=title or cfg["title"], description=cfg["description"],
            tags=list(cfg["tags"]) + list(tags or []), input_task=text, config=dict(cfg),
            env_uuid=env_row["uuid"] if env_row else None, env_name=env_row["name"] if env_row else None,
            persistent_context=on,
        )
        repo.pref_set(self.db, DEFAULT_TASK_KEY, row["uuid"])
        return _summary(row)

    def _executor_for(self, row: dict[str, Any], executor: str | None, dask_workers: int | None,
                      fail_on_worker_loss: bool, results: str | None) -> ExecutorSpec:
        """Where a stored task's load runs: ``executor`` when given, else its environment's ``dask`` section
        (its options overridden by those given), else this machine."""
        env_spec: dict[str, Any] = {}
        if executor is None and row.get("env_uuid"):
            try:
                env_spec = repo.env_get(self.db, row["env_uuid"])["spec"] or {}
            except exceptions.NotFoundError:
                env_spec = {}
        chosen = executor_of(env_spec) if executor is None else None
        if chosen is None:
            return parse_executor(executor, dask_workers, fail_on_worker_loss, results)
        return replace(chosen, dask_workers=dask_workers if dask_workers is not None else chosen.dask_workers,
                       fail_on_worker_loss=fail_on_worker_loss or chosen.fail_on_worker_loss,
                       results=results or chosen.results)

    @api_method("POST", runs_commands=hooks_in_stored_task, background="launch",
                loads=targets_in_stored_task)
    def start(self, task_id: str, abort_on_sla_failure: bool = False,
              prometheus_port: int | None = None, executor: str | None = None,
              dask_workers: int | None = None, fail_on_worker_loss: bool = False,
              results: str | None = None) -> dict[str, Any]:
        """Run a created task to its end (blocking); returns its summary.

        ``prometheus_port``: serve the running workloads' metrics for
        Prometheus on 127.0.0.1 at that port while the task runs.
        ``executor``: where the iterations run: ``local`` (forked processes,
        the default), ``dask://HOST:PORT`` (the workers of that Dask
        scheduler; ``dask_workers``: how many of them) or ``dask-local:N``.
        An unreachable scheduler, or workers with another squall, are refused
        before anything starts. ``fail_on_worker_loss``: a lost Dask worker
        stops the whole load (otherwise the others go on, and the loss is
        reported). ``results``: ``rows`` (one per iteration, the default) or
        ``aggregate`` (each worker sends per-second figures and histograms:
        for rates where rows cost more than the load; SLA criteria that need
        every iteration are refused).
        """
        row = self.resolve(task_id)
        spec = self._executor_for(row, executor, dask_workers, fail_on_worker_loss, results)
        uuid = row["uuid"]
        check_results_mode(spec, row)
        if probe_first(spec):
            probe_scheduler(spec, scenarios(row))
        detached.run_task(self.db, uuid, abort_on_sla_failure, prometheus_port=prometheus_port, executor=spec)
        return _summary(repo.task_get(self.db, uuid))

    @api_method("POST", runs_commands=True)
    def check_executor(self, executor: str | None = None, dask_workers: int | None = None,
                       fail_on_worker_loss: bool = False, results: str | None = None) -> dict[str, Any]:
        """Check an executor before a task is made for it: its spelling and, for ``dask://``, that the
        scheduler answers and its workers run this squall (the cluster would run the scenarios' code)."""
        spec = parse_executor(executor, dask_workers, fail_on_worker_loss, results)
        if spec.kind == "dask":
            probe_scheduler(spec)
        return {"kind": spec.kind, "address": spec.address, "workers": spec.workers,
                "dask_workers": spec.dask_workers, "results": spec.results}

    @api_method("POST", runs_commands=hooks_in_stored_task, loads=targets_in_stored_task)
    def launch(self, task_id: str, abort_on_sla_failure: bool = False,
               prometheus_port: int | None = None, executor: str | None = None,
               dask_workers: int | None = None, fail_on_worker_loss: bool = False,
               results: str | None = None) -> dict[str, Any]:
        """Start a created task in a process of its own and return at once; the executor options as for
        :meth:`start` (``prometheus_port``: refused, the process serves none)."""
        if prometheus_port is not None:
            raise exceptions.InvalidArgumentsError(
                "a task started in the background serves no metrics port: run 'squall task start "
                "--prometheus-port' where squall runs the task")
        row = self.resolve(task_id)
        spec = self._executor_for(row, executor, dask_workers, fail_on_worker_loss, results)
        check_results_mode(spec, row)
        if probe_first(spec):
            probe_scheduler(spec, scenarios(row))
        with self.api.launch_lock:
            self._check_room()
            detached.launch(self.db, row["uuid"], abort_on_sla_failure, executor=spec)
        return _summary(repo.task_get(self.db, row["uuid"]))

    def _check_room(self) -> None:
        """TooManyRequestsError when ``max_running`` tasks already run (a service's ``--max-running``)."""
        limit = self.api.max_running
        if limit is None:
            return
        running = [t for status in lifecycle.ACTIVE for t in repo.task_list(self.db, status=status)]
        running = [t for t in (lifecycle.refresh(self.db, t) for t in running) if t["status"] in lifecycle.ACTIVE]
        if len(running) >= limit:
            names = ", ".join(t["uuid"] for t in running[:10])
            raise exceptions.TooManyRequestsError(
                f"{len(running)} tasks are running and this service runs at most {limit} at once "
                f"(--max-running): {names}; start this one when one of them ends")

    @api_method("POST", runs_commands=False)
    def abort(self, task_id: str | None = None, soft: bool = False) -> dict[str, Any]:
        """Ask a running task to stop: running iterations finish, results stay."""
        row = self.resolve(task_id)
        if not repo.task_set_status_if(self.db, row["uuid"], ("running",), "soft_aborting" if soft else "aborting"):
            raise exceptions.InvalidStateError(f"task {row['uuid']} is {row['status']}, not running")
        return _summary(repo.task_get(self.db, row["uuid"]))

    # -- inspection ----------------------------------------------------------
    @api_method("GET", runs_commands=False)
    def list(self, status: str | None = None, env: str | None = None, tags: list[str] | None = None,
             since: str | None = None, until: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Tasks, oldest first, filtered by status, environment, tags and dates."""
        env_uuid = repo.env_get(self.db, env)["uuid"] if env else None
        try:
            since_dt = dt.datetime.fromisoformat(since) if since else None
            until_dt = dt.datetime.fromisoformat(until) if until else None
        except ValueError as exc:
            raise exceptions.InvalidArgumentsError(f"bad date: {exc}") from None
        rows = repo.task_list(self.db, status=status, env_uuid=env_uuid, tags=tags,
                              since=since_dt, until=until_dt, limit=limit)
        return [_summary(lifecycle.refresh(self.db, r)) for r in rows]

    @api_method("GET", runs_commands=False)
    def get(self, task_id: str | None = None, detailed: bool = False) -> dict[str, Any]:
        """A task with its subtasks and workloads (``detailed`` adds the task file)."""
        row = self.resolve(task_id)
        tree = repo.task_tree(self.db, row["uuid"])
        out = _summary(tree)
        out["subtasks"] = [
            {"uuid": s["uuid"], "title": s["title"], "status": s["status"], "pass_sla": s["pass_sla"],
             "duration": s["duration"], "workloads": [public_row(w) for w in s["workloads"]]}
            for s in tree["subtasks"]
        ]
        if detailed:
            out["input_task"] = tree["input_task"]
        return out

    @api_method("GET", runs_commands=False)
    def status(self, task_id: str | None = None) -> dict[str, Any]:
        """The task's status (a dead process is detected and marked ``crashed``)."""
        row = self.resolve(task_id)
        return {"uuid": row["uuid"], "status": row["status"], "pass_sla": row["pass_sla"]}

    @api_method("GET", runs_commands=False)
    def progress(self, task_id: str) -> dict[str, Any]:
        """Live progress: per workload iterations done, failed and expected."""
        row = self.resolve(task_id)
        tree = repo.task_tree(self.db, row["uuid"])
        workloads = [
            {"position": w["position"], "name": w["name"], "status": w["status"],
             "done": w["total_iteration_count"], "failed": w["failed_iteration_count"],
             "expected": w["expected_iterations"], "created_at": utils.iso(w["created_at"])}
            for s in tree["subtasks"] for w in s["workloads"]
        ]
        return {"uuid": row["uuid"], "status": row["status"], "workloads": workloads}

    @api_method("GET", runs_commands=False)
    def running(self) -> builtins.list[dict[str, Any]]:
        """The workloads of every running task, with their progress (what the service's ``/metrics`` shows)."""
        found = []
        active = [t for status in lifecycle.ACTIVE for t in repo.task_list(self.db, status=status)]
        for task in active:
            task = lifecycle.refresh(self.db, task)
            if task["status"] not in lifecycle.ACTIVE:
                continue
            for sub in repo.task_tree(self.db, task["uuid"])["subtasks"]:
                found += [{"task": task["uuid"], "subtask": sub["title"], "workload": w["position"],
                           "scenario": w["name"], "status": w["status"], "done": w["total_iteration_count"],
                           "failed": w["failed_iteration_count"], "expected": w["expected_iterations"]}
                          for w in sub["workloads"]]
        return found

    @api_method("GET", runs_commands=False)
    def sla_check(self, task_id: str | None = None) -> dict[str, Any]:
        """Every SLA verdict of every workload, and whether all passed."""
        tree = self.get(task_id=task_id)
        verdicts = []
        for n, sub in enumerate(tree["subtasks"]):
            for wl in sub["workloads"]:
                for r in (wl["sla_results"] or {}).get("sla", []):
                    verdicts.append({"subtask": sub["title"], "subtask_position": n, "position": wl["position"],
                                     "scenario": wl["name"],
                                     "criterion": r["criterion"], "success": r["success"], "detail": r["detail"]})
        return {"uuid": tree["uuid"], "status": tree["status"], "pass_sla": all(v["success"] for v in verdicts),
                "verdicts": verdicts}

    @api_method("GET", runs_commands=False)
    def hooks(self, task_id: str | None = None) -> builtins.list[dict[str, Any]]:
        """Every hook run of a task, flat and in start order.

        Fields: workload (its position), workload_uuid, hook, description, action, iteration, started_at,
        finished_at, duration, status, triggered_by, error.
        """
        from squall.report.model import hook_runs

        tree = repo.task_tree(self.db, self.resolve(task_id)["uuid"])
        runs = []
        for sub in tree["subtasks"]:
            for wl in sub["workloads"]:
                for run in hook_runs(wl):
                    runs.append({
                        "workload": wl["position"], "workload_uuid": wl["uuid"], "scenario": wl["name"],
                        "hook": run["hook"],
                        "description": run["description"], "action": f"{run['action']} {json.dumps(run['args'])}",
                        **{k: run[k] for k in ("iteration", "started_at", "finished_at", "duration", "status",
                                               "triggered_by", "error")},
                    })
        return sorted(runs, key=lambda r: (r["workload"], r["started_at"]))

    @api_method("POST", runs_commands=False)
    def use(self, task_id: str) -> dict[str, Any]:
        """Make a task the default for later commands."""
        row = self.resolve(task_id)
        repo.pref_set(self.db, DEFAULT_TASK_KEY, row["uuid"])
        return _summary(row)

    @api_method("DELETE", runs_commands=False)
    def delete(self, task_id: str, force: bool = False) -> dict[str, Any]:
        """Delete a task and its results; a running task needs ``force``."""
        row = self.resolve(task_id)
        if row["status"] in lifecycle.ACTIVE and not force:
            raise exceptions.InvalidStateError(f"task {row['uuid']} is {row['status']}; abort it or use force")
        repo.task_delete(self.db, row["uuid"])
        if repo.pref_get(self.db, DEFAULT_TASK_KEY) == row["uuid"]:
            repo.pref_set(self.db, DEFAULT_TASK_KEY, None)
        return {"deleted": row["uuid"]}
