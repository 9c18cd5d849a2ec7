"""``Dummy.openstack``: Rally's Dummy.dummy on the OpenStack platform.

It calls no service: it checks that the environment is an OpenStack cloud
(its credentials validate) and runs the task's contexts, which is what
rally-openstack's context samples use it for.
"""

from __future__ import annotations

from typing import Any

from squall.platforms.openstack.scenario import OpenStackScenario
from squall.plugins.scenarios.dummy import Dummy
from squall.task.scenario import configure


@configure(name="Dummy.openstack", platform="openstack")
class DummyOpenStack(Dummy, OpenStackScenario):
    """Sleep ``sleep`` seconds inside atomic action ``bar``, itself inside ``foo``, on an OpenStack environment."""

    def run(self, sleep: float = 0, **kwargs: Any) -> None:
        super().run(sleep, **kwargs)
