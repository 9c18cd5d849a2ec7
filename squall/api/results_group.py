"""API group ``results``: a task's results as files and reports, compared, as trends, and imported."""

from __future__ import annotations

import builtins
from typing import Any, cast

from squall import exceptions, registry
from squall.api.base import APIGroup, api_method
from squall.api.planned_load import add_planned_load
from squall.report import iterations as iteration_table
from squall.storage import repo


class StoredResults:
    """The tasks an exporter writes, read from the database (what :class:`ResultsReader` asks for)."""

    def __init__(self, db: Any, trees: builtins.list[dict[str, Any]]) -> None:
        self._db = db
        self.tasks = trees

    def iterations(self, workload_uuid: str) -> builtins.list[dict[str, Any]]:
        """Every iteration of the workload, in the order they ended."""
        return [it for chunk in repo.chunks(self._db, workload_uuid) for it in chunk]

    def seconds(self, workload_uuid: str) -> builtins.list[dict[str, Any]]:
        """The workload's per-second figures (``--results aggregate``)."""
        return repo.seconds(self._db, workload_uuid)  # type: ignore[no-any-return]


def export_types() -> builtins.list[str]:
    """Every ``--type`` of ``task export``: the exporter plugins, ``html`` (the report; ``html-static`` is Rally's
    name of the same, self-contained page) and ``trends-html`` (the trends page of the tasks, as Rally's)."""
    return sorted([*registry.names("exporter"), "html", "html-static", "trends-html"])


class ResultsAPI(APIGroup):
    """Results of tasks: export, report, compare, trends, import, and per-iteration tables."""

    group_name = "results"

    @api_method("GET", runs_commands=False)
    def iterations(self, task_id: str | None = None, limit: int = 100_000) -> builtins.list[dict[str, Any]]:
        """Atomics per iteration of every workload (Rally's ``task detailed --iterations-data``).

        Per workload: workload_uuid, position, name, headers and rows (iteration number in
        start order, duration, then one column per top-level atomic action),
        at most ``limit`` rows, and the total number of iterations.
        """
        if not 1 <= limit <= 1_000_000:
            raise exceptions.InvalidArgumentsError("limit must be between 1 and 1000000")
        tree = repo.task_tree(self.db, self.api.task.resolve(task_id)["uuid"])
        out = []
        for sub in tree["subtasks"]:
            for wl in sub["workloads"]:
                atomics = ((wl["statistics"] or {}).get("durations") or {}).get("atomics") or []
                names = [a["display_name"] for a in atomics]
                found = iteration_table.table(repo.chunks(self.db, wl["uuid"]), names, limit)
                out.append({"workload_uuid": wl["uuid"], "position": wl["position"], "name": wl["name"], **found})
        return out

    @api_method("GET", runs_commands=False)
    def export(self, task_ids: builtins.list[str] | None = None, type: str = "json") -> dict[str, Any]:  # noqa: A002
        """Task results as text, by an exporter plugin: ``json`` (Rally 5.1.1's schema exactly),
        ``squall-json`` (the same with squall's additions, read back losslessly by import),
        ``old-json-results`` (the list `rally task results` prints), ``junit-xml``, ``csv``, a third party's
        (``squall plugin list --kind exporter``), or ``html`` (the report).

        Without task ids: the task in use.
        """
        registry.load_plugins()
        if type not in export_types():
            raise exceptions.InvalidArgumentsError(f"unknown export type '{type}' (known: {', '.join(export_types())})")
        rows = [self.api.task.resolve(t) for t in (task_ids or [None])]  # type: ignore[list-item]
        if type in ("html", "html-static"):
            return self.report(task_ids=[r["uuid"] for r in rows])
        if type == "trends-html":
            return {"type": type, "content": self.trends(task_ids=[r["uuid"] for r in rows], html=True)["content"]}
        from squall.plugin_api.exporter import Exporter

        exporter = cast(builtins.type[Exporter], registry.get("exporter", type))
        limit = exporter.MAX_TASKS
        if limit is not None and len(rows) > limit:
            raise exceptions.InvalidArgumentsError(f"{type} holds {limit} task(s), not {len(rows)}")
        content = exporter().export(StoredResults(self.db, [repo.task_tree(self.db, r["uuid"]) for r in rows]))
        return {"type": type, "content": content}

    @api_method("GET", runs_commands=False)
    def report(self, task_ids: builtins.list[str] | None = None, bins: int = 500) -> dict[str, Any]:
        """A self-contained HTML report of one task or several side by side."""
        from squall.report import html, model

        if not 10 <= bins <= 5000:
            raise exceptions.InvalidArgumentsError("bins must be between 10 and 5000")
        uuids = [self.api.task.resolve(t)["uuid"] for t in (task_ids or [None])]  # type: ignore[list-item]
        content = html.render(add_planned_load(model.report_document(self.db, uuids, bins=bins)), kind="task")
        return {"type": "html", "content": content}

    @api_method("GET", runs_commands=False)
    def compare(self, task_a: str, task_b: str, max_degradation: float = 10.0,
                max_failure_increase: float = 1.0, html: bool = False,
                noise_floor: float | None = None) -> dict[str, Any]:
        """Compare run B with run A per matching workload; ``regression`` is the verdict. A duration's growth is a
        regression only past ``max_degradation`` percent and past noise: ``noise_floor`` seconds (50 µs by
        default) and the runs' own spread around the figure.

        With ``html``, ``content`` holds a report drawing both runs side by side.
        """
        from squall.report import compare as compare_mod

        floor = compare_mod.NOISE_FLOOR if noise_floor is None else noise_floor
        if max_degradation < 0 or max_failure_increase < 0 or floor < 0:
            raise exceptions.InvalidArgumentsError("thresholds must not be negative")
        rows = [self.api.task.resolve(task_a), self.api.task.resolve(task_b)]
        trees = [repo.task_tree(self.db, r["uuid"]) for r in rows]
        result = compare_mod.compare(trees[0], trees[1], max_degradation, max_failure_increase, floor)
        if not result["workloads"]:
            def names(tree: dict[str, Any]) -> str:
                found = sorted({w["name"] for s in tree["subtasks"] for w in s["workloads"]})
                return ", ".join(found) or "none"

            raise exceptions.InvalidArgumentsError(
                f"tasks {rows[0]['uuid']} and {rows[1]['uuid']} have no workload in common (A runs "
                f"{names(trees[0])}; B runs {names(trees[1])}): nothing to compare")
        if html:
            from squall.report import html as html_mod
            from squall.report import model

            document = add_planned_load(model.report_document(self.db, [r["uuid"] for r in rows]))
            document["compare"] = result
            result["content"] = html_mod.render(document, kind="compare")
        return result

    @api_method("POST", runs_commands=False)
    def report_files(self, contents: builtins.list[str], task_ids: builtins.list[str] | None = None,
                     bins: int = 500) -> dict[str, Any]:
        """The report of results files' texts (squall's or Rally's JSON, not stored), after the stored tasks of
        ``task_ids`` when given, side by side."""
        from squall.api.result_files import scratch_tasks
        from squall.report import html, model

        if not 10 <= bins <= 5000:
            raise exceptions.InvalidArgumentsError("bins must be between 10 and 5000")
        stored = [self.api.task.resolve(t)["uuid"] for t in task_ids or []]
        with scratch_tasks(contents) as (scratch, uuids):
            document = model.report_document(scratch, uuids, bins=bins)
        if stored:
            document["tasks"] = model.report_document(self.db, stored, bins=bins)["tasks"] + document["tasks"]
        return {"type": "html", "content": html.render(add_planned_load(document), kind="task")}

    @api_method("POST", runs_commands=False)
    def trends_files(self, contents: builtins.list[str], task_ids: builtins.list[str] | None = None) -> dict[str, Any]:
        """The trends page of results files' texts (not stored), after the stored tasks of ``task_ids``."""
        from squall.api.result_files import scratch_tasks
        from squall.report import html as html_mod
        from squall.report import trends as trends_mod

        trees = [repo.task_tree(self.db, self.api.task.resolve(t)["uuid"]) for t in task_ids or []]
        with scratch_tasks(contents) as (scratch, uuids):
            trees += [repo.task_tree(scratch, uuid) for uuid in uuids]
        result = trends_mod.trends(trees)
        result["content"] = html_mod.render({"tasks": [], "trends": result,
                                             "title": f"Trends of {len(result['tasks'])} runs"}, kind="trends")
        return result

    @api_method("GET", runs_commands=False)
    def trends(self, task_ids: builtins.list[str] | None = None, tags: builtins.list[str] | None = None,
               env: str | None = None, html: bool = False) -> dict[str, Any]:
        """Statistics of each workload configuration across runs (tasks given, or by tag/env)."""
        from squall.report import trends as trends_mod

        if task_ids:
            rows = [self.api.task.resolve(t) for t in task_ids]
        else:
            env_uuid = repo.env_get(self.db, env)["uuid"] if env else None
            rows = [r for r in repo.task_list(self.db, env_uuid=env_uuid, tags=tags) if r["status"] == "finished"]
        if not rows:
            raise exceptions.InvalidArgumentsError(self._no_trends_message(tags, env))
        trees = [repo.task_tree(self.db, r["uuid"]) for r in rows]
        result = trends_mod.trends(trees)
        if html:
            from squall.report import html as html_mod

            result["content"] = html_mod.render({"tasks": [], "trends": result,
                                                 "title": f"Trends of {len(result['tasks'])} runs"}, kind="trends")
        return result

    def _no_trends_message(self, tags: builtins.list[str] | None, env: str | None) -> str:
        searched = " and ".join(filter(None, [
            f"tag {', '.join(repr(t) for t in tags)}" if tags else "",
            f"environment {env!r}" if env else ""])) or "any tag or environment"
        finished = [r for r in repo.task_list(self.db) if r["status"] == "finished"]
        known = sorted({t for r in finished for t in r["tags"] or []})
        exists = (f"{len(finished)} finished task(s); their tags: {', '.join(known) or 'none'}" if finished
                  else "no finished task at all")
        return f"trends: no finished task with {searched}; the database has {exists}"

    @api_method("POST", path="import", runs_commands=False)
    def import_results(self, content: str, tags: builtins.list[str] | None = None) -> dict[str, Any]:
        """Load a JSON results file's text (squall's or Rally's) as new tasks; the last becomes the one in use."""
        from squall import importer

        doc = importer.parse(content)
        imported = importer.import_document(self.db, doc, tags)
        if imported:
            self.api.task.use(task_id=imported[-1])
        return {"imported": imported}
