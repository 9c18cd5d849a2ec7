"""A real Cinder (29.0.0) with its fake volume driver, behind the tests' Keystone.

cinder-api under gunicorn (one worker), cinder-scheduler, cinder-volume
with ``cinder.tests.fake_driver.FakeLoggingVolumeDriver`` (volumes, snapshots,
attachments; no data moves; volumes from images by a "clone" that copies
nothing; a volume's data is a 64 KiB file, attached with os-brick's local
connector) and cinder-backup (the POSIX driver, into a folder), over the
tests' RabbitMQ, on the tests' PostgreSQL. Registered as
``cinderv3`` (type ``volumev3``), the name and type Rally's clients look for.
Quotas are unlimited.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from tests.cloud_services import WsgiServer, admin_connection, register, venv_of
from tests.daemons import Daemon, wait_ready

PASSWORD = "squall-cinder-secret"  # noqa: S105 - a throwaway test server's password

CONFIG = """[DEFAULT]
debug = false
use_stderr = true
host = squall-volume
my_ip = 127.0.0.1
state_path = {dir}/state
api_paste_config = {dir}/api-paste.ini
resource_query_filters_file = {dir}/resource_filters.json
auth_strategy = keystone
transport_url = {transport_url}
enabled_backends = fake
default_volume_type = __DEFAULT__
quota_volumes = -1
quota_snapshots = -1
quota_gigabytes = -1
quota_backups = -1
quota_backup_gigabytes = -1
backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = {dir}/backups
[privsep_osbrick]
helper_command = {helper} --privsep_context os_brick.privileged.default --privsep_sock_path {dir}/lock/brick.sock
[privsep]
helper_command = {helper} --privsep_context cinder.privsep.sys_admin_pctxt --privsep_sock_path {dir}/lock/cinder.sock
[database]
connection = {db_url}
[fake]
volume_driver = squall_fake_volume.ImageVolumeDriver
volume_backend_name = fake
[keystone_authtoken]
www_authenticate_uri = {keystone}
auth_url = {keystone}
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = cinderv3
password = {password}
memcached_servers =
[nova]
auth_type = password
auth_url = {keystone}
project_domain_name = Default
user_domain_name = Default
project_name = service
username = cinderv3
password = {password}
region_name = RegionOne
interface = public
[oslo_concurrency]
lock_path = {dir}/lock
[oslo_messaging_notifications]
driver = noop
[oslo_policy]
enforce_new_defaults = true
enforce_scope = true
[coordination]
backend_url = file://{dir}/lock
"""

# The fake driver cannot make a volume from an image (it would write the image to an LVM device): this one
# says it cloned the image, so Cinder copies nothing and the volume is available at once. The privileged
# helpers (os-brick's, Cinder's) run without sudo: the tests run as root. Uploading a volume
# to an image sends 64 KiB of zeros (the fake driver sends nothing and the image would never be active).
IMAGE_DRIVER = """from cinder.tests.fake_driver import FakeLoggingVolumeDriver


class ImageVolumeDriver(FakeLoggingVolumeDriver):
    def clone_image(self, context, volume, image_location, image_meta, image_service):
        return {}, True

    # A volume's data is a small file of its own, attached through os-brick's local connector: cinder-backup
    # reads and restores it (the fake driver's iSCSI target does not exist).
    def validate_connector(self, connector):
        pass  # the local connector needs no iSCSI initiator

    def initialize_connection(self, volume, connector, **kwargs):
        import os
        path = os.path.join(os.path.dirname(__file__), "volumes", volume.id)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not os.path.exists(path):
            with open(path, "wb") as data:
                data.write(bytes(64 * 1024))
        return {"driver_volume_type": "local", "data": {"device_path": path}}

    def copy_volume_to_image(self, context, volume, image_service, image_meta):
        import io
        image_service.update(context, image_meta["id"], {}, io.BytesIO(bytes(64 * 1024)))
"""

WSGI_MODULE = """import sys
sys.argv = sys.argv[:1] + ["--config-file", {config!r}]
from cinder.wsgi.api import application  # noqa: E402
"""


class CinderCloud:
    """cinder-api, cinder-scheduler and cinder-volume."""

    def __init__(self, port: int, keystone_root: str, db_url: str, transport_url: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="squall-cinder-"))
        self.keystone_root = keystone_root
        self.db_url = db_url
        self.transport_url = transport_url
        self.api = WsgiServer("cinder", port, self.dir, "squall_cinder_wsgi:application", {})
        self.daemons = [Daemon("cinder", name, self.dir / "cinder.conf", self.dir, {"PYTHONPATH": str(self.dir)})
                        for name in ("cinder-scheduler", "cinder-volume", "cinder-backup")]

    def setup(self) -> None:
        """Config, paste and filter files, the schema."""
        for sub in ("state", "lock", "backups"):
            (self.dir / sub).mkdir()
        (self.dir / "cinder.conf").write_text(CONFIG.format(
            dir=self.dir, transport_url=self.transport_url, db_url=self.db_url, keystone=self.keystone_root,
            password=PASSWORD, helper=f"{venv_of('cinder')}/bin/privsep-helper --config-file {self.dir}/cinder.conf"))
        (self.dir / "squall_fake_volume.py").write_text(IMAGE_DRIVER)
        for name in ("api-paste.ini", "resource_filters.json"):
            shutil.copy(venv_of("cinder") / "etc" / "cinder" / name, self.dir / name)
        (self.dir / "squall_cinder_wsgi.py").write_text(WSGI_MODULE.format(config=str(self.dir / "cinder.conf")))
        self.api.run("cinder-manage", "--config-file", str(self.dir / "cinder.conf"), "db", "sync")

    def serve(self, keystone: dict[str, str], timeout: float = 180) -> None:
        """Set up, register, start, and wait until both services are up (``keystone``: the admin's ``OS_*``)."""
        self.setup()
        admin = admin_connection(keystone)
        register(admin, "cinderv3", "volumev3", f"{self.api.url}/v3/%(project_id)s", PASSWORD)
        admin.close()
        admin = admin_connection(keystone)
        try:
            self._start(admin, timeout)
        finally:
            admin.close()

    def _start(self, admin: Any, timeout: float) -> None:
        self.api.start()
        for daemon in self.daemons:
            daemon.start()
        def probe() -> tuple[bool, str]:
            up = sum(s.state == "up" for s in admin.block_storage.services())
            return up == len(self.daemons), f"{up} services up"

        wait_ready("Cinder", self.daemons, probe, timeout)

    def stop(self) -> None:
        """Stop every process and remove the folder."""
        for daemon in self.daemons:
            daemon.stop()
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
