"""API group ``cleanup``: delete what squall made on an environment, out of band."""

from __future__ import annotations

from typing import Any

from squall import exceptions, naming
from squall.api.base import APIGroup, api_method
from squall.storage import context_repo


class CleanupAPI(APIGroup):
    """Find squall's resources by name and delete them (or only list them)."""

    group_name = "cleanup"

    @api_method("POST", runs_commands=False, remote=True)
    def run(self, env: str | None = None, task_id: str | None = None, dry_run: bool = False,
            negative: bool = False) -> dict[str, Any]:
        """Clean one task's resources, or every squall task's, on the environment's platforms.

        ``dry_run`` lists and deletes nothing; ``negative`` also takes the
        resources inside squall's projects whose names squall did not give.
        Without a task, the environment's persistent contexts are kept
        (``kept_contexts``). Returns ``{env, task_id, dry_run, platforms:
        [{platform, discovered, deleted, failed, duration}], kept_contexts}``.
        """
        from squall.env.platform import cleanup_spec

        if env is None and task_id is not None:
            try:  # the environment the task ran on, when this database knows the task
                env = self.api.task.get(task_id=task_id)["env_uuid"]
            except exceptions.NotFoundError:
                env = None
        row = self.api.env.resolve(env)
        if row is None:
            raise exceptions.InvalidArgumentsError("no environment given and none in use")
        if task_id is not None:
            try:
                naming.task_code(task_id)
            except ValueError:
                raise exceptions.InvalidArgumentsError(f"not a task UUID: {task_id!r}") from None
        # A cleanup of every task keeps the persistent contexts: only env cleanup-context deletes them.
        kept = [] if task_id is not None else context_repo.context_list(self.db, row["uuid"])
        spare = frozenset(naming.task_code(c["uuid"]) for c in kept)
        platforms = cleanup_spec(row["spec"], task_id, dry_run, negative, spare)
        if not platforms:
            raise exceptions.InvalidArgumentsError(
                f"environment '{row['name']}' has no platform squall creates resources on")
        return {"env": row["name"], "task_id": task_id, "dry_run": dry_run, "negative": negative,
                "platforms": platforms, "kept_contexts": [c["name"] for c in kept]}
