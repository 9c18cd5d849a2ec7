"""Heat beside Rally 5.1.1 + rally-openstack 4.1.0 on the same cloud: a stack made and deleted, and an
autoscaling group scaled up and down through its policy's pre-signed webhook (Heat's CloudFormation API, the
EC2 signature checked by Keystone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cloud.helpers import beside_rally, compute_inventory
from tests.conftest import CLI
from tests.rally import oracle

pytestmark = pytest.mark.keystone

TASK = """---
HeatStacks.create_and_delete_stack:
  - args: {{template_path: "{samples}/default.yaml.template"}}
    runner: {{type: serial, times: 2}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
HeatStacks.create_stack_and_scale:
  - args: {{template_path: "{jobs}/autoscaling_group.yaml.template", output_key: scaling_url, delta: 1,
           parameters: {{scaling_adjustment: 1}}}}
    runner: {{type: serial, times: 1}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
  - args: {{template_path: "{jobs}/autoscaling_group.yaml.template", output_key: scaling_url, delta: -1,
           parameters: {{scaling_adjustment: -1}}}}
    runner: {{type: serial, times: 1}}
    context: {{users: {{tenants: 1, users_per_tenant: 1}}}}
"""


def _tree(actions: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(a["name"], _tree(a.get("children") or [])) for a in actions]


def _calls(doc: dict[str, Any]) -> list[tuple[str, list[Any], int, bool]]:
    """Per workload: its scenario, each iteration's atomic actions as a tree, its failed iterations, its SLA."""
    return [(next(iter(wl["scenario"])), [_tree(it["atomic_actions"]) for it in wl["data"]],
             sum(1 for it in wl["data"] if it["error"]), wl["pass_sla"])
            for task in doc["tasks"] for sub in task["subtasks"] for wl in sub["workloads"]]


def test_heat_scenarios_make_rallys_calls(compute_cli: CLI, compute: dict[str, str], compute_admin: Any,
                                          tmp_path: Path) -> None:
    before = compute_inventory(compute_admin)
    source = oracle.RALLY_OPENSTACK_SOURCE
    task = tmp_path / "heat.yaml"
    task.write_text(TASK.format(samples=source / "samples" / "tasks" / "scenarios" / "heat" / "templates",
                                jobs=source / "rally-jobs" / "extra"))
    ours, theirs = beside_rally(compute_cli, compute, task, tmp_path)
    assert _calls(ours) == _calls(theirs)
    calls = _calls(ours)
    assert all(failed == 0 and passed for _, _, failed, passed in calls)
    # The webhook is timed inside the scaling, as Rally times it.
    assert calls[1][1][0][1] == ("heat.scale_with_scaling_url", [("heat.scaling_url_webhook", [])])
    assert compute_inventory(compute_admin) == before
