"""One authenticated openstacksdk connection per credential and process.

Sessions and tokens are reused: every scenario iteration of a worker process
shares the connection (and so the token, the service catalog and the version
discovery) of its credential; a forked process builds its own. This is where
squall saves most of the HTTP requests Rally spends per iteration.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from squall.platforms.openstack.credential import Credential, key

if TYPE_CHECKING:
    from openstack.connection import Connection

_LOCK = threading.Lock()
_CONNECTIONS: dict[tuple[Any, ...], Connection] = {}
# Token state inherited from the parent process: a forked worker reuses the
# parent's token instead of asking Keystone for its own.
_INHERITED: dict[tuple[Any, ...], str] = {}
_PID = os.getpid()


def connect(cred: Credential) -> Connection:
    """The shared connection for ``cred`` in this process (created on first use)."""
    global _PID
    with _LOCK:
        if os.getpid() != _PID:  # forked: the parent's sockets are not ours, its token is
            for ident, parent in _CONNECTIONS.items():
                state = _auth_state(parent)
                if state:
                    _INHERITED[ident] = state
            _CONNECTIONS.clear()
            _PID = os.getpid()
        ident = key(cred)
        conn = _CONNECTIONS.get(ident)
        if conn is None:
            conn = _new_connection(cred)
            _CONNECTIONS[ident] = conn
        return conn


def _new_connection(cred: Credential) -> Connection:
    import openstack.connection
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3

    auth = v3.Password(
        auth_url=cred["auth_url"], username=cred["username"], password=cred["password"],
        project_name=cred.get("project_name"), project_id=cred.get("project_id"),
        user_domain_name=cred.get("user_domain_name", "Default"),
        project_domain_name=cred.get("project_domain_name", "Default"),
    )
    verify: bool | str = not cred.get("https_insecure", False)
    if verify and cred.get("https_cacert"):
        verify = str(cred["https_cacert"])
    state = _INHERITED.pop(key(cred), None)
    if state:
        auth.set_auth_state(state)
    session = ks_session.Session(auth=auth, verify=verify)
    conn = openstack.connection.Connection(
        session=session, region_name=cred.get("region_name"), interface=cred.get("interface", "public"),
        identity_api_version="3")
    # Build the identity proxy now, under the lock: threads then share one.
    conn.identity  # noqa: B018
    return conn


def _auth_state(conn: Connection) -> str | None:
    auth: Any = conn.session.auth
    try:
        return auth.get_auth_state()  # type: ignore[no-any-return]
    except Exception:
        return None


def prepare(cred: Credential) -> None:
    """Authenticate in this process before workers fork: they inherit the imports and the token."""
    access_info(connect(cred))


def forget(cred: Credential) -> None:
    """Drop the cached connection (e.g. after its user was deleted)."""
    with _LOCK:
        _CONNECTIONS.pop(key(cred), None)


def access_info(conn: Connection) -> Any:
    """The connection's Keystone token data (user, project, catalog), fetched once."""
    auth: Any = conn.session.auth
    return auth.get_access(conn.session)


class CheckedProxy:
    """A service proxy whose requests raise on an HTTP error, with the server's message.

    openstacksdk's proxies return an error response as it came (``raise_exc`` is off in their
    ``request``): a refused create would otherwise surface later as a missing key.
    """

    def __init__(self, proxy: Any) -> None:
        self.proxy = proxy

    def request(self, url: str, method: str, **kwargs: Any) -> Any:
        """One request; an ``openstack.exceptions.HttpException`` (``status_code``, message) when it failed."""
        from openstack import exceptions as os_exceptions

        response = self.proxy.request(url, method, **kwargs)
        os_exceptions.raise_from_response(response)
        return response

    def get(self, url: str, **kwargs: Any) -> Any:
        """GET."""
        return self.request(url, "GET", **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        """POST."""
        return self.request(url, "POST", **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        """PUT."""
        return self.request(url, "PUT", **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Any:
        """PATCH."""
        return self.request(url, "PATCH", **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        """DELETE."""
        return self.request(url, "DELETE", **kwargs)


def api(conn: Connection, service: str) -> CheckedProxy:
    """The connection's proxy of ``service`` (``identity``, ``network``, ``image``), raising on HTTP errors."""
    return CheckedProxy(getattr(conn, service))
