"""The seed's REST view of deployment history: ``GET /api/tasks/{task_id}/deployment_tasks``.

``/api/tasks/{task_id}/tasks_history`` is the same route. Filters are
comma-separated query values (``nodes``, ``statuses``, ``task_names``); the
answer is JSON as the database built it, or CSV with ``Accept: text/csv``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from squall import exceptions
from squall.api import API

PATHS = ("/api/tasks/{task_id}/deployment_tasks", "/api/tasks/{task_id}/tasks_history")
CSV_COLUMNS = ["id", "deployment_task_id", "task_id", "node_id", "task_name", "time_start", "time_end", "status",
               "summary"]
MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL; larger ones name nothing


def history_csv(rows: list[dict[str, Any]]) -> str:
    """The history rows as CSV, summaries as JSON text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "summary": json.dumps(row.get("summary"), sort_keys=True)})
    return buffer.getvalue()


def _ids(text: str, what: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > MAX_ID:
            raise exceptions.InvalidArgumentsError(f"{what} must be whole numbers from 0 to {MAX_ID}, not {part!r}")
        out.append(int(part))
    return out


def query_of(request: Request) -> dict[str, Any]:
    """The history query a request asks for; a clear error when a value is malformed."""
    run_ids = _ids(request.path_params["task_id"], "the task id")
    if len(run_ids) != 1:
        raise exceptions.InvalidArgumentsError("the task id must be one whole number")
    split = lambda name: [v for v in request.query_params.get(name, "").split(",") if v]  # noqa: E731
    return {"run_id": run_ids[0], "nodes": _ids(request.query_params.get("nodes", ""), "node ids") or None,
            "statuses": split("statuses") or None, "task_names": split("task_names") or None}


async def history(api: API, request: Request) -> Response:
    """Answer one history request (the caller has checked auth and method)."""
    query = query_of(request)
    if "text/csv" in request.headers.get("accept", ""):
        rows = await run_in_threadpool(api.deployment.history, **query)
        return Response(history_csv(rows), media_type="text/csv")
    # The JSON text as the database built it, served without decoding.
    return Response(await run_in_threadpool(api.deployment.history_json, **query), media_type="application/json")


def openapi_paths() -> dict[str, Any]:
    """The OpenAPI description of the seed's history routes."""
    params = [{"name": "task_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}]
    params += [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
               for n in ("nodes", "statuses", "task_names")]
    op = {"summary": "Per-node history of a deployment run (JSON, or CSV with Accept: text/csv)",
          "tags": ["deployment"], "parameters": params,
          "responses": {"200": {"description": "history rows", "content": {
              "application/json": {"schema": {"type": "array"}}, "text/csv": {"schema": {"type": "string"}}}},
              "400": {"description": "malformed query"}, "404": {"description": "no such run"}}}
    return {p: {"get": {**op, "operationId": "history_" + p.rsplit("/", 1)[1]}}
            for p in PATHS}
