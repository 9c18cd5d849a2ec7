"""API group ``deployment``: deployment runs and their per-node history."""

from __future__ import annotations

import builtins
from typing import Any

from squall import exceptions, utils
from squall.api.base import APIGroup, api_method

# The deployment modules are imported on use: a task run should not pay for them.


def _run_public(run: dict[str, Any]) -> dict[str, Any]:
    return {**run, "created_at": utils.iso(run["created_at"]), "finished_at": utils.iso(run["finished_at"])}


class DeploymentAPI(APIGroup):
    """Run deployment graphs on an environment's nodes; read the history."""

    group_name = "deployment"

    @api_method("POST", runs_commands=True, remote=True)
    def run(self, graph: dict[str, Any], env: str | None = None) -> dict[str, Any]:
        """Execute a graph on the environment's nodes (blocking); returns the run."""
        from squall.deploy import executor
        from squall.deploy import graph as graph_mod
        from squall.platforms.nodes import connection as nodes_mod
        from squall.storage import history_repo

        parsed = graph_mod.parse(graph)
        env_row = self.api.env.resolve(env)
        if env_row is None:
            raise exceptions.InvalidArgumentsError("no environment given and none in use")
        node_list = nodes_mod.nodes_of(env_row["spec"])
        if not node_list:
            raise exceptions.InvalidConfigError(f"environment '{env_row['name']}' has no nodes")
        run = history_repo.run_create(self.db, env_uuid=env_row["uuid"], env_name=env_row["name"],
                                      kind="graph", name=parsed["name"], graph=parsed, status="running")
        status = "error"
        try:
            status = executor.execute(self.db, run["id"], parsed, node_list)
        finally:
            history_repo.run_finish(self.db, run["id"], status)
            self.db.optimize()
        return _run_public(history_repo.run_get(self.db, run["id"]))

    @api_method("GET", runs_commands=False)
    def runs(self, env: str | None = None) -> builtins.list[dict[str, Any]]:
        """Deployment runs, oldest first (of one environment when given)."""
        from squall.storage import history_repo

        env_uuid = self.api.env.resolve(env)["uuid"] if env else None  # type: ignore[index]
        return [_run_public(r) for r in history_repo.run_list(self.db, env_uuid)]

    @api_method("GET", runs_commands=False)
    def get(self, run_id: int) -> dict[str, Any]:
        """One deployment run by its id."""
        from squall.storage import history_repo

        return _run_public(history_repo.run_get(self.db, run_id))

    def _check_history_query(self, run_id: int, statuses: builtins.list[str] | None) -> None:
        from squall.deploy import executor
        from squall.storage import history_repo

        unknown = sorted(set(statuses or ()) - set(executor.STATUSES))
        if unknown:
            raise exceptions.InvalidArgumentsError(
                f"unknown status {', '.join(unknown)} (known: {', '.join(executor.STATUSES)})")
        history_repo.run_get(self.db, run_id)

    @api_method("GET", runs_commands=False)
    def history(self, run_id: int, nodes: builtins.list[int] | None = None,
                statuses: builtins.list[str] | None = None, task_names: builtins.list[str] | None = None,
                include_summary: bool = True) -> builtins.list[dict[str, Any]]:
        """The run's history rows in the seed's shape, filtered by nodes, statuses and task names."""
        from squall.storage import history_repo

        self._check_history_query(run_id, statuses)
        rows = history_repo.history_query(self.db, run_id, nodes, statuses, task_names, include_summary)
        return [{**r, "task_id": r["deployment_task_id"]} for r in rows]

    @api_method("GET", runs_commands=False)
    def history_json(self, run_id: int, nodes: builtins.list[int] | None = None,
                     statuses: builtins.list[str] | None = None,
                     task_names: builtins.list[str] | None = None) -> str:
        """:meth:`history`'s rows, summary included, as one JSON text that the database builds.

        What the REST view serves: for thousands of rows several times faster
        than building dicts and encoding them again.
        """
        from squall.storage import history_repo

        self._check_history_query(run_id, statuses)
        return history_repo.history_document(self.db, run_id, nodes, statuses, task_names)
