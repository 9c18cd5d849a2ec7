"""A ``tempest.conf`` for an OpenStack environment, and the changes ``configure-verifier`` makes to one.

What the cloud tells (the catalog's services, Neutron's extensions and
external network) is gathered by :func:`discover`; :func:`build` turns it and
the environment's credentials into the file, without touching the network.
With admin credentials Tempest creates its own users (dynamic credentials);
with existing users only, they become its pre-provisioned accounts
(``accounts.yaml``, written beside the file when a run starts).
"""

from __future__ import annotations

import configparser
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from squall import exceptions
from squall.env.secrets import HIDDEN, is_secret
from squall.platforms.openstack.credential import from_spec, platform_section

ACCOUNTS_FILE = "accounts.yaml"
# Catalog service types, and the name Tempest's [service_available] gives each.
SERVICE_NAMES = {"compute": "nova", "network": "neutron", "image": "glance", "volumev3": "cinder",
                 "block-storage": "cinder", "volume": "cinder", "object-store": "swift", "orchestration": "heat",
                 "baremetal": "ironic", "placement": "placement"}


@dataclass
class Discovery:
    """What the cloud said about itself."""

    service_types: set[str] = field(default_factory=set)
    region: str | None = None
    network_extensions: list[str] = field(default_factory=list)
    public_network: tuple[str, str] | None = None  # (id, name) of an external network


def section_of(env_spec: Mapping[str, Any] | None) -> dict[str, Any]:
    """The environment's openstack section; a clear error when it has none."""
    section = platform_section(env_spec)
    if section is None:
        raise exceptions.InvalidArgumentsError("the tempest verifier needs an environment with an openstack "
                                               "platform (auth_url and admin or users)")
    return section


def discover(section: Mapping[str, Any]) -> Discovery:
    """Authenticate with the admin (or first user) and read the catalog, and Neutron's details when present."""
    from squall.platforms.openstack.clients import access_info, connect

    user = section.get("admin") or (section.get("users") or [None])[0]
    if not user:
        raise exceptions.InvalidArgumentsError("the environment's openstack section has no admin and no users")
    conn = connect(from_spec(section, user))
    catalog = access_info(conn).service_catalog.catalog
    found = Discovery(service_types={entry.get("type", "") for entry in catalog})
    regions = {ep.get("region_id") or ep.get("region") for entry in catalog for ep in entry.get("endpoints", [])}
    found.region = section.get("region_name") or next(iter(sorted(r for r in regions if r)), None)
    if "network" in found.service_types:
        found.network_extensions = sorted(ext.alias for ext in conn.network.extensions())
        external = [n for n in conn.network.networks(is_router_external=True) if n.status == "ACTIVE"]
        if external:
            found.public_network = (external[0].id, external[0].name)
    return found


def _auth(conf: configparser.ConfigParser, section: Mapping[str, Any]) -> None:
    admin = section.get("admin")
    if admin:
        cred = from_spec(section, admin)
        conf["auth"] = {"use_dynamic_credentials": "true", "admin_username": cred["username"],
                        "admin_password": cred["password"], "admin_project_name": cred.get("project_name") or "",
                        "admin_domain_name": cred["user_domain_name"],
                        "default_credentials_domain_name": cred["project_domain_name"]}
    else:
        conf["auth"] = {"use_dynamic_credentials": "false", "test_accounts_file": ACCOUNTS_FILE,
                        "default_credentials_domain_name": "Default"}


def _identity(conf: configparser.ConfigParser, section: Mapping[str, Any], found: Discovery) -> None:
    auth_url = str(section["auth_url"]).rstrip("/")
    uri_v3 = auth_url if auth_url.endswith("/v3") else auth_url + "/v3"
    interface = str(section.get("interface") or section.get("endpoint_type") or "public").removesuffix("URL")
    region = section.get("region_name") or found.region or "RegionOne"
    conf["identity"] = {"uri_v3": uri_v3, "auth_version": "v3", "region": region, "v3_endpoint_type": interface,
                        "disable_ssl_certificate_validation": str(bool(section.get("https_insecure"))).lower()}
    if section.get("https_cacert"):
        conf["identity"]["ca_certificates_file"] = str(section["https_cacert"])
    conf["identity-feature-enabled"] = {"api_v2": "false"}


def _services(conf: configparser.ConfigParser, found: Discovery) -> None:
    present = {SERVICE_NAMES[t] for t in found.service_types if t in SERVICE_NAMES}
    conf["service_available"] = {name: str(name in present).lower() for name in sorted(set(SERVICE_NAMES.values()))}
    conf["network"] = {"project_networks_reachable": "false"}
    if found.public_network:
        conf["network"]["public_network_id"], conf["network"]["floating_network_name"] = found.public_network
    if found.network_extensions:
        conf["network-feature-enabled"] = {"api_extensions": ",".join(found.network_extensions)}
    # squall creates no images or flavours for Tempest: tests that would ssh into servers are off.
    conf["validation"] = {"run_validation": "false"}


def build(env_spec: Mapping[str, Any] | None, found: Discovery) -> str:
    """The tempest.conf text for the environment."""
    section = section_of(env_spec)
    conf = new_parser()
    conf["DEFAULT"] = {"log_file": "tempest.log", "use_stderr": "false"}
    _auth(conf, section)
    _identity(conf, section, found)
    _services(conf, found)
    return to_text(conf)


def accounts_yaml(env_spec: Mapping[str, Any] | None) -> str:
    """Tempest's pre-provisioned accounts: the environment's existing users, each with the roles its token
    carries in its project (Tempest picks accounts by role: ``member`` for most tests)."""
    from squall.platforms.openstack.clients import access_info, connect

    section = section_of(env_spec)
    accounts = []
    for user in section.get("users") or []:
        cred = from_spec(section, user)
        roles = sorted(access_info(connect(cred)).role_names or [])
        accounts.append({"username": cred["username"], "password": cred["password"],
                         "project_name": cred.get("project_name") or "", "domain_name": cred["user_domain_name"],
                         "roles": roles})
    return yaml.safe_dump(accounts, sort_keys=False)


def new_parser() -> configparser.ConfigParser:
    """An ini parser that keeps option names' case, reads no interpolation, and treats [DEFAULT] as any
    other section (oslo.config's reading of it, not configparser's inheritance)."""
    conf = configparser.ConfigParser(interpolation=None, default_section="\0")
    conf.optionxform = str  # type: ignore[assignment,method-assign]
    return conf


def parse(text: str, what: str) -> configparser.ConfigParser:
    """Parse an ini text; a clear error naming ``what`` when it is not one."""
    conf = new_parser()
    try:
        conf.read_string(text, source=what)
    except configparser.Error as exc:
        raise exceptions.InvalidArgumentsError(f"{what} is not an ini file: {exc}") from None
    return conf


def to_text(conf: configparser.ConfigParser) -> str:
    """The ini text of a parser."""
    out = io.StringIO()
    conf.write(out)
    return out.getvalue()


def extend(config: str, options: str | Mapping[str, Mapping[str, Any]]) -> str:
    """``config`` with ``options`` (ini text, or sections of options) added or replacing what was there.

    A value shown as hidden (``***``, as ``configure-verifier`` prints secrets) keeps the value it had.
    """
    conf = parse(config, "the current configuration")
    extra = parse(options, "--extend") if isinstance(options, str) else options
    for name in (extra.sections() if isinstance(extra, configparser.ConfigParser) else list(extra)):
        if not conf.has_section(name):
            conf.add_section(name)
        for key, value in dict(extra[name]).items():
            if str(value) == HIDDEN and conf.has_option(name, key):
                continue
            conf.set(name, key, str(value))
    return to_text(conf)


def override(config: str, new: str) -> str:
    """``new`` replaces ``config``; a value shown hidden there (``***``) keeps its value from ``config``."""
    conf, old = parse(new, "--override"), parse(config, "the current configuration")
    for name in conf.sections():
        for key, value in conf[name].items():
            if value != HIDDEN:
                continue
            if not old.has_option(name, key):
                raise exceptions.InvalidArgumentsError(
                    f"--override: [{name}] {key} is {HIDDEN} and the current configuration has no value for it")
            conf[name][key] = old[name][key]
    return to_text(conf)


def redact(config: str) -> str:
    """The configuration with passwords and other secrets shown as ``***``."""
    conf = parse(config, "the configuration")
    for name in conf.sections():
        for key in list(conf[name]):
            if is_secret(key) and conf[name][key]:
                conf[name][key] = HIDDEN
    return to_text(conf)
