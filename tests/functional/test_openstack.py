"""The openstack platform, KeystoneBasic scenarios and cleanup, against a real Keystone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openstack
import pytest

from squall import naming
from tests.conftest import CLI, SQUALL
from tests.keystone import TEST_LIST_LIMIT

pytestmark = pytest.mark.keystone


@pytest.fixture(scope="module")
def admin(keystone: dict[str, str]) -> Iterator[openstack.connection.Connection]:
    """An admin connection of the test's own (not squall's), to look at Keystone directly."""
    conn = openstack.connect(auth_url=keystone["OS_AUTH_URL"], username="admin", password=keystone["OS_PASSWORD"],
                             project_name="admin", user_domain_name="Default", project_domain_name="Default")
    yield conn
    conn.close()


def _names(admin: openstack.connection.Connection) -> set[str]:
    """Names of every user, project, role and service in Keystone (failing if a listing was cut short)."""
    names: set[str] = set()
    for path, key in (("/users", "users"), ("/projects", "projects"), ("/roles", "roles"), ("/services", "services")):
        items = admin.identity.get(path).json()[key]
        # Keystone caps listings silently at max_db_limit (TEST_LIST_LIMIT here).
        assert len(items) < TEST_LIST_LIMIT, f"{path} listing reached the cap: the test cannot see everything"
        names.update(item["name"] for item in items)
    return names


def _squall_names(admin: openstack.connection.Connection, task_uuid: str | None = None) -> set[str]:
    return {n for n in _names(admin) if naming.belongs_to(n, task_uuid)}


@pytest.fixture
def foreign(admin: openstack.connection.Connection) -> Iterator[list[str]]:
    """Resources squall did not make, some named to look like squall's; they must survive every cleanup."""
    real = naming.generate("0badcafe-0000-0000-0000-000000000000", "scenario")
    wrong_check = real[:-1] + ("A" if real[-1] != "A" else "B")
    names = ["alice", "sqs_notatask_x", wrong_check, real.upper(), "rally_" + real]
    project = admin.identity.create_project(name="customer-project", domain_id="default")
    users = [admin.identity.create_user(name=n, domain_id="default", default_project_id=project.id) for n in names]
    role = admin.identity.create_role(name="customer-role")
    yield names + ["customer-project", "customer-role"]
    for user in users:
        admin.identity.delete_user(user, ignore_missing=True)
    admin.identity.delete_project(project, ignore_missing=True)
    admin.identity.delete_role(role, ignore_missing=True)


def _task_uuid(cli: CLI) -> str:
    listed = json.loads(cli("task", "list", "--json", check=True).stdout)
    return str(listed[-1]["uuid"])


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_env_from_sysenv_check_and_rally_spec(os_cli: CLI, keystone: dict[str, str], tmp_path: Path) -> None:
    checked = os_cli("env", "check", check=True)
    assert "openstack: available" in checked.stdout
    assert "admin admin: authenticated; services: identity" in checked.stdout
    shown = json.loads(os_cli("env", "show", "--json", check=True).stdout)
    assert shown["spec"]["openstack"]["auth_url"] == keystone["OS_AUTH_URL"]
    assert shown["spec"]["openstack"]["admin"]["project_name"] == "admin"
    # The admin password is hidden wherever a spec is shown, unless asked for; the engine still has it.
    assert shown["spec"]["openstack"]["admin"]["password"] == "***"
    assert keystone["OS_PASSWORD"] not in os_cli("env", "show", check=True).stdout
    revealed = json.loads(os_cli("env", "show", "--json", "--show-secrets", check=True).stdout)
    assert revealed["spec"]["openstack"]["admin"]["password"] == keystone["OS_PASSWORD"]
    # Rally's existing@openstack spec with a wrong password: created, and the check says why it fails.
    spec = _write(tmp_path, "rally-env.yaml", f"""existing@openstack:
  auth_url: {keystone['OS_AUTH_URL']}
  region_name: RegionOne
  endpoint_type: public
  admin: {{username: admin, password: wrong, tenant_name: admin}}
""")
    os_cli("env", "create", "--name", "rally-spec", "--spec", str(spec), check=True)
    bad = os_cli("env", "check", "rally-spec")
    assert bad.returncode == 1
    assert "existing@openstack: unavailable" in bad.stdout + bad.stderr
    assert "401" in bad.stdout + bad.stderr or "Unauthorized" in bad.stdout + bad.stderr
    wrong = _write(tmp_path, "wrong.yaml", "openstack: {auth_url: 'ftp://x', admin: {username: a}}\n")
    refused = os_cli("env", "create", "--name", "wrong", "--spec", str(wrong))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "openstack.auth_url" in refused.stderr and "openstack.admin: 'password' is a required property" \
        in refused.stderr


def test_workloads_leave_nothing_behind(os_cli: CLI, admin: Any, foreign: list[str], tmp_path: Path) -> None:
    before = _names(admin)
    task = _write(tmp_path, "keystone.yaml", """---
KeystoneBasic.create_delete_user:
  - args: {}
    runner: {type: constant, times: 12, concurrency: 3}
    sla: {no_leaks: true, failure_rate: {max: 0}}
KeystoneBasic.create_user:
  - args: {enabled: true}
    runner: {type: constant, times: 6, concurrency: 2}
    context:
      users: {tenants: 2, users_per_tenant: 2, user_choice_method: round_robin}
      roles: [reader]
    sla: {no_leaks: true}
KeystoneBasic.create_tenant_with_users:
  - args: {users_per_tenant: 2}
    runner: {type: constant, times: 3, concurrency: 2}
    sla: {no_leaks: true}
""")
    os_cli("task", "start", str(task), check=True)
    detailed = json.loads(os_cli("task", "detailed", "--json", check=True).stdout)
    workloads = [wl for sub in detailed["subtasks"] for wl in sub["workloads"]]
    assert [wl["total_iteration_count"] for wl in workloads] == [12, 6, 3]
    assert all(wl["failed_iteration_count"] == 0 and wl["pass_sla"] for wl in workloads)
    assert all(wl["leaks"] == [] for wl in workloads)
    # Rally's atomic action names, and the users/roles contexts set up and cleaned up without error.
    stats = {row["name"] for row in workloads[0]["statistics"]["durations"]["atomics"]}
    assert {"keystone_v3.create_user", "keystone_v3.delete_user"} <= stats
    ctx = {c["plugin_name"]: c for c in workloads[1]["contexts_results"]}
    assert {"users", "roles", "admin_cleanup"} <= set(ctx)
    assert all(c["setup"]["error"] is None and c["cleanup"]["error"] is None for c in ctx.values())
    assert _names(admin) == before
    assert set(foreign) <= _names(admin)


def test_leak_is_recorded_fails_no_leaks_and_cleanup_removes_it(os_cli: CLI, admin: Any, foreign: list[str],
                                                                 tmp_path: Path) -> None:
    # Turning the default admin_cleanup off makes the workload leak its users on purpose.
    task = _write(tmp_path, "leaky.yaml", """---
KeystoneBasic.create_user:
  - runner: {type: serial, times: 3}
    context: {admin_cleanup: []}
    sla: {no_leaks: true}
""")
    out = os_cli("task", "start", str(task), check=True, sla_fails=True)
    assert "finished, SLA failed" in out.stdout
    task_uuid = _task_uuid(os_cli)
    detailed = json.loads(os_cli("task", "detailed", "--json", check=True).stdout)
    wl = detailed["subtasks"][0]["workloads"][0]
    assert len(wl["leaks"]) == 3 and {leak["type"] for leak in wl["leaks"]} == {"keystone.user"}
    verdict = {s["criterion"]: s for s in wl["sla_results"]["sla"]}["no_leaks"]
    assert not verdict["success"] and "3 resources left behind" in verdict["detail"]
    assert len(_squall_names(admin, task_uuid)) == 3
    sla = os_cli("task", "sla-check")
    assert sla.returncode == 1 and "no_leaks" in sla.stdout
    report = os_cli("task", "report", "--out", str(tmp_path / "r.html"), check=True)
    assert report.returncode == 0
    assert "keystone.user" in (tmp_path / "r.html").read_text()
    cleaned = json.loads(os_cli("cleanup", "--task", task_uuid, "--yes", "--json", check=True).stdout)
    assert len(cleaned["platforms"][0]["deleted"]) == 3
    assert _squall_names(admin, task_uuid) == set()
    assert set(foreign) <= _names(admin)


def test_two_tasks_at_once_clean_only_their_own(os_cli: CLI, admin: Any, foreign: list[str],
                                                tmp_path: Path) -> None:
    slow = _write(tmp_path, "slow.yaml", """---
KeystoneBasic.create_user:
  - runner: {type: constant, times: 100000, concurrency: 1}
    context: {users: {tenants: 1, users_per_tenant: 2}}
    sla: {no_leaks: true}
""")
    fast = _write(tmp_path, "fast.yaml", """---
KeystoneBasic.create_user:
  - runner: {type: constant, times: 5, concurrency: 1}
    context: {users: {tenants: 1, users_per_tenant: 2}}
    sla: {no_leaks: true}
""")
    long_run = os_cli.popen("task", "start", str(slow), "--tag", "slow")
    try:
        deadline = time.monotonic() + 60
        while not any(naming.owner(n) and naming.owner(n).kind == "scenario" for n in _names(admin)):  # type: ignore[union-attr]
            assert time.monotonic() < deadline and long_run.poll() is None
            time.sleep(0.2)
        os_cli("task", "start", str(fast), "--tag", "fast", check=True)
        fast_uuid = _task_uuid(os_cli)
        tasks = json.loads(os_cli("task", "list", "--json", check=True).stdout)
        slow_uuid = next(t["uuid"] for t in tasks if "slow" in t["tags"])
        # The fast task is done and clean; the slow one, still running, keeps its users and context.
        assert _squall_names(admin, fast_uuid) == set()
        assert long_run.poll() is None
        left = _squall_names(admin, slow_uuid)
        assert sum(1 for n in left if naming.owner(n).kind == "context") == 3  # type: ignore[union-attr]
        assert any(naming.owner(n).kind == "scenario" for n in left)  # type: ignore[union-attr]
        os_cli("task", "abort", slow_uuid, check=True)  # graceful: its own cleanup still runs
        assert long_run.wait(timeout=180) == 2  # aborted: it did not pass, as in Rally
    finally:
        if long_run.poll() is None:
            long_run.kill()
    assert _squall_names(admin) == set()
    assert set(foreign) <= _names(admin)


def test_sigkill_mid_workload_then_cleanup_task(os_cli: CLI, admin: Any, foreign: list[str],
                                                tmp_path: Path) -> None:
    task = _write(tmp_path, "long.yaml", """---
KeystoneBasic.create_user:
  - runner: {type: constant, times: 500, concurrency: 2}
    context: {users: {tenants: 1, users_per_tenant: 1}}
""")
    proc = subprocess.Popen([*SQUALL, "task", "start", str(task)], env=os_cli.env, cwd=os_cli.cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(_squall_names(admin)) < 8:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)  # a request in flight may still land
    task_uuid = _task_uuid(os_cli)
    leaked = _squall_names(admin, task_uuid)
    assert len(leaked) >= 8
    assert {naming.owner(n).kind for n in leaked} == {"scenario", "context"}  # type: ignore[union-attr]
    status = json.loads(os_cli("task", "status", task_uuid, "--json", check=True).stdout)
    assert status["status"] == "crashed"

    dry = os_cli("cleanup", "--task", task_uuid, "--dry-run", "--json", check=True)
    listed = {r["name"] for r in json.loads(dry.stdout)["platforms"][0]["discovered"]}
    assert listed == leaked
    assert _squall_names(admin, task_uuid) == leaked  # a dry run deletes nothing

    refused = os_cli("cleanup", "--task", task_uuid)  # no TTY, no --yes: list, then refuse
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert _squall_names(admin, task_uuid) == leaked

    done = json.loads(os_cli("cleanup", "--task", task_uuid, "--yes", "--json", check=True).stdout)
    report = done["platforms"][0]
    assert {r["name"] for r in report["deleted"]} == leaked and report["failed"] == []
    # Users and roles went before their projects.
    order = [r["type"] for r in report["deleted"]]
    assert order.index("keystone.project") > max(i for i, t in enumerate(order) if t == "keystone.user")
    assert _squall_names(admin) == set()
    assert set(foreign) <= _names(admin)


def test_negative_filter_takes_unnamed_resources_of_squall_projects_only(os_cli: CLI, admin: Any,
                                                                          foreign: list[str]) -> None:
    task_uuid = str(uuid.uuid4())
    project = admin.identity.create_project(name=naming.generate(task_uuid, "context"), domain_id="default")
    inside = admin.identity.create_user(name="made-by-hand-inside", domain_id="default",
                                        default_project_id=project.id)
    outside = admin.identity.create_user(name="made-by-hand-outside", domain_id="default")
    try:
        plain = json.loads(os_cli("cleanup", "--task", task_uuid, "--dry-run", "--json", check=True).stdout)
        assert {r["name"] for r in plain["platforms"][0]["discovered"]} == {project.name}
        neg = json.loads(os_cli("cleanup", "--task", task_uuid, "--negative", "--yes", "--json",
                                check=True).stdout)
        assert {r["name"] for r in neg["platforms"][0]["deleted"]} == {project.name, "made-by-hand-inside"}
        names = _names(admin)
        assert "made-by-hand-outside" in names and "made-by-hand-inside" not in names
        assert set(foreign) <= names
    finally:
        admin.identity.delete_user(inside, ignore_missing=True)
        admin.identity.delete_user(outside, ignore_missing=True)
        admin.identity.delete_project(project, ignore_missing=True)


def test_cleanup_sees_past_a_truncated_listing(os_cli: CLI, admin: Any, foreign: list[str]) -> None:
    """Keystone caps listings silently (max_db_limit) and filters user names after the cap."""
    task_uuid = str(uuid.uuid4())
    count = TEST_LIST_LIMIT + 30
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: admin.identity.post("/users", json={"user": {
            "name": naming.generate(task_uuid), "domain_id": "default"}}), range(count)))
    dry = os_cli("cleanup", "--task", task_uuid, "--dry-run", "--json", check=True)
    report = json.loads(dry.stdout)["platforms"][0]
    assert 0 < len(report["discovered"]) < count  # a dry run can only show what the cap lets through
    done = os_cli("cleanup", "--task", task_uuid, "--yes", "--json", check=True)
    report = json.loads(done.stdout)["platforms"][0]
    assert len(report["deleted"]) == count and report["failed"] == []
    assert admin.identity.get("/users", params={"name": report["deleted"][-1]["name"]}).json()["users"] == []
    assert _squall_names(admin, task_uuid) == set()
    assert set(foreign) <= _names(admin)


def test_cleanup_errors_are_clear(os_cli: CLI) -> None:
    bad = os_cli("cleanup", "--task", "not-a-uuid", "--dry-run")
    assert bad.returncode == 1 and "not a task UUID: 'not-a-uuid'" in bad.stderr and "Traceback" not in bad.stderr
    missing = os_cli("cleanup", "--env", "nope", "--dry-run")
    assert missing.returncode == 1 and "nope" in missing.stderr and "Traceback" not in missing.stderr


SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "tasks"


def test_keystone_samples_run_as_rally_task_files(os_cli: CLI, admin: Any) -> None:
    before = _names(admin)
    samples = sorted((SAMPLES / "keystone").glob("*.yaml"))
    assert len(samples) >= 15
    for sample in samples:
        out = os_cli("task", "start", str(sample), "--task-args", "{times: 2, concurrency: 2, tenants: 1}")
        assert out.returncode == 0 and "finished, SLA passed" in out.stdout, f"{sample.name}:\n{out.stdout}"
    assert _names(admin) == before


def test_seed_hook_samples_run_as_written(os_cli: CLI, admin: Any) -> None:
    """Both seed documents' sample tasks, with harmless commands in place of 'bash enable_factor_1'."""
    before = _names(admin)
    os_cli("task", "start", str(SAMPLES / "hooks" / "hooks-task-section.json"), check=True, timeout=300)
    runs = json.loads(os_cli("task", "hooks", "--json", check=True).stdout)
    # Iterations 20 and 40 run two hooks each, the periodic section two every 10 iterations.
    assert len(runs) == 2 + 2 + 2 * 10
    assert sorted(r["triggered_by"]["value"] for r in runs) == sorted([20, 20, 40, 40] + 2 * list(range(10, 101, 10)))
    assert all(r["status"] == "success" for r in runs)
    os_cli("task", "start", str(SAMPLES / "hooks" / "hook-and-trigger-plugins.json"), check=True, timeout=300)
    runs = json.loads(os_cli("task", "hooks", "--json", check=True).stdout)
    assert [r["triggered_by"]["value"] for r in runs] == [5, 50, 200, 1000]
    assert all(r["status"] == "success" for r in runs)
    detailed = json.loads(os_cli("task", "detailed", "--json", check=True).stdout)
    wl = detailed["subtasks"][0]["workloads"][0]
    assert [c["plugin_name"] for c in wl["contexts_results"]] == ["users"]
    assert wl["total_iteration_count"] == 1500 and wl["pass_sla"]
    assert _names(admin) == before


def test_existing_users_only(cli: CLI, keystone: dict[str, str], admin: Any, tmp_path: Path) -> None:
    project = admin.identity.create_project(name="existing-project", domain_id="default")
    user = admin.identity.create_user(name="existing-alice", password="alice-secret", domain_id="default",
                                      default_project_id=project.id)
    member = next(r for r in admin.identity.roles() if r.name == "member")
    admin.identity.assign_project_role_to_user(project, user, member)
    try:
        spec = _write(tmp_path, "users-only.yaml", f"""openstack:
  auth_url: {keystone['OS_AUTH_URL']}
  users:
    - {{username: existing-alice, password: alice-secret, project_name: existing-project}}
""")
        cli("db", "create", check=True)
        cli("env", "create", "--name", "users-only", "--spec", str(spec), check=True)
        assert "user existing-alice: authenticated" in cli("env", "check", check=True).stdout
        task = _write(tmp_path, "t.yaml", "Dummy.dummy:\n  - runner: {type: serial, times: 2}\n"
                                          "KeystoneBasic.create_user:\n  - runner: {type: serial, times: 1}\n")
        cli("task", "start", str(task), check=True, sla_fails=True)
        detailed = json.loads(cli("task", "detailed", "--json", check=True).stdout)
        dummy, keystone_wl = [wl for sub in detailed["subtasks"] for wl in sub["workloads"]]
        # The environment's users are handed over without being asked for, and nothing is created.
        ctx = {c["plugin_name"]: c for c in dummy["contexts_results"]}
        assert ctx["existing_users"]["setup"]["error"] is None and dummy["pass_sla"]
        data = json.loads(cli("task", "export", "--type", "json", check=True).stdout)
        errors = [it["error"] for it in data["tasks"][0]["subtasks"][1]["workloads"][0]["data"]]
        assert errors and "needs an environment with admin credentials" in errors[0][1]
        assert keystone_wl["failed_iteration_count"] == 1
    finally:
        admin.identity.delete_user(user, ignore_missing=True)
        admin.identity.delete_project(project, ignore_missing=True)


def test_a_workload_that_never_touches_the_cloud_is_not_checked_for_leaks_there(cli: CLI, tmp_path: Path) -> None:
    """A Dummy task on an OpenStack environment (here a cloud that is not even up): no leak check against it,
    so no 'could not list resources' in the results or the report."""
    spec = _write(tmp_path, "cloud.yaml", "openstack:\n  auth_url: http://127.0.0.1:9/v3\n"
                                          "  admin: {username: admin, password: secret, project_name: admin}\n")
    cli("env", "create", "--name", "cloud-down", "--spec", str(spec), check=True)
    task = _write(tmp_path, "dummy.yaml", "Dummy.dummy:\n  - runner: {type: serial, times: 2}\n"
                                          "    sla: {no_leaks: true}\n")
    cli("task", "start", str(task), check=True)
    wl = json.loads(cli("task", "detailed", "--json", check=True).stdout)["subtasks"][0]["workloads"][0]
    assert wl["leaks"] == [] and wl["pass_sla"]
    cli("task", "report", "--out", str(tmp_path / "r.html"), check=True)
    assert "could not list resources" not in (tmp_path / "r.html").read_text()
