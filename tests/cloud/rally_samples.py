"""rally-openstack's sample task files, made short: every workload of the chosen samples as one squall task.

Each sample is rendered with its default arguments, as ``squall task validate``
does; its runner runs 1 or 2 iterations, its contexts make at most 2 tenants,
users, servers and volumes, so that the whole set runs in minutes on a fake
cloud while each workload still does every call its scenario makes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

SHORT_RUNNER = {"times": 2, "concurrency": 2}
CAPS = {"tenants": 2, "users_per_tenant": 2, "servers_per_tenant": 2, "volumes_per_tenant": 2,
        "images_per_tenant": 1, "networks_per_tenant": 1, "stacks_per_tenant": 1, "resources_per_stack": 2}


# Scenario arguments that multiply the calls of one iteration (trunk subports), capped too.
ARGUMENT_CAPS = {"subport_count": 2, "subports_per_batch": 2, "batches": 2}


def _capped(args: dict[str, Any]) -> dict[str, Any]:
    return {k: min(v, ARGUMENT_CAPS[k]) if k in ARGUMENT_CAPS and isinstance(v, int) else v for k, v in args.items()}


def _runner(kind: str) -> dict[str, Any]:
    return {"serial": {"times": 2}} if kind == "serial" else {"constant": dict(SHORT_RUNNER)}


def _contexts(contexts: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(contexts)
    for config in out.values():
        if isinstance(config, dict):
            for key, cap in CAPS.items():
                if isinstance(config.get(key), int):
                    config[key] = min(config[key], cap)
    return out


def _absolute(args: dict[str, Any], root: Path) -> dict[str, Any]:
    """Heat's template paths are relative to rally-openstack's folder (where Rally's jobs run): made absolute."""
    out = dict(args)
    for key in ("template_path", "updated_template_path"):
        if isinstance(out.get(key), str) and not Path(out[key]).is_absolute():
            out[key] = str(root / out[key])
    for key in ("files", "updated_files"):
        if isinstance(out.get(key), dict):
            out[key] = {k: str(root / v) for k, v in out[key].items()}
        elif isinstance(out.get(key), list):
            out[key] = [str(root / v) for v in out[key]]
    return out


def workloads(path: Path) -> list[dict[str, Any]]:
    """The sample's workloads, short, in the v2 form (scenario, runner, contexts, sla); a
    :class:`squall.exceptions.SquallError` when squall refuses the file. Paths in the arguments are taken
    from rally-openstack's folder (the sample's fourth parent)."""
    from squall.task.taskfile import normalise, render
    from squall.task.taskfile import validate as validation

    config = normalise.normalise(render.load_task(path.read_text(), {}, path.name))
    validation.validate(config)
    found = []
    for sub in config["subtasks"]:
        for wl in sub["workloads"]:
            args = _capped(_absolute(wl["scenario_args"], path.parents[4]))
            found.append({"scenario": {wl["scenario_name"]: args},
                          "runner": _runner(wl["runner_name"]),
                          "contexts": _contexts(wl["contexts"]), "sla": wl["sla"]})
    return found


def one_task(paths: list[Path]) -> dict[str, Any]:
    """One v2 task: a subtask per sample file, titled with its name."""
    return {"version": 2, "title": "rally-openstack samples, short",
            "subtasks": [{"title": f"{p.parent.name}/{p.name}", "workloads": workloads(p)} for p in paths]}


def distinct(paths: list[Path]) -> list[Path]:
    """One file per sample: the YAML one where a sample comes as both JSON and YAML."""
    stems = {p.with_suffix("") for p in paths if p.suffix == ".yaml"}
    return sorted(p for p in paths if p.suffix == ".yaml" or p.with_suffix("") not in stems)


def scenario_names(path: Path) -> list[str]:
    """The scenario names a sample uses (empty when it does not even render)."""
    from squall import exceptions
    from squall.task.taskfile import normalise, render

    try:
        config = normalise.normalise(render.load_task(path.read_text(), {}, path.name))
    except exceptions.SquallError:
        return []
    return [wl["scenario_name"] for sub in config["subtasks"] for wl in sub["workloads"]]
