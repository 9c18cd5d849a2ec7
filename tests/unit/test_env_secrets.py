"""Passwords and tokens in environment specs are hidden wherever a spec is shown."""

from __future__ import annotations

import json

from squall.api import API
from squall.env.secrets import HIDDEN, is_secret, redact


def test_secret_keys_are_recognised_and_others_are_not() -> None:
    for key in ("password", "PASSWORD", "admin_password", "token", "admin_token", "secret",
                "application_credential_secret", "private_key", "passphrase", "api_key", "profiler_hmac_key"):
        assert is_secret(key), key
    for key in ("username", "auth_url", "key", "key_filename", "token_endpoint", "passwords_file", "secretary",
                "project_name", "users"):
        assert not is_secret(key), key


def test_redact_hides_every_secret_at_any_depth_and_keeps_the_rest() -> None:
    spec = {"openstack": {"auth_url": "http://k:5000/v3", "admin": {"username": "admin", "password": "s3cret"},
                          "users": [{"username": "u1", "password": "p1"}, {"username": "u2", "token": "t2"}],
                          "https_insecure": False},
            "nodes": [{"id": 1, "connection": {"type": "ssh", "private_key": "-----BEGIN", "port": 22}}],
            "http": {"base_url": "http://x", "password": ""}}
    hidden = redact(spec)
    text = json.dumps(hidden)
    for secret in ("s3cret", "p1", "t2", "-----BEGIN"):
        assert secret not in text
    assert hidden["openstack"]["admin"] == {"username": "admin", "password": HIDDEN}
    assert hidden["openstack"]["users"][1] == {"username": "u2", "token": HIDDEN}
    assert hidden["nodes"][0]["connection"] == {"type": "ssh", "private_key": HIDDEN, "port": 22}
    assert hidden["http"]["password"] == ""  # nothing to hide; an empty value says so
    assert spec["openstack"]["admin"]["password"] == "s3cret"  # the original is untouched


def test_api_shows_specs_without_secrets_unless_asked(api: API) -> None:
    spec = {"openstack": {"auth_url": "http://127.0.0.1:1/v3",
                          "admin": {"username": "admin", "password": "hunter2", "project_name": "admin"}}}
    created = api.env.create(name="with-secret", spec=spec)
    assert created["spec"]["openstack"]["admin"] == {"username": "admin", "password": HIDDEN, "project_name": "admin"}
    assert "hunter2" not in json.dumps(api.env.list())
    assert api.env.get(env="with-secret")["spec"]["openstack"]["admin"]["password"] == HIDDEN
    revealed = api.env.get(env="with-secret", include_secrets=True)
    assert revealed["spec"]["openstack"]["admin"]["password"] == "hunter2"
