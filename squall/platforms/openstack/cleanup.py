"""Seek-and-destroy cleanup: find what squall made, by name, and delete it.

Three levels, one mechanism (the cleanup design):

* a workload's scenario resources: ``kind="scenario"`` for one task;
* a context's resources: ``kind="context"`` for one task;
* everything, out of band: ``squall cleanup`` (one task or all squall tasks).

Only :func:`squall.naming.belongs_to` decides what is squall's. The negative
filter widens that to resources *inside* projects squall made whose names are
not squall names (a resource a scenario named itself), never beyond.
Resources are deleted in dependency order, each type in parallel, with
retries and an overall time limit; the report lists what was discovered,
deleted and what failed, with the error.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypedDict

from squall import naming
from squall.platforms.openstack import (
    network_resources,
    orchestration_resources,  # noqa: F401 - registers Heat's stack manager
    resources,
    volume_resources,
)
from squall.platforms.openstack.resources import Resource

if TYPE_CHECKING:
    from openstack.connection import Connection

RETRIES = 3
RETRY_DELAY = 0.5


class FailedResource(Resource):
    """A resource that could not be deleted, with why."""

    error: str


class CleanupReport(TypedDict):
    """What one cleanup found and did."""

    discovered: list[Resource]
    deleted: list[Resource]
    failed: list[FailedResource]
    dry_run: bool
    duration: float
    truncated: list[str]


def _prefix(task_uuid: str | None, kind: str | None) -> str:
    if task_uuid is None:
        return "sq" if kind is None else f"sq{naming.KINDS[kind]}_"
    code = naming.task_code(task_uuid)
    return f"sq{naming.KINDS[kind]}_{code}_" if kind else "sq"


def discover(conn: Connection, task_uuid: str | None = None, kind: str | None = None,
             services: list[str] | None = None, negative: bool = False) -> list[Resource]:
    """Resources squall made (for the task and kind, when given), in deletion order."""
    return discover_with_truncation(conn, task_uuid, kind, services, negative)[0]


def _ours(name: str, task_uuid: str | None, kind: str | None, spare: frozenset[str]) -> bool:
    if not naming.belongs_to(name, task_uuid, kind):
        return False
    return not spare or naming.owner(name).task_code not in spare  # type: ignore[union-attr]


def discover_with_truncation(conn: Connection, task_uuid: str | None = None, kind: str | None = None,
                             services: list[str] | None = None, negative: bool = False,
                             spare: frozenset[str] = frozenset(),
                             projects: frozenset[str] = frozenset()) -> tuple[list[Resource], list[str]]:
    """Like :func:`discover`, plus the resource types whose listing the server truncated.

    Keystone caps a listing at ``max_db_limit`` items (1,000 by default),
    silently, and applies a user name filter after the cap, so beyond it
    resources stay invisible until others are deleted: :func:`cleanup`
    deletes in rounds. Names whose task code is in ``spare`` (persistent
    contexts) are left out, and so is what they own. ``projects``: squall
    projects an earlier round deleted, whose leftovers the negative filter
    still looks for.
    """
    prefix = _prefix(task_uuid, kind)
    found: list[Resource] = []
    truncated: list[str] = []
    for manager in _present(conn, services):
        found.extend(r for r in manager.list(prefix) if _ours(resources.owner_name(r), task_uuid, kind, spare))
        if manager.truncated:
            truncated.append(manager.type_name())
    if services is None or "neutron" in services or "keystone" in services:
        found.extend(network_resources.owned_by(conn, found))
    if services is None or "nova" in services or "cinder" in services:
        found.extend(volume_resources.owned_by(conn, found))
    if negative:
        found.extend(_unnamed_in_squall_projects(conn, task_uuid, services, found, spare, projects))
    order = {m.type_name(): m.order for m in resources.managers()}
    return sorted(found, key=lambda r: order[r["type"]]), truncated


def _present(conn: Connection, services: list[str] | None) -> list[resources.ResourceManager]:
    """Managers of the services asked for that this cloud's catalog has, in deletion order."""
    managers = [cls(conn) for cls in resources.managers(services)]
    kinds: dict[str, bool] = {}
    for manager in managers:
        if manager.service_type not in kinds:
            kinds[manager.service_type] = manager.available()
    return [m for m in managers if kinds[m.service_type]]


def _unnamed_in_squall_projects(conn: Connection, task_uuid: str | None, services: list[str] | None,
                                named: list[Resource], spare: frozenset[str],
                                earlier: frozenset[str] = frozenset()) -> list[Resource]:
    """The negative filter: resources of squall's projects (found now, or deleted by an earlier round)
    whose names squall did not give."""
    projects = {r["id"] for r in named if r["type"] == "keystone.project"} | earlier
    if not projects:
        # The projects themselves may carry a context name of the task: look for them too.
        projects = {r["id"] for r in resources.KeystoneProject(conn).list("sq")
                    if _ours(resources.owner_name(r), task_uuid, None, spare)}
    if not projects:
        return []
    extra: list[Resource] = []
    known = {(r["type"], r["id"]) for r in named}
    for manager in _present(conn, services):
        if isinstance(manager, resources.KeystoneProject):
            continue
        for res in manager.list():
            if (res["type"], res["id"]) in known:
                continue
            if res["project_id"] in projects and not naming.belongs_to(resources.owner_name(res)):
                extra.append(res)
    return extra


def _delete_one(conn: Connection, res: Resource, deadline: float) -> str | None:
    manager = resources.manager_class(res["type"])(conn)
    error = ""
    for attempt in range(RETRIES):
        if time.monotonic() > deadline:
            return error or "time limit reached before deletion"
        try:
            manager.delete(res["id"])
            if manager.synchronous or _wait_deleted(manager, res["id"], deadline):
                return None
            error = "still present after deletion"
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        time.sleep(RETRY_DELAY * (attempt + 1))
    return error


def _wait_deleted(manager: resources.ResourceManager, resource_id: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if manager.is_deleted(resource_id):
            return True
        time.sleep(0.5)
    return False


def cleanup(conn: Connection, task_uuid: str | None = None, kind: str | None = None,
            services: list[str] | None = None, negative: bool = False, dry_run: bool = False,
            timeout: float = 600.0, workers: int = 4, spare: frozenset[str] = frozenset()) -> CleanupReport:
    """Discover squall's resources and (unless ``dry_run``) delete them; returns the report.

    When the server caps a listing, deleting what it showed makes room for
    the rest: discovery and deletion repeat until a round finds nothing new.
    ``truncated`` in the report names the types whose last listing the
    server flagged as cut short (Keystone flags it only with ``list_limit``
    set); a dry run can show only what the cap lets through.
    """
    started = time.monotonic()
    deadline = started + timeout
    report = CleanupReport(discovered=[], deleted=[], failed=[], dry_run=dry_run, duration=0.0, truncated=[])
    seen: set[tuple[str, str]] = set()
    while True:
        projects = frozenset(rid for rtype, rid in seen if rtype == "keystone.project")
        found, truncated = discover_with_truncation(conn, task_uuid, kind, services, negative, spare, projects)
        fresh = [r for r in found if (r["type"], r["id"]) not in seen]
        seen.update((r["type"], r["id"]) for r in fresh)
        report["discovered"].extend(fresh)
        report["truncated"] = truncated
        if dry_run or not fresh:
            break
        _delete_all(conn, fresh, deadline, workers, report)
        # Keystone caps listings silently (no "truncated" flag on users): look again
        # after every round that deleted something, until a round finds nothing new.
        if time.monotonic() > deadline:
            break
    report["duration"] = round(time.monotonic() - started, 3)
    return report


def _delete_all(conn: Connection, found: list[Resource], deadline: float, workers: int,
                report: CleanupReport) -> None:
    order = {m.type_name(): m.order for m in resources.managers()}
    for level in sorted({order[r["type"]] for r in found}):
        batch = [r for r in found if order[r["type"]] == level]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            outcomes = list(pool.map(lambda r: _delete_one(conn, r, deadline), batch))
        for res, error in zip(batch, outcomes, strict=True):
            if error is None:
                report["deleted"].append(res)
            else:
                report["failed"].append(FailedResource(**res, error=error))


def summary(report: CleanupReport) -> dict[str, Any]:
    """Counts of a report: discovered, deleted, failed."""
    return {"discovered": len(report["discovered"]), "deleted": len(report["deleted"]),
            "failed": len(report["failed"])}
