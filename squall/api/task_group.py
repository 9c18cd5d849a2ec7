"""API group ``task``: validate, run, inspect, abort, export and import tasks."""

from __future__ import annotations

import builtins
import datetime as dt
import json
from typing import Any

from squall import exceptions, utils
from squall.api.base import APIGroup, api_method
from squall.report import iterations as iteration_table
from squall.storage import repo
from squall.task import config as task_config
from squall.task import lifecycle, render, validation
from squall.task.engine import TaskEngine

DEFAULT_TASK_KEY = "default_task"
EXPORT_TYPES = ("json", "squall-json", "old-json-results", "junit-xml", "html", "csv")


def _summary(task: dict[str, Any]) -> dict[str, Any]:
    return {
        "uuid": task["uuid"], "title": task["title"], "description": task["description"],
        "status": task["status"], "pass_sla": task["pass_sla"], "tags": task["tags"],
        "env_uuid": task["env_uuid"], "env_name": task["env_name"],
        "created_at": utils.iso(task["created_at"]), "updated_at": utils.iso(task["updated_at"]),
        "task_duration": task["task_duration"],
    }


def _workload_public(wl: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in wl.items() if k not in ("id", "created_at", "updated_at")}
    out["created_at"] = utils.iso(wl["created_at"])
    out["updated_at"] = utils.iso(wl["updated_at"])
    return out


def _host_access(cfg: task_config.TaskConfig) -> list[str]:
    # What --allow-exec guards in a task: hooks that run commands, arguments that read this machine's files.
    return [f"hook {path} runs commands" for path in validation.command_hooks(cfg)] + validation.host_file_reads(cfg)


def _hooks_in_config(api: Any, kwargs: dict[str, Any]) -> list[str]:
    """The hooks of the task file being created that run commands, and the host files it reads."""
    return _host_access(api.task._load(kwargs.get("config") or {}, kwargs.get("task_args"),
                                       kwargs.get("source", "task file"), kwargs.get("task_args_file_content"),
                                       kwargs.get("templates")))


def _hooks_in_stored_task(api: Any, kwargs: dict[str, Any]) -> list[str]:
    """The hooks of the stored task about to start that run commands, and the host files it reads."""
    return _host_access(api.task._row(kwargs.get("task_id"))["config"])


class TaskAPI(APIGroup):
    """Everything about tasks."""

    group_name = "task"

    # -- helpers -------------------------------------------------------------
    def _load(self, config: str | dict[str, Any], task_args: str | None, source: str,
              task_args_file_content: str | None = None,
              templates: dict[str, str] | None = None) -> task_config.TaskConfig:
        args = render.parse_task_args(task_args, task_args_file_content)
        data = config if isinstance(config, dict) else render.load_task(config, args, source, templates)
        normalised = task_config.normalise(data)
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

    def _row(self, task_id: str | None) -> dict[str, Any]:
        if not task_id:
            task_id = repo.pref_get(self.db, DEFAULT_TASK_KEY)
            if not task_id:
                raise exceptions.InvalidArgumentsError("no task given and no default task (see 'squall task use')")
        return lifecycle.refresh(self.db, repo.task_get(self.db, task_id))

    # -- validation and running ----------------------------------------------
    @api_method("POST", runs_commands=False)
    def validate(self, config: str | dict[str, Any], task_args: str | None = None, source: str = "task file",
                 task_args_file_content: str | None = None,
                 templates: dict[str, str] | None = None, env: str | None = None) -> dict[str, Any]:
        """Render, parse and validate a task file's text; raise InvalidTaskError if bad.

        The verdict is the one ``create`` would give: the platforms the task
        needs are checked against ``env`` (default: the one in use).
        ``templates``: the files the task file includes or imports, by path relative to its folder.
        """
        cfg = self._load(config, task_args, source, task_args_file_content, templates)
        self._check_platforms(cfg, env)
        workloads = [wl for sub in cfg["subtasks"] for wl in sub["workloads"]]
        return {"valid": True, "version": cfg["version"], "subtasks": len(cfg["subtasks"]),
                "workloads": len(workloads)}

    @api_method("POST", runs_commands=_hooks_in_config)
    def create(self, config: str | dict[str, Any], task_args: str | None = None,
               env: str | None = None, tags: list[str] | None = None,
               title: str | None = None, source: str = "task file",
               task_args_file_content: str | None = None,
               templates: dict[str, str] | None = None) -> dict[str, Any]:
        """Validate a task and store it, ready to start; nothing runs yet."""
        cfg = self._load(config, task_args, source, task_args_file_content, templates)
        env_row = self._check_platforms(cfg, env)
        text = config if isinstance(config, str) else json.dumps(config, indent=2)
        row = repo.task_create(
            self.db, status="validated", title=title or cfg["title"], description=cfg["description"],
            tags=list(cfg["tags"]) + list(tags or []), input_task=text, config=dict(cfg),
            env_uuid=env_row["uuid"] if env_row else None, env_name=env_row["name"] if env_row else None,
        )
        repo.pref_set(self.db, DEFAULT_TASK_KEY, row["uuid"])
        return _summary(row)

    @api_method("POST", runs_commands=_hooks_in_stored_task, background="launch")
    def start(self, task_id: str, abort_on_sla_failure: bool = False) -> dict[str, Any]:
        """Run a created task to its end (blocking); returns its summary."""
        row = self._row(task_id)
        if row["status"] != "validated":
            raise exceptions.InvalidStateError(f"task {row['uuid']} is {row['status']}; only a new task can start")
        env_spec: dict[str, Any] = {}
        if row["env_uuid"]:
            try:
                env_spec = repo.env_get(self.db, row["env_uuid"])["spec"]
            except exceptions.NotFoundError:
                env_spec = {}
        cfg: task_config.TaskConfig = row["config"]  # type: ignore[assignment]
        TaskEngine(self.db, row["uuid"], cfg, env_spec, abort_on_sla_failure,
                   env_uuid=row["env_uuid"], env_name=row["env_name"]).run()
        return _summary(repo.task_get(self.db, row["uuid"]))

    @api_method("POST", runs_commands=_hooks_in_stored_task)
    def launch(self, task_id: str, abort_on_sla_failure: bool = False) -> dict[str, Any]:
        """Start a created task in a process of its own and return at once."""
        import socket
        import subprocess
        import sys

        row = self._row(task_id)
        if row["status"] != "validated":
            raise exceptions.InvalidStateError(f"task {row['uuid']} is {row['status']}; only a new task can start")
        cmd = [sys.executable, "-m", "squall.task.detached", "--db", self.db.url, "--task", row["uuid"]]
        if abort_on_sla_failure:
            cmd.append("--abort-on-sla-failure")
        child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
        # Running from now on; if the child dies early, crash detection sees its pid gone.
        repo.task_update(self.db, row["uuid"], status="running", pid=child.pid, hostname=socket.gethostname())
        return _summary(repo.task_get(self.db, row["uuid"]))

    @api_method("POST", runs_commands=False)
    def abort(self, task_id: str | None = None, soft: bool = False) -> dict[str, Any]:
        """Ask a running task to stop: running iterations finish, results stay."""
        row = self._row(task_id)
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
        row = self._row(task_id)
        tree = repo.task_tree(self.db, row["uuid"])
        out = _summary(tree)
        out["subtasks"] = [
            {"uuid": s["uuid"], "title": s["title"], "status": s["status"], "pass_sla": s["pass_sla"],
             "duration": s["duration"], "workloads": [_workload_public(w) for w in s["workloads"]]}
            for s in tree["subtasks"]
        ]
        if detailed:
            out["input_task"] = tree["input_task"]
        return out

    @api_method("GET", runs_commands=False)
    def iterations(self, task_id: str | None = None, limit: int = 100_000) -> builtins.list[dict[str, Any]]:
        """Atomics per iteration of every workload (Rally's ``task detailed --iterations-data``).

        Per workload: workload_uuid, position, name, headers and rows (iteration number in
        start order, duration, then one column per top-level atomic action),
        at most ``limit`` rows, and the total number of iterations.
        """
        if not 1 <= limit <= 1_000_000:
            raise exceptions.InvalidArgumentsError("limit must be between 1 and 1000000")
        tree = repo.task_tree(self.db, self._row(task_id)["uuid"])
        out = []
        for sub in tree["subtasks"]:
            for wl in sub["workloads"]:
                atomics = ((wl["statistics"] or {}).get("durations") or {}).get("atomics") or []
                names = [a["display_name"] for a in atomics]
                found = iteration_table.table(repo.chunks(self.db, wl["uuid"]), names, limit)
                out.append({"workload_uuid": wl["uuid"], "position": wl["position"], "name": wl["name"], **found})
        return out

    @api_method("GET", runs_commands=False)
    def status(self, task_id: str | None = None) -> dict[str, Any]:
        """The task's status (a dead process is detected and marked ``crashed``)."""
        row = self._row(task_id)
        return {"uuid": row["uuid"], "status": row["status"], "pass_sla": row["pass_sla"]}

    @api_method("GET", runs_commands=False)
    def progress(self, task_id: str) -> dict[str, Any]:
        """Live progress: per workload iterations done, failed and expected."""
        row = self._row(task_id)
        tree = repo.task_tree(self.db, row["uuid"])
        workloads = [
            {"position": w["position"], "name": w["name"], "status": w["status"],
             "done": w["total_iteration_count"], "failed": w["failed_iteration_count"],
             "expected": w["expected_iterations"], "created_at": utils.iso(w["created_at"])}
            for s in tree["subtasks"] for w in s["workloads"]
        ]
        return {"uuid": row["uuid"], "status": row["status"], "workloads": workloads}

    @api_method("GET", runs_commands=False)
    def sla_check(self, task_id: str | None = None) -> dict[str, Any]:
        """Every SLA verdict of every workload, and whether all passed."""
        tree = self.get(task_id=task_id)
        verdicts = []
        for sub in tree["subtasks"]:
            for wl in sub["workloads"]:
                for r in (wl["sla_results"] or {}).get("sla", []):
                    verdicts.append({"subtask": sub["title"], "position": wl["position"], "scenario": wl["name"],
                                     "criterion": r["criterion"], "success": r["success"], "detail": r["detail"]})
        return {"uuid": tree["uuid"], "status": tree["status"], "pass_sla": all(v["success"] for v in verdicts),
                "verdicts": verdicts}

    @api_method("GET", runs_commands=False)
    def hooks(self, task_id: str | None = None) -> builtins.list[dict[str, Any]]:
        """Every hook run of a task, flat and in start order.

        Fields: workload, hook, description, action, iteration, started_at,
        finished_at, duration, status, triggered_by, error.
        """
        tree = self.get(task_id=task_id)
        runs = []
        for sub in tree["subtasks"]:
            for wl in sub["workloads"]:
                for hook in wl["hooks"] or []:
                    (action_name, action_args), = hook["config"]["action"].items()
                    for r in hook["results"]:
                        runs.append({
                            "workload": wl["position"], "scenario": wl["name"],
                            "hook": r.get("hook", action_name), "description": hook["config"].get("description", ""),
                            "action": f"{action_name} {json.dumps(action_args)}",
                            "iteration": r.get("iteration"), "started_at": r["started_at"],
                            "finished_at": r["finished_at"],
                            "duration": r.get("duration", r["finished_at"] - r["started_at"]),
                            "status": r["status"], "triggered_by": r["triggered_by"], "error": r.get("error"),
                        })
        return sorted(runs, key=lambda r: (r["workload"], r["started_at"]))

    @api_method("POST", runs_commands=False)
    def use(self, task_id: str) -> dict[str, Any]:
        """Make a task the default for later commands."""
        row = self._row(task_id)
        repo.pref_set(self.db, DEFAULT_TASK_KEY, row["uuid"])
        return _summary(row)

    @api_method("DELETE", runs_commands=False)
    def delete(self, task_id: str, force: bool = False) -> dict[str, Any]:
        """Delete a task and its results; a running task needs ``force``."""
        row = self._row(task_id)
        if row["status"] in lifecycle.ACTIVE and not force:
            raise exceptions.InvalidStateError(f"task {row['uuid']} is {row['status']}; abort it or use force")
        repo.task_delete(self.db, row["uuid"])
        if repo.pref_get(self.db, DEFAULT_TASK_KEY) == row["uuid"]:
            repo.pref_set(self.db, DEFAULT_TASK_KEY, None)
        return {"deleted": row["uuid"]}

    # -- export and import ---------------------------------------------------
    @api_method("GET", runs_commands=False)
    def export(self, task_ids: builtins.list[str] | None = None, type: str = "json") -> dict[str, Any]:  # noqa: A002
        """Task results as text: ``json`` (Rally 5.1.1's schema exactly), ``squall-json`` (the same with
        squall's additions, read back losslessly by import), ``old-json-results`` (the list `rally task
        results` prints), ``junit-xml``, ``html`` or ``csv``.

        Without task ids: the task in use.
        """
        if type not in EXPORT_TYPES:
            raise exceptions.InvalidArgumentsError(f"unknown export type '{type}' (known: {', '.join(EXPORT_TYPES)})")
        rows = [self._row(t) for t in (task_ids or [None])]  # type: ignore[list-item]
        trees = [repo.task_tree(self.db, r["uuid"]) for r in rows]
        from squall.exporters import csv_export, junit, rally_json

        if type == "old-json-results":
            from squall.exporters import old_results

            if len(trees) != 1:
                raise exceptions.InvalidArgumentsError("old-json-results holds one task")
            content = json.dumps(old_results.export(self.db, trees[0]), indent=2, allow_nan=False)
        elif type in ("json", "squall-json"):
            document = rally_json.export(self.db, trees, squall=type == "squall-json")
            content = json.dumps(document, indent=2, allow_nan=False)
        elif type == "junit-xml":
            content = junit.export(trees)
        elif type == "csv":
            content = csv_export.export(self.db, trees)
        else:
            return self.report(task_ids=[t["uuid"] for t in trees])
        return {"type": type, "content": content}

    @api_method("GET", runs_commands=False)
    def report(self, task_ids: builtins.list[str] | None = None, bins: int = 500) -> dict[str, Any]:
        """A self-contained HTML report of one task or several side by side."""
        from squall.report import html, model

        if not 10 <= bins <= 5000:
            raise exceptions.InvalidArgumentsError("bins must be between 10 and 5000")
        uuids = [self._row(t)["uuid"] for t in (task_ids or [None])]  # type: ignore[list-item]
        content = html.render(model.report_document(self.db, uuids, bins=bins), kind="task")
        return {"type": "html", "content": content}

    @api_method("GET", runs_commands=False)
    def compare(self, task_a: str, task_b: str, max_degradation: float = 10.0,
                max_failure_increase: float = 1.0, html: bool = False) -> dict[str, Any]:
        """Compare run B with run A per matching workload; ``regression`` is the verdict.

        With ``html``, ``content`` holds a report drawing both runs side by side.
        """
        from squall.report import compare as compare_mod

        if max_degradation < 0 or max_failure_increase < 0:
            raise exceptions.InvalidArgumentsError("thresholds must not be negative")
        rows = [self._row(task_a), self._row(task_b)]
        trees = [repo.task_tree(self.db, r["uuid"]) for r in rows]
        result = compare_mod.compare(trees[0], trees[1], max_degradation, max_failure_increase)
        if html:
            from squall.report import html as html_mod
            from squall.report import model

            document = model.report_document(self.db, [r["uuid"] for r in rows])
            document["compare"] = result
            result["content"] = html_mod.render(document, kind="compare")
        return result

    @api_method("GET", runs_commands=False)
    def trends(self, task_ids: builtins.list[str] | None = None, tags: builtins.list[str] | None = None,
               env: str | None = None, html: bool = False) -> dict[str, Any]:
        """Statistics of each workload configuration across runs (tasks given, or by tag/env)."""
        from squall.report import trends as trends_mod

        if task_ids:
            rows = [self._row(t) for t in task_ids]
        else:
            env_uuid = repo.env_get(self.db, env)["uuid"] if env else None
            rows = [r for r in repo.task_list(self.db, env_uuid=env_uuid, tags=tags) if r["status"] == "finished"]
        if not rows:
            raise exceptions.InvalidArgumentsError("no finished tasks match; give task ids, --tag or --env")
        trees = [repo.task_tree(self.db, r["uuid"]) for r in rows]
        result = trends_mod.trends(trees)
        if html:
            from squall.report import html as html_mod

            result["content"] = html_mod.render({"tasks": [], "trends": result,
                                                 "title": f"Trends of {len(rows)} runs"}, kind="trends")
        return result

    @api_method("POST", path="import", runs_commands=False)
    def import_results(self, content: str, tags: builtins.list[str] | None = None) -> dict[str, Any]:
        """Load a JSON results file's text (squall's or Rally's) as new tasks; the last becomes the one in use."""
        from squall.exporters import importer

        doc = importer.parse(content)
        imported = importer.import_document(self.db, doc, tags)
        if imported:
            repo.pref_set(self.db, DEFAULT_TASK_KEY, imported[-1])
        return {"imported": imported}
