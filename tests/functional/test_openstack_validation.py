"""OpenStack task files refused at validation, with the reason: no OpenStack environment, a Rally scenario
squall does not run."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CLI


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _cloud_down(cli: CLI, tmp_path: Path) -> None:
    """An OpenStack environment in use whose cloud is not there (validation asks nothing of it)."""
    spec = _write(tmp_path, "cloud.yaml", "openstack:\n  auth_url: http://127.0.0.1:9/v3\n"
                                          "  admin: {username: admin, password: secret, project_name: admin}\n")
    cli("env", "create", "--name", "cloud-down", "--spec", str(spec), check=True)


def test_keystone_task_needs_an_openstack_environment(cli: CLI, tmp_path: Path) -> None:
    cli("db", "create", check=True)
    task = _write(tmp_path, "t.yaml", "KeystoneBasic.create_user:\n  - runner: {type: serial, times: 1}\n")
    # validate gives start's verdict: the environment is checked too.
    for command in ("validate", "start"):
        out = cli("task", command, str(task))
        assert out.returncode == 1 and "Traceback" not in out.stderr
        assert "KeystoneBasic.create_user[0]: scenario KeystoneBasic.create_user needs an environment with the " \
               "'openstack' platform" in out.stderr


def test_scenarios_squall_cannot_run_are_refused_at_validation_with_the_reason(cli: CLI, tmp_path: Path) -> None:
    _cloud_down(cli, tmp_path)
    task = _write(tmp_path, "refused.yaml", "".join(
        f"{name}:\n  - runner: {{type: serial, times: 1}}\n" for name in
        ("NovaServers.boot_and_live_migrate_server", "VMTasks.boot_runcommand_delete",
         "Authenticate.validate_ceilometer", "Authenticate.validate_octavia")))
    out = cli("task", "validate", str(task))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "NovaServers.boot_and_live_migrate_server is not supported by squall: moving a server needs a second " \
           "compute host" in out.stderr
    assert "VMTasks.boot_runcommand_delete is not supported by squall: it logs into the booted guest" in out.stderr
    assert "Authenticate.validate_ceilometer is not supported by squall: Ceilometer has had no API" in out.stderr
    assert "Authenticate.validate_octavia is not supported by squall: squall's test cloud has no Octavia" in out.stderr


def test_counts_below_one_are_refused_at_validation(cli: CLI, tmp_path: Path) -> None:
    _cloud_down(cli, tmp_path)
    task = _write(tmp_path, "zero.yaml", "Authenticate.validate_nova:\n  - args: {repetitions: 0}\n"
                                         "NeutronNetworks.create_and_bind_ports:\n  - args: {ports_per_network: 0}\n")
    out = cli("task", "validate", str(task))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "repetitions: must be at least 1, not 0" in out.stderr
    assert "ports_per_network: must be at least 1, not 0" in out.stderr


def test_a_heat_template_that_is_not_there_is_refused_at_validation(cli: CLI, tmp_path: Path) -> None:
    _cloud_down(cli, tmp_path)
    template = _write(tmp_path, "stack.yaml", "heat_template_version: 2014-10-16\n")
    task = _write(tmp_path, "heat.yaml",
                  f"HeatStacks.create_update_delete_stack:\n  - args: {{template_path: {template}, "
                  f"updated_template_path: {tmp_path}/gone.yaml, files: {{nested.yaml: {tmp_path}/nested.yaml}}}}\n")
    # Rally checks the templates at validation; each iteration failing on its own is not an answer.
    out = cli("task", "validate", str(task))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"HeatStacks.create_update_delete_stack[0].args: {tmp_path}/gone.yaml does not exist on this machine" \
        in out.stderr
    assert f"{tmp_path}/nested.yaml does not exist on this machine" in out.stderr
    assert str(template) not in out.stderr
    _write(tmp_path, "gone.yaml", "heat_template_version: 2014-10-16\n")
    _write(tmp_path, "nested.yaml", "heat_template_version: 2014-10-16\n")
    assert cli("task", "validate", str(task)).returncode == 0
