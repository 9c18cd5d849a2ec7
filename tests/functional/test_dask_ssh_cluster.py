"""A Dask cluster on two hosts, started over SSH with Dask's SSHCluster, loads a server on a third.

Three network-namespace hosts on a bridge, each with its own address and
sshd (tests/netns.py): the scheduler and one worker on the first, a worker on
the second, nginx on the third. squall runs here, in the root namespace,
and reaches the scheduler over the bridge. nginx's access log names each
request's source address, so the test sees where the load came from.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from squall.api import API
from squall.storage import repo
from squall.storage.db import Database
from tests import netns, sshd
from tests.conftest import IN_CI, ROOT
from tests.functional.helpers import iterations, only_workload, run_task, v2_task

NGINX = Path("/usr/sbin/nginx")
SCHEDULER_PORT = 8786
HTTP_PORT = 8080


class Lab:
    """The three hosts, nginx on the third, and the SSH-started Dask cluster on the first two."""

    def __init__(self) -> None:
        self.hosts = netns.NetnsHosts(3, user="root")  # this machine's Python lives under /root
        self.dir = Path(tempfile.mkdtemp(prefix="squall-dask-ssh-"))
        self.nginx: subprocess.Popen[bytes] | None = None
        self.cluster: Any = None

    @property
    def scheduler(self) -> str:
        return f"{self.hosts.hosts[0].address}:{SCHEDULER_PORT}"

    @property
    def url(self) -> str:
        return f"http://{self.hosts.hosts[2].address}:{HTTP_PORT}/"

    def start(self) -> None:
        first, second, web = self.hosts.start()
        (self.dir / "nginx.conf").write_text(f"""worker_processes 1; daemon off; pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log; events {{ worker_connections 256; }}
http {{ log_format source '$remote_addr'; access_log {self.dir}/access.log source;
  server {{ listen {web.address}:{HTTP_PORT}; location / {{ return 200 "ok"; }} }} }}
""")
        self.nginx = subprocess.Popen(["ip", "netns", "exec", web.netns, str(NGINX), "-c",
                                       str(self.dir / "nginx.conf"), "-p", str(self.dir)])
        from distributed import SSHCluster

        def options(host: netns.Host) -> dict[str, Any]:
            return {"username": "root", "client_keys": [host.connection["key"]], "known_hosts": None}

        # The remote processes import this checkout's squall, as the workers of a real cluster have it.
        python = f"PYTHONPATH={ROOT} {sys.executable}"
        self.cluster = SSHCluster(
            [first.address, first.address, second.address],
            connect_options=[options(first), options(first), options(second)],
            worker_options={"nthreads": 1, "local_directory": "/tmp"},
            scheduler_options={"host": first.address, "port": SCHEDULER_PORT, "dashboard_address": None},
            remote_python=python)
        self.cluster.wait_for_workers(2, timeout=120)

    def sources(self) -> Counter[str]:
        """Requests nginx answered, by source address."""
        log = self.dir / "access.log"
        return Counter(log.read_text().split()) if log.exists() else Counter()

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.close(timeout=30)
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(timeout=10)
        self.hosts.stop()  # each sshd, and every session it forked
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    missing = [what for what, ok in (("ip (iproute2)", shutil.which("ip")), ("sshd", sshd.available()),
                                     ("nginx", NGINX.exists())) if not ok]
    if missing:
        if IN_CI:
            pytest.fail(f"{', '.join(missing)} missing; scripts/install-test-deps.sh installs them")
        pytest.skip(f"{', '.join(missing)} missing (make test installs them)")
    reason = netns.refused_reason()
    if reason is not None:
        if IN_CI:  # CI machines allow them: a refusal there is a broken machine, not an optional part
            pytest.fail(f"this machine refuses network namespaces: {reason}")
        pytest.skip(f"this machine refuses network namespaces: {reason}")
    found = Lab()
    try:
        found.start()
        yield found
    finally:
        found.stop()


def _wait_logged(lab: Lab, count: int) -> Counter[str]:
    deadline = time.monotonic() + 10  # nginx writes its log as it answers; a bound, not a timing assertion
    while sum(lab.sources().values()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return lab.sources()


def test_two_hosts_load_a_third_and_every_request_is_stored_once(api: API, lab: Lab) -> None:
    first, second = lab.hosts.hosts[0].address, lab.hosts.hosts[1].address
    before = sum(lab.sources().values())
    text = v2_task("HttpRequests.check_request", {"url": lab.url, "method": "GET", "status_code": 200},
                   runner={"constant": {"times": 400, "concurrency": 4}}, sla={"failure_rate": {"max": 0}})
    task = run_task(api, text, executor=f"dask://{lab.scheduler}")
    assert task["status"] == "finished" and task["pass_sla"] is True
    its = iterations(api, task["uuid"])
    assert len(its) == 400 and sorted(it["iteration"] for it in its) == list(range(1, 401))
    seen = _wait_logged(lab, before + 400)
    assert set(seen) == {first, second}  # the load came from both hosts, and from nowhere else
    assert sum(seen.values()) - before == 400  # the server's count is the stored count
    by_host = Counter(it["worker"].removeprefix("tcp://").rsplit(":", 1)[0] for it in its)
    assert set(by_host) == {first, second} and sum(by_host.values()) == 400
    clocks = only_workload(task)["statistics"]["executor"]["workers"]
    assert len(clocks) == 2 and all(c["uncertainty"] >= 0 for c in clocks.values())


def test_figures_from_two_hosts_count_what_the_server_saw(api: API, lab: Lab) -> None:
    before = lab.sources()
    text = v2_task("HttpRequests.check_request", {"url": lab.url, "method": "GET", "status_code": 200},
                   runner={"rps": {"rps": 100, "times": 300}})
    task = run_task(api, text, executor=f"dask://{lab.scheduler}", results="aggregate")
    wl = only_workload(task)
    assert wl["total_iteration_count"] == 300 and wl["failed_iteration_count"] == 0
    after = _wait_logged(lab, sum(before.values()) + 300)
    assert {addr: after[addr] - before.get(addr, 0) for addr in after} == {
        lab.hosts.hosts[0].address: 150, lab.hosts.hosts[1].address: 150}  # the rate strided over two shards
    assert sum(s["n"] for s in repo.seconds(Database(), wl["uuid"])) == 300
