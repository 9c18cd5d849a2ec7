"""How much of rally-openstack 4.1.0's own material squall runs: its sample task files and rally-jobs.

Each file is rendered with its default arguments and validated as
``squall task validate`` does (the environment and host-file checks aside). Printed: the
files valid, the scenario names and uses squall has, by service, and every
file whose scenarios squall has but which it still refuses (with the first
reason): the goal is none.

    python bench/rally_coverage.py [--source DIR]

The sources come from ``scripts/install-rally.sh`` (``~/.cache/squall-tests/rally/sources``).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_SOURCE = Path.home() / ".cache" / "squall-tests" / "rally" / "sources" / "rally_openstack-4.1.0"
# A scenario's service: the part of its name before the first capital after the first word
# (NovaServers -> Nova, CinderVolumes -> Cinder, NeutronSecurityGroup -> Neutron).
SERVICES = ("Authenticate", "Barbican", "Ceilometer", "Cinder", "Designate", "Dummy", "Glance", "Gnocchi",
            "Grafana", "Heat", "HttpRequests", "Ironic", "Keystone", "Magnum", "Manila", "Mistral", "Monasca",
            "Murano", "Neutron", "Nova", "Octavia", "Quotas", "Sahara", "Senlin", "Swift", "VMTasks", "Watcher",
            "Zaqar", "ElasticsearchLogging", "K8s", "Loadbalancer")


def service_of(scenario: str) -> str:
    """The service a scenario name belongs to, as the table groups them."""
    group = scenario.split(".", 1)[0]
    return next((s for s in SERVICES if group.startswith(s)), group)


def task_files(source: Path) -> list[Path]:
    """The samples' task files and the rally-jobs files."""
    samples = sorted(p for p in (source / "samples" / "tasks" / "scenarios").rglob("*")
                     if p.suffix in (".json", ".yaml", ".yml"))
    jobs = sorted(p for p in (source / "rally-jobs").glob("*.yaml") if not p.name.endswith("_args.yaml"))
    return samples + jobs


def check(path: Path) -> tuple[list[str], list[str]]:
    """The file's scenario names (empty when it does not render), and squall's errors (empty: valid)."""
    from squall import exceptions
    from squall.task.taskfile import normalise, render
    from squall.task.taskfile import validate as validation

    try:
        data = render.load_task(path.read_text(), {}, str(path.name))
        config = normalise.normalise(data, max_workloads=10_000)
    except exceptions.SquallError as exc:
        return [], [str(exc)]
    names = [wl["scenario_name"] for sub in config["subtasks"] for wl in sub["workloads"]]
    try:
        validation.validate(config)
    except exceptions.SquallError as exc:
        return names, [str(exc)]
    return names, []


def measure(source: Path) -> dict[str, Any]:
    """Every file checked: counts, per service, and the files squall should run but refuses."""
    from squall import registry
    from squall.platforms.openstack.unsupported_scenarios import REASONS

    registry.load_plugins()
    known = set(registry.names("scenario")) - set(REASONS)  # refused with a reason: not covered
    files = task_files(source)
    valid, jobs_valid, unexpected = 0, 0, []
    uses: collections.Counter[str] = collections.Counter()
    for path in files:
        names, errors = check(path)
        uses.update(names)
        if not errors:
            valid += 1
            jobs_valid += path.parent.name == "rally-jobs"
        elif names and all(n in known for n in names):
            unexpected.append((path.relative_to(source), " ".join(errors[0].split())[:300]))
    by_service: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0, 0])
    for name, count in uses.items():
        row = by_service[service_of(name)]
        row[0] += 1
        row[1] += count
        if name in known:
            row[2] += 1
            row[3] += count
    return {"files": len(files), "valid": valid, "jobs": sum(p.parent.name == "rally-jobs" for p in files),
            "jobs_valid": jobs_valid, "uses": uses, "known": known, "by_service": dict(by_service),
            "unexpected": unexpected}


def report(found: dict[str, Any]) -> str:
    """The printed summary."""
    uses, known = found["uses"], found["known"]
    names_have = sum(1 for n in uses if n in known)
    uses_have = sum(c for n, c in uses.items() if n in known)
    total_uses = sum(uses.values())
    lines = [f"task files valid in squall: {found['valid']} of {found['files']} "
             f"({100.0 * found['valid'] / found['files']:.1f} %), rally-jobs {found['jobs_valid']} of {found['jobs']}",
             f"scenario names squall has: {names_have} of {len(uses)}; uses covered: {uses_have} of {total_uses} "
             f"({100.0 * uses_have / total_uses:.1f} %)", "",
             "| service | names used | uses | names squall has | uses covered |", "|---|---:|---:|---:|---:|"]
    for service, (names, count, have, covered) in sorted(found["by_service"].items(), key=lambda kv: -kv[1][1]):
        lines.append(f"| {service} | {names} | {count} | {have} | {covered} ({100.0 * covered / count:.0f} %) |")
    lines += ["", f"files whose scenarios squall has but that it refuses: {len(found['unexpected'])}"]
    lines += [f"- {path}: {error}" for path, error in found["unexpected"]]
    return "\n".join(lines)


def main() -> None:
    """Parse the options, find or fetch the sources, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="rally-openstack's unpacked sdist")
    options = parser.parse_args()
    if not (options.source / "samples").is_dir():
        subprocess.run(["bash", str(ROOT / "scripts" / "install-rally.sh")], check=True)
    started = time.monotonic()
    found = measure(options.source)
    from results import write_section

    body = report(found) + f"\n\n({time.monotonic() - started:.1f} s; python bench/rally_coverage.py)"
    print(write_section("bench/rally_coverage.py", body))


if __name__ == "__main__":
    main()
