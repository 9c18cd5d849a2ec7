"""The tempest verifier: Tempest 47.0.0 from PyPI, installed by squall, run against the suite's real Keystone."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest

from tests.conftest import CLI

pytestmark = pytest.mark.keystone

# Made by squall's create-verifier on first use, then reused: the suite's runs share one Tempest.
VENV = Path(os.environ.get("SQUALL_TEMPEST_VENV", Path.home() / ".cache" / "squall-tests" / "tempest-47.0.0"))
LOCKOUT = "tempest.api.identity.v3.test_users.IdentityV3UsersTest.test_user_account_lockout"
HISTORY = "tempest.api.identity.v3.test_users.IdentityV3UsersTest.test_password_history_check_self_service_api"
OWN_PASSWORD = "tempest.api.identity.v3.test_users.IdentityV3UsersTest.test_user_update_own_password"
TOKENS = "tempest.api.identity.v3.test_tokens.TokensV3Test"
DISCOVERY = "tempest.api.identity.v3.test_api_discovery.TestApiDiscovery"


def _create(cli: CLI, name: str = "tempest") -> subprocess.CompletedProcess[str]:
    return cli("verify", "create-verifier", "--name", name, "--type", "tempest",
               "--settings", json.dumps({"venv": str(VENV)}), check=True, timeout=1200)


def _tests(cli: CLI) -> dict[str, dict[str, Any]]:
    run = json.loads(cli("verify", "show", "--json", check=True).stdout)
    return {t["name"].split("[")[0]: t for t in run["tests"]}


def test_tempest_identity_tests_run_against_keystone(os_cli: CLI, keystone: dict[str, str],
                                                    tmp_path: Path) -> None:
    created = _create(os_cli)
    assert "tempest 47.0.0" in created.stdout
    conf = os_cli("verify", "configure-verifier", check=True).stdout
    assert f"uri_v3 = {keystone['OS_AUTH_URL']}" in conf
    assert "use_dynamic_credentials = true" in conf and "admin_password = ***" in conf
    assert keystone["OS_PASSWORD"] not in conf
    # Only Keystone is in this cloud's catalog.
    assert "nova = false" in conf and "neutron = false" in conf and "glance = false" in conf

    listed = os_cli("verify", "list-verifier-tests", "--pattern", "set=identity", check=True).stdout.split()
    assert len(listed) > 100 and all(t.startswith("tempest.api.identity.") for t in listed)
    assert any(t.startswith(f"{TOKENS}.test_create_token[id-") for t in listed)

    # This Keystone has no PCI-DSS settings: with Tempest told it has, the lockout and password-history tests fail.
    extra = tmp_path / "extra.conf"
    extra.write_text("[identity-feature-enabled]\nsecurity_compliance = true\n")
    os_cli("verify", "configure-verifier", "--extend", str(extra), check=True)
    assert "security_compliance = true" in os_cli("verify", "configure-verifier", check=True).stdout
    skips, xfails = tmp_path / "skip.yaml", tmp_path / "xfail.yaml"
    skips.write_text(json.dumps({r"test_api_media_types": "media types are not what we test"}))
    xfails.write_text(json.dumps({LOCKOUT: "no lockout_failure_attempts in this keystone.conf"}))
    run = os_cli("verify", "start", "--pattern", r"tempest\.api\.identity\.v3\.test_(users|tokens|api_discovery)",
                 "--concurrency", "2", "--skip-list", str(skips), "--xfail-list", str(xfails), "--tag", "first",
                 timeout=900)
    assert run.returncode == 3, run.stdout + run.stderr  # tests failed: Rally's code

    tests = _tests(os_cli)
    assert tests[f"{TOKENS}.test_create_token"]["status"] == "success"
    assert tests[f"{TOKENS}.test_validate_token"]["status"] == "success"
    assert tests[f"{DISCOVERY}.test_list_api_versions"]["status"] == "success"
    assert tests[f"{DISCOVERY}.test_api_media_types"]["status"] == "skip"
    assert tests[f"{DISCOVERY}.test_api_media_types"]["reason"] == "media types are not what we test"
    assert tests[LOCKOUT]["status"] == "xfail"
    assert tests[LOCKOUT]["reason"] == "no lockout_failure_attempts in this keystone.conf"
    assert tests[HISTORY]["status"] == "fail" and "BadRequest" in tests[HISTORY]["traceback"]
    assert all(t["duration"] < 600 for t in tests.values())
    assert {t["status"] for t in tests.values()} == {"success", "skip", "xfail", "fail"}
    shown = json.loads(os_cli("verify", "show", "--json", check=True).stdout)
    assert shown["verifier_version"] == "47.0.0"
    assert "security_compliance = true" in shown["config"] and "admin_password = ***" in shown["config"]

    # Only what failed runs again; the lockout test stays an expected failure only by the list, so it runs too.
    again = os_cli("verify", "rerun", "--failed", timeout=900)
    assert again.returncode == 3, again.stdout + again.stderr
    rerun = _tests(os_cli)
    assert set(rerun) <= {HISTORY, OWN_PASSWORD} and rerun[HISTORY]["status"] == "fail"


def test_configure_verifier_override_keeps_hidden_passwords_and_refuses_bad_files(os_cli: CLI,
                                                                                 keystone: dict[str, str],
                                                                                 tmp_path: Path) -> None:
    _create(os_cli, "tempest-conf")
    shown = os_cli("verify", "configure-verifier", check=True).stdout
    edited = tmp_path / "tempest.conf"
    edited.write_text(shown.replace("run_validation = false", "run_validation = false\nconnect_method = fixed"))
    os_cli("verify", "configure-verifier", "--override", str(edited), check=True)
    revealed = os_cli("verify", "configure-verifier", "--include-secrets", check=True).stdout
    assert "connect_method = fixed" in revealed
    assert f"admin_password = {keystone['OS_PASSWORD']}" in revealed  # *** kept the stored password

    bad = tmp_path / "bad.conf"
    bad.write_text("no section header here\n")
    refused = os_cli("verify", "configure-verifier", "--override", str(bad))
    assert refused.returncode == 1 and "not an ini file" in refused.stderr and "Traceback" not in refused.stderr
    assert os_cli("verify", "configure-verifier", "--include-secrets", check=True).stdout == revealed
    reconfigured = os_cli("verify", "configure-verifier", "--reconfigure", "--show", check=True).stdout
    assert "connect_method" not in reconfigured and "uri_v3" in reconfigured


@pytest.fixture
def two_users(keystone: dict[str, str]) -> Iterator[list[dict[str, str]]]:
    """Two existing users with their own projects (Tempest's primary and alt accounts)."""
    conn = openstack.connect(auth_url=keystone["OS_AUTH_URL"], username="admin", password=keystone["OS_PASSWORD"],
                             project_name="admin", user_domain_name="Default", project_domain_name="Default")
    member = conn.identity.find_role("member") or conn.identity.find_role("reader")
    made: list[tuple[Any, Any]] = []
    users = []
    for i in (1, 2):
        project = conn.identity.create_project(name=f"verify-accounts-{i}", domain_id="default")
        user = conn.identity.create_user(name=f"verify-user-{i}", password=f"pw-{i}-secret", domain_id="default",
                                         default_project_id=project.id)
        conn.identity.assign_project_role_to_user(project, user, member)
        made.append((user, project))
        users.append({"username": user.name, "password": f"pw-{i}-secret", "project_name": project.name})
    yield users
    for user, project in made:
        conn.identity.delete_user(user)
        conn.identity.delete_project(project)
    conn.close()


def test_existing_users_become_tempest_accounts(cli: CLI, keystone: dict[str, str], two_users: list[dict[str, str]],
                                               tmp_path: Path) -> None:
    spec = {"openstack": {"auth_url": keystone["OS_AUTH_URL"], "region_name": "RegionOne", "users": two_users}}
    (tmp_path / "env.json").write_text(json.dumps(spec))
    cli("db", "create", check=True)
    cli("env", "create", "--name", "users-only", "--spec", str(tmp_path / "env.json"), check=True)
    marker = VENV / "bin" / "tempest"
    _create(cli)  # the other test installed Tempest there, or this one does; either way once
    installed_at = marker.stat().st_mtime_ns
    _create(cli, "tempest-again")
    assert marker.stat().st_mtime_ns == installed_at  # the venv was reused, not installed again
    conf = cli("verify", "configure-verifier", "--verifier", "tempest", check=True).stdout
    assert "use_dynamic_credentials = false" in conf and "test_accounts_file = accounts.yaml" in conf
    assert "admin_username" not in conf
    run = cli("verify", "start", "--verifier", "tempest", "--pattern", TOKENS, "--detailed", timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    tests = _tests(cli)
    assert sorted(tests) == [f"{TOKENS}.test_create_token", f"{TOKENS}.test_token_auth_creation_existence_deletion",
                             f"{TOKENS}.test_validate_token"]
    assert {t["status"] for t in tests.values()} == {"success"}


def test_a_bare_tempest_stream_imports_with_the_counts_subunit_stats_gives(os_cli: CLI, tmp_path: Path) -> None:
    _create(os_cli)
    conf = tmp_path / "tempest.conf"
    conf.write_text(os_cli("verify", "configure-verifier", "--include-secrets", check=True).stdout)
    work = tmp_path / "bare"
    work.mkdir()
    env = {**os.environ, "TEMPEST_CONFIG_DIR": str(tmp_path), "TEMPEST_CONFIG": "tempest.conf"}
    with (tmp_path / "tempest.subunit").open("wb") as out:
        subprocess.run([str(VENV / "bin" / "tempest"), "run", "--subunit", "--config-file", str(conf), "--regex",
                        DISCOVERY], cwd=work, env=env, stdout=out, stderr=subprocess.DEVNULL, timeout=900, check=True)
    stats = subprocess.run([str(VENV / "bin" / "subunit-stats")], stdin=(tmp_path / "tempest.subunit").open("rb"),
                           capture_output=True, text=True, timeout=60, check=False).stdout
    counts = dict(line.split(":", 1) for line in stats.splitlines() if ":" in line)
    os_cli("verify", "import", "--file", str(tmp_path / "tempest.subunit"), check=True)
    run = json.loads(os_cli("verify", "show", "--json", check=True).stdout)
    assert run["tests_count"] == int(counts["Total tests"]) == 5
    assert run["success"] == int(counts["Passed tests"])
    assert run["failures"] == int(counts["Failed tests"]) and run["skipped"] == int(counts["Skipped tests"])
