"""tempest.conf from an environment, its changes (extend, override) and hidden secrets; Rally's test sets."""

from __future__ import annotations

import configparser

import pytest

from squall import exceptions
from squall.platforms.openstack import tempest_config as tc
from squall.platforms.openstack.tempest_verifier import expand_skip_list, tempest_regex

ADMIN_ENV = {"openstack": {"auth_url": "https://cloud:5000", "region_name": "East", "https_insecure": True,
                           "admin": {"username": "boss", "password": "s3cret", "project_name": "admin"}}}
USERS_ENV = {"existing@openstack": {"auth_url": "http://cloud:5000/v3",
                                    "users": [{"username": "u1", "password": "p1", "project_name": "p"}]}}


def _ini(text: str) -> configparser.ConfigParser:
    return tc.parse(text, "test")


def test_admin_environment_gives_dynamic_credentials_and_catalog_services() -> None:
    found = tc.Discovery(service_types={"identity", "network", "image"}, network_extensions=["router", "quotas"],
                         public_network=("net-1", "public"))
    conf = _ini(tc.build(ADMIN_ENV, found))
    assert conf["auth"]["use_dynamic_credentials"] == "true" and conf["auth"]["admin_username"] == "boss"
    assert conf["auth"]["admin_password"] == "s3cret" and conf["auth"]["admin_project_name"] == "admin"
    assert conf["identity"]["uri_v3"] == "https://cloud:5000/v3" and conf["identity"]["region"] == "East"
    assert conf["identity"]["disable_ssl_certificate_validation"] == "true"
    assert (conf["service_available"]["neutron"], conf["service_available"]["glance"]) == ("true", "true")
    assert conf["service_available"]["nova"] == "false"
    assert conf["network"]["public_network_id"] == "net-1" and conf["network"]["floating_network_name"] == "public"
    assert conf["network-feature-enabled"]["api_extensions"] == "router,quotas"


def test_users_only_environment_gives_preprovisioned_accounts() -> None:
    conf = _ini(tc.build(USERS_ENV, tc.Discovery(service_types={"identity"})))
    assert conf["auth"]["use_dynamic_credentials"] == "false"
    assert conf["auth"]["test_accounts_file"] == tc.ACCOUNTS_FILE and "admin_username" not in conf["auth"]
    assert conf["identity"]["uri_v3"] == "http://cloud:5000/v3"


def test_an_environment_without_openstack_is_refused() -> None:
    with pytest.raises(exceptions.InvalidArgumentsError, match="openstack platform"):
        tc.build({"http": {}}, tc.Discovery())


def test_extend_adds_and_replaces_and_keeps_hidden_values() -> None:
    base = tc.build(ADMIN_ENV, tc.Discovery(service_types={"identity"}))
    out = _ini(tc.extend(base, "[DEFAULT]\ndebug = true\n[auth]\nadmin_password = ***\n[new]\nk = v\n"))
    assert out["DEFAULT"]["debug"] == "true" and out["DEFAULT"]["log_file"] == "tempest.log"
    assert out["auth"]["admin_password"] == "s3cret" and out["new"]["k"] == "v"
    assert "debug" not in out["auth"]  # [DEFAULT] stays its own section, as oslo.config reads it
    assert _ini(tc.extend(base, {"identity": {"region": "West"}}))["identity"]["region"] == "West"


def test_override_replaces_whole_but_restores_hidden_secrets() -> None:
    base = tc.build(ADMIN_ENV, tc.Discovery(service_types={"identity"}))
    shown = tc.redact(base)
    assert "s3cret" not in shown and "admin_password = ***" in shown
    out = _ini(tc.override(base, "[auth]\nadmin_password = ***\nadmin_username = other\n"))
    assert out.sections() == ["auth"] and out["auth"]["admin_password"] == "s3cret"
    with pytest.raises(exceptions.InvalidArgumentsError, match="no value for it"):
        tc.override(base, "[auth]\ntoken = ***\n")
    with pytest.raises(exceptions.InvalidArgumentsError, match="not an ini file"):
        tc.override(base, "just text")


def test_rally_test_sets_and_skip_lists() -> None:
    assert tempest_regex("set=identity") == "tempest.api.identity"
    assert tempest_regex("set=smoke") == "smoke" and tempest_regex("set=full") == ""
    assert tempest_regex("set=scenario") == "tempest.scenario" and tempest_regex("a.b") == "a.b"
    with pytest.raises(exceptions.InvalidArgumentsError, match="unknown test set 'nosuch'"):
        tempest_regex("set=nosuch")
    tests = ["t.a.A.test_one[id-1]", "t.a.A.test_two[id-2,smoke]", "t.b.B.test_three"]
    assert expand_skip_list(tests, {"test_t": "r1", "smoke": "r2"}) == {
        "t.a.A.test_two[id-2,smoke]": "r2", "t.b.B.test_three": "r1"}
    assert expand_skip_list(tests, {"t.b.B.test_x[": "bad regex, kept as an id"}) == {
        "t.b.B.test_x[": "bad regex, kept as an id"}
