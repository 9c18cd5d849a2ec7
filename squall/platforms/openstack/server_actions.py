"""Nova server actions with Rally's atomic names, the status each waits for, and Rally's bounce pairs.

``boot_and_bounce_server`` takes ``actions: [{"hard_reboot": 2}, {"stop_start": 1}]``;
each pair (``stop_start``) is timed as a whole (``nova.stop_and_start_server``)
with its two steps nested inside.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from squall.platforms.openstack.compute import Compute
from squall.plugin_api.atomic import ActionTimer


class ServerAction(NamedTuple):
    """One POST /servers/ID/action: Rally's atomic name, the body, the statuses that end the wait."""

    atomic: str
    body: dict[str, Any]
    ready: tuple[str, ...]


ACTIONS: dict[str, ServerAction] = {
    "hard_reboot": ServerAction("nova.reboot_server", {"reboot": {"type": "HARD"}}, ("ACTIVE",)),
    "soft_reboot": ServerAction("nova.soft_reboot_server", {"reboot": {"type": "SOFT"}}, ("ACTIVE",)),
    "stop": ServerAction("nova.stop_server", {"os-stop": None}, ("SHUTOFF",)),
    "start": ServerAction("nova.start_server", {"os-start": None}, ("ACTIVE",)),
    "rescue": ServerAction("nova.rescue_server", {"rescue": {}}, ("RESCUE",)),
    "unrescue": ServerAction("nova.unrescue_server", {"unrescue": None}, ("ACTIVE",)),
    "pause": ServerAction("nova.pause_server", {"pause": None}, ("PAUSED",)),
    "unpause": ServerAction("nova.unpause_server", {"unpause": None}, ("ACTIVE",)),
    "suspend": ServerAction("nova.suspend_server", {"suspend": None}, ("SUSPENDED",)),
    "resume": ServerAction("nova.resume_server", {"resume": None}, ("ACTIVE",)),
    "lock": ServerAction("nova.lock_server", {"lock": None}, ()),
    "unlock": ServerAction("nova.unlock_server", {"unlock": None}, ()),
    "shelve": ServerAction("nova.shelve_server", {"shelve": None}, ("SHELVED_OFFLOADED", "SHELVED")),
    "unshelve": ServerAction("nova.unshelve_server", {"unshelve": None}, ("ACTIVE",)),
}

# Rally's bounce actions: a single action, or a pair timed together.
BOUNCE: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "hard_reboot": (None, ("hard_reboot",)),
    "soft_reboot": (None, ("soft_reboot",)),
    "stop_start": ("nova.stop_and_start_server", ("stop", "start")),
    "rescue_unrescue": ("nova.rescue_and_unrescue_server", ("rescue", "unrescue")),
    "pause_unpause": ("nova.pause_and_unpause_server", ("pause", "unpause")),
    "suspend_resume": ("nova.suspend_and_resume_server", ("suspend", "resume")),
    "lock_unlock": ("nova.lock_and_unlock_server", ("lock", "unlock")),
    "shelve_unshelve": ("nova.shelve_and_unshelve_server", ("shelve", "unshelve")),
}


def run(nova: Compute, name: str, server: dict[str, Any]) -> None:
    """One action of :data:`ACTIONS` on ``server``."""
    action = ACTIONS[name]
    nova.action(action.atomic, server, action.body, *action.ready)


def bounce(nova: Compute, kind: str, server: dict[str, Any]) -> None:
    """One bounce of :data:`BOUNCE` (a pair nested in its own atomic action)."""
    outer, steps = BOUNCE[kind]
    if outer is None:
        run(nova, steps[0], server)
        return
    with ActionTimer(nova.holder, outer):
        for step in steps:
            run(nova, step, server)


def bounce_errors(actions: Any, path: str) -> list[str]:
    """What is wrong with a bounce ``actions`` list: ``[{"hard_reboot": 2}, ...]``."""
    if actions is None:
        return []
    if not isinstance(actions, list):
        return [f"{path}: must be a list of {{action: times}}, not {type(actions).__name__}"]
    errors = []
    for i, item in enumerate(actions):
        if not isinstance(item, dict) or len(item) != 1:
            errors.append(f"{path}[{i}]: must be one {{action: times}}, e.g. {{hard_reboot: 1}}")
            continue
        (kind, times), = item.items()
        if kind not in BOUNCE:
            errors.append(f"{path}[{i}]: unknown action '{kind}' (known: {', '.join(BOUNCE)})")
        elif not isinstance(times, int) or isinstance(times, bool) or times < 1:
            errors.append(f"{path}[{i}].{kind}: must be a whole number of times, at least 1")
    return errors
