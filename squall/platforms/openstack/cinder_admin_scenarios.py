"""``CinderVolumeTypes.*`` and ``CinderQos.*``: Rally's admin scenarios of Cinder, with Rally's names, arguments
and atomic actions (``cinder_v3.create_volume_type``, ``cinder_v3.create_qos``...). Encryption scenarios use the
``volume_types`` context's types, as Rally's."""

from __future__ import annotations

from typing import Any, ClassVar

from squall import exceptions
from squall.platforms.openstack.api_versions_context import microversion
from squall.platforms.openstack.block_storage import BlockStorage
from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugin_api.atomic import ActionTimer
from squall.plugin_api.scenario import configure

ADMIN_CLEANUP = {"admin_cleanup@openstack": ["cinder"]}


class CinderAdminScenario(OpenStackScenario):
    """Cinder as the admin, each call timed."""

    KNOWN_EXTRA_ARGUMENTS: ClassVar[frozenset[str] | None] = frozenset()

    @property
    def admin_cinder(self) -> BlockStorage:
        """Cinder as the admin."""
        return BlockStorage(self.admin_clients(), self, self.generate_random_name, microversion(self.context, "cinder"))

    def call(self, atomic: str, method: str, path: str, **kwargs: Any) -> Any:
        """One admin request timed as ``cinder_v3.<atomic>``."""
        with ActionTimer(self, f"cinder_v3.{atomic}"):
            return self.admin_cinder.request(method, path, **kwargs)

    def create_type(self, description: str | None = None, is_public: bool = True) -> dict[str, Any]:
        """A volume type with a squall name."""
        body = {"name": self.generate_random_name(), "description": description,
                "os-volume-type-access:is_public": is_public}
        return self.call("create_volume_type", "POST", "/types", json={"volume_type": body})["volume_type"]  # type: ignore[no-any-return]

    def context_type(self) -> str:
        """The id of a ``volume_types`` context type, by iteration."""
        types = self.context.get("volume_types") or []
        if not types:
            raise exceptions.InvalidConfigError(f"{self.plugin_name} needs the volume_types context")
        return str(types[int(self.context.get("iteration", 0)) % len(types)]["id"])

    def create_encryption(self, type_id: str, specs: dict[str, Any]) -> None:
        """``cinder_v3.create_encryption_type`` (the specs given, those not null)."""
        body = {k: v for k, v in specs.items() if v is not None}
        self.call("create_encryption_type", "POST", f"/types/{type_id}/encryption", json={"encryption": body})


def _specs(provider: str | None, cipher: str | None, key_size: int | None,
           control_location: str | None) -> dict[str, Any]:
    return {"provider": provider, "cipher": cipher, "key_size": key_size, "control_location": control_location}


@configure(name="CinderVolumeTypes.create_and_delete_volume_type", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndDeleteVolumeType(CinderAdminScenario):
    """Create a volume type, then delete it."""

    def run(self, description: str | None = None, is_public: bool = True) -> None:
        found = self.create_type(description, is_public)
        self.call("delete_volume_type", "DELETE", f"/types/{found['id']}")


@configure(name="CinderVolumeTypes.create_and_get_volume_type", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndGetVolumeType(CinderAdminScenario):
    """Create a volume type, then get it."""

    def run(self, description: str | None = None, is_public: bool = True) -> None:
        found = self.create_type(description, is_public)
        self.call("get_volume_type", "GET", f"/types/{found['id']}")


@configure(name="CinderVolumeTypes.create_and_update_volume_type", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndUpdateVolumeType(CinderAdminScenario):
    """Create a volume type, then update its name, description or visibility."""

    def run(self, description: str | None = None, is_public: bool = True, update_name: bool = False,
            update_description: str | None = None, update_is_public: bool | None = None) -> None:
        found = self.create_type(description, is_public)
        body: dict[str, Any] = {}
        if update_name or not (update_description or update_is_public):
            body["name"] = self.generate_random_name() if update_name else found["name"]
        if update_description:
            body["description"] = update_description
        if update_is_public:
            body["is_public"] = not is_public
        self.call("update_volume_type", "PUT", f"/types/{found['id']}", json={"volume_type": body})


@configure(name="CinderVolumeTypes.create_and_list_volume_types", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndListVolumeTypes(CinderAdminScenario):
    """Create a volume type, then list types: it must be among them."""

    def run(self, description: str | None = None, is_public: bool = True) -> None:
        found = self.create_type(description, is_public)
        listed = self.call("list_types", "GET", "/types")["volume_types"]
        if found["id"] not in {t["id"] for t in listed}:
            raise AssertionError(f"volume type {found['id']} is not in the list of types")


@configure(name="CinderVolumeTypes.create_and_set_volume_type_keys", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndSetVolumeTypeKeys(CinderAdminScenario):
    """Create a volume type, then set extra specs (``volume_type_key``) on it."""

    def run(self, volume_type_key: dict[str, Any], description: str | None = None, is_public: bool = True) -> None:
        found = self.create_type(description, is_public)
        self.call("set_volume_type_keys", "POST", f"/types/{found['id']}/extra_specs",
                  json={"extra_specs": {k: str(v) for k, v in volume_type_key.items()}})


@configure(name="CinderVolumeTypes.create_volume_type_add_and_list_type_access", platform="openstack",
           context=ADMIN_CLEANUP)
class CreateVolumeTypeAddAndListTypeAccess(CinderAdminScenario):
    """Create a private volume type, give the iteration's tenant access, list the access."""

    def run(self, description: str | None = None, is_public: bool = False) -> None:
        found = self.create_type(description, is_public)
        tenant = (self.context.get("tenant") or {}).get("id")
        if not tenant:
            raise exceptions.InvalidConfigError(f"{self.plugin_name} needs users (the users context)")
        self.call("add_type_access", "POST", f"/types/{found['id']}/action",
                  json={"addProjectAccess": {"project": tenant}})
        self.call("list_type_access", "GET", f"/types/{found['id']}/os-volume-type-access")


@configure(name="CinderVolumeTypes.create_volume_type_and_encryption_type", platform="openstack",
           context=ADMIN_CLEANUP)
class CreateVolumeTypeAndEncryptionType(CinderAdminScenario):
    """Create a volume type, then an encryption type for it."""

    def run(self, create_specs: dict[str, Any] | None = None, provider: str | None = None,
            cipher: str | None = None, key_size: int | None = None, control_location: str = "front-end",
            description: str | None = None, is_public: bool = True) -> None:
        found = self.create_type(description, is_public)
        self.create_encryption(found["id"], create_specs or _specs(provider, cipher, key_size, control_location))


@configure(name="CinderVolumeTypes.create_and_list_encryption_type", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndListEncryptionType(CinderAdminScenario):
    """Create an encryption type for a ``volume_types`` context type, then list every type's encryption."""

    def run(self, create_specs: dict[str, Any] | None = None, provider: str | None = None,
            cipher: str | None = None, key_size: int | None = None, control_location: str = "front-end",
            search_opts: dict[str, Any] | None = None) -> None:
        self.create_encryption(self.context_type(),
                               create_specs or _specs(provider, cipher, key_size, control_location))
        cinder = self.admin_cinder
        with ActionTimer(self, "cinder_v3.list_encryption_type"):
            for volume_type in cinder.request("GET", "/types", params=search_opts or None)["volume_types"]:
                cinder.request("GET", f"/types/{volume_type['id']}/encryption")


@configure(name="CinderVolumeTypes.create_get_and_delete_encryption_type", platform="openstack",
           context=ADMIN_CLEANUP)
class CreateGetAndDeleteEncryptionType(CinderAdminScenario):
    """Create an encryption type for a ``volume_types`` context type, get it, delete it."""

    def run(self, provider: str | None = None, cipher: str | None = None, key_size: int | None = None,
            control_location: str = "front-end") -> None:
        type_id = self.context_type()
        self.create_encryption(type_id, _specs(provider, cipher, key_size, control_location))
        self.call("get_encryption_type", "GET", f"/types/{type_id}/encryption")
        self.call("delete_encryption_type", "DELETE", f"/types/{type_id}/encryption/provider")


@configure(name="CinderVolumeTypes.create_and_delete_encryption_type", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndDeleteEncryptionType(CinderAdminScenario):
    """Create an encryption type for a ``volume_types`` context type, then delete it."""

    def run(self, create_specs: dict[str, Any] | None = None, provider: str | None = None,
            cipher: str | None = None, key_size: int | None = None, control_location: str = "front-end") -> None:
        type_id = self.context_type()
        self.create_encryption(type_id, create_specs or _specs(provider, cipher, key_size, control_location))
        self.call("delete_encryption_type", "DELETE", f"/types/{type_id}/encryption/provider")


@configure(name="CinderVolumeTypes.create_and_update_encryption_type", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndUpdateEncryptionType(CinderAdminScenario):
    """Create an encryption type for a ``volume_types`` context type, then update it."""

    def run(self, create_provider: str | None = None, create_cipher: str | None = None,
            create_key_size: int | None = None, create_control_location: str = "front-end",
            update_provider: str | None = None, update_cipher: str | None = None,
            update_key_size: int | None = None, update_control_location: str | None = None) -> None:
        type_id = self.context_type()
        self.create_encryption(type_id, _specs(create_provider, create_cipher, create_key_size,
                                               create_control_location))
        update = {k: v for k, v in _specs(update_provider, update_cipher, update_key_size,
                                          update_control_location).items() if v is not None}
        self.call("update_encryption_type", "PUT", f"/types/{type_id}/encryption/provider",
                  json={"encryption": update})


class _Qos(CinderAdminScenario):
    def create_qos(self, consumer: str, write_iops_sec: Any, read_iops_sec: Any) -> dict[str, Any]:
        """``cinder_v3.create_qos`` with a squall name."""
        body = {"name": self.generate_random_name(), "consumer": consumer, "write_iops_sec": str(write_iops_sec),
                "read_iops_sec": str(read_iops_sec)}
        return self.call("create_qos", "POST", "/qos-specs", json={"qos_specs": body})["qos_specs"]  # type: ignore[no-any-return]


@configure(name="CinderQos.create_and_list_qos", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndListQos(_Qos):
    """Create QoS specs, then list them: the new ones must be there."""

    def run(self, consumer: str, write_iops_sec: Any, read_iops_sec: Any) -> None:
        qos = self.create_qos(consumer, write_iops_sec, read_iops_sec)
        listed = self.call("list_qos", "GET", "/qos-specs")["qos_specs"]
        if qos["id"] not in {q["id"] for q in listed}:
            raise AssertionError(f"QoS specs {qos['id']} are not in the list")


@configure(name="CinderQos.create_and_get_qos", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndGetQos(_Qos):
    """Create QoS specs, then get them."""

    def run(self, consumer: str, write_iops_sec: Any, read_iops_sec: Any) -> None:
        qos = self.create_qos(consumer, write_iops_sec, read_iops_sec)
        self.call("get_qos", "GET", f"/qos-specs/{qos['id']}")


@configure(name="CinderQos.create_and_set_qos", platform="openstack", context=ADMIN_CLEANUP)
class CreateAndSetQos(_Qos):
    """Create QoS specs, then set new values."""

    def run(self, consumer: str, write_iops_sec: Any, read_iops_sec: Any, set_consumer: str,
            set_write_iops_sec: Any, set_read_iops_sec: Any) -> None:
        qos = self.create_qos(consumer, write_iops_sec, read_iops_sec)
        body = {"consumer": set_consumer, "write_iops_sec": str(set_write_iops_sec),
                "read_iops_sec": str(set_read_iops_sec)}
        self.call("set_qos", "PUT", f"/qos-specs/{qos['id']}", json={"qos_specs": body})


@configure(name="CinderQos.create_qos_associate_and_disassociate_type", platform="openstack",
           context=ADMIN_CLEANUP)
class CreateQosAssociateAndDisassociateType(_Qos):
    """Create QoS specs, associate them with a ``volume_types`` context type, then disassociate."""

    def run(self, consumer: str, write_iops_sec: Any, read_iops_sec: Any) -> None:
        qos = self.create_qos(consumer, write_iops_sec, read_iops_sec)
        type_id = self.context_type()
        self.call("qos_associate_type", "GET", f"/qos-specs/{qos['id']}/associate", params={"vol_type_id": type_id})
        self.call("qos_disassociate_type", "GET", f"/qos-specs/{qos['id']}/disassociate",
                  params={"vol_type_id": type_id})
