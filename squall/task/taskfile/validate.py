"""Plugin-level validation of a normalised task: every error, with its path."""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

from squall import exceptions, registry, schema
from squall.plugin_api.scenario import Scenario
from squall.task.taskfile.normalise import TaskConfig, WorkloadConfig, hook_parts


def args_errors(cls: type[Scenario], args: dict[str, Any], path: str) -> list[str]:
    """Arguments that ``run`` would refuse: unknown names and missing ones."""
    signature = inspect.signature(cls.run)
    params = [p for p in signature.parameters.values() if p.name != "self"]
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in params)
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    errors = []
    extra = cls.KNOWN_EXTRA_ARGUMENTS
    if not accepts_any or extra is not None:
        known = names | set(extra or ())
        for arg in args:
            if arg not in known:
                allowed = ", ".join(sorted(known)) or "none"
                errors.append(f"{path}: unexpected argument '{arg}' for scenario {cls.plugin_name} "
                              f"(allowed: {allowed})")
    for p in params:
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is p.empty and p.name not in args:
            errors.append(f"{path}: missing required argument '{p.name}' for scenario {cls.plugin_name}")
    for subdict, restricted in cls.RESTRICTED.items():
        given = args.get(subdict)
        errors.extend(f"{path}.{subdict}: argument '{n}' must not be set (squall names the resource)"
                      for n in restricted if isinstance(given, dict) and n in given)
    return errors + cls.argument_errors(args, path)


def plugin_errors(kind: str, name: str, config: Any, path: str, unknown_at: str | None = None) -> list[str]:
    """An unknown plugin (reported at ``unknown_at``), else its schema's errors, else its own checks'.

    A scenario's arguments are also checked against its ``run`` signature.
    """
    cls = registry.find(kind, name)
    if cls is None:
        known = ", ".join(registry.names(kind)) or "none"
        return [f"{unknown_at or path}: unknown {kind} plugin '{name}' (known: {known})"]
    errors = []
    if isinstance(cls, type) and issubclass(cls, Scenario):
        errors.extend(args_errors(cls, config, path))
    if cls.CONFIG_SCHEMA:
        errors.extend(schema.collect(cls.CONFIG_SCHEMA, config, path))
    check = getattr(cls, "config_errors", None)
    return errors or (check(config, path) if check else [])


def workload_errors(wl: WorkloadConfig) -> list[str]:
    """Problems of one workload: unknown plugins, schema violations, bad args."""
    paths = wl["paths"]
    errors = plugin_errors("scenario", wl["scenario_name"], wl["scenario_args"], paths["scenario"],
                            unknown_at=paths["workload"])
    errors.extend(plugin_errors("runner", wl["runner_name"], wl["runner_args"], paths["runner"]))
    for name, cfg in wl["contexts"].items():
        errors.extend(plugin_errors("context", name, cfg, f"{paths['contexts']}.{name}"))
    for name, cfg in wl["sla"].items():
        errors.extend(plugin_errors("sla", name, cfg, f"{paths['sla']}.{name}"))
    for hook in wl["hooks"]:
        action, action_args, trigger, trigger_args = hook_parts(hook)
        errors.extend(plugin_errors("hook", action, action_args, hook["action_path"]))
        errors.extend(plugin_errors("trigger", trigger, trigger_args, hook["trigger_path"]))
    return errors


def command_hooks(config: TaskConfig) -> list[str]:
    """Paths of hooks whose action runs commands on squall's machine."""
    found = []
    for subtask in config["subtasks"]:
        for wl in subtask["workloads"]:
            for hook in wl["hooks"]:
                action = registry.find("hook", hook_parts(hook)[0])
                if action is not None and getattr(action, "RUNS_COMMANDS", False):
                    found.append(hook["action_path"])
    return found


def host_file_reads(config: TaskConfig) -> list[str]:
    """Workloads whose scenario arguments or contexts name files on squall's machine (a CA bundle, an image)."""
    return [f"{where} reads {path} on this machine" for where, path in _host_files(config)]


def unreadable_host_files(config: TaskConfig) -> list[str]:
    """The files on squall's machine the task names that are missing or unreadable, one error each: said at
    validation, as Rally's file validators do, not by every iteration. Only for a caller allowed to read this
    machine's files (what exists here is not a remote caller's business)."""
    errors = []
    for where, path in _host_files(config):
        found = Path(path).expanduser()
        if not found.exists():
            errors.append(f"{where}: {path} does not exist on this machine")
        elif not os.access(found, os.R_OK):
            errors.append(f"{where}: {path} cannot be read (permissions)")
    return errors


def _host_files(config: TaskConfig) -> list[tuple[str, str]]:
    found = []
    for subtask in config["subtasks"]:
        for wl in subtask["workloads"]:
            cls = registry.find("scenario", wl["scenario_name"])
            found += [(wl["paths"]["scenario"], path)
                      for path in getattr(cls, "host_files", lambda _args: [])(wl["scenario_args"])]
            found += _context_files(wl["contexts"], wl["paths"]["contexts"])
    return found


def load_targets(config: TaskConfig) -> list[tuple[str, str]]:
    """Every URL the task's scenarios send requests to, with the place of the scenario in the file."""
    found = []
    for subtask in config["subtasks"]:
        for wl in subtask["workloads"]:
            cls = registry.find("scenario", wl["scenario_name"])
            found += [(wl["paths"]["scenario"], url)
                      for url in getattr(cls, "targets", lambda _args: [])(wl["scenario_args"])]
    return found


def context_file_reads(contexts: dict[str, Any], where: str) -> list[str]:
    """Contexts whose configuration names files on squall's machine, as ``WHERE.NAME reads PATH ...``."""
    return [f"{place} reads {path} on this machine" for place, path in _context_files(contexts, where)]


def _context_files(contexts: dict[str, Any], where: str) -> list[tuple[str, str]]:
    found = []
    for name, cfg in contexts.items():
        cls = registry.find("context", name)
        found += [(f"{where}.{name}", path) for path in getattr(cls, "host_files", lambda _cfg: [])(cfg)]
    return found


def platform_errors(config: TaskConfig, env_spec: dict[str, Any], env_name: str | None) -> list[str]:
    """Workloads whose scenario or contexts need a platform the environment lacks."""
    named = []
    for subtask in config["subtasks"]:
        for wl in subtask["workloads"]:
            named.append(("scenario", wl["scenario_name"], wl["paths"]["workload"]))
            named += [("context", n, f"{wl['paths']['contexts']}.{n}") for n in wl["contexts"]]
    return missing_platforms(named, env_spec, env_name)


def missing_platforms(named: list[tuple[str, str, str]], env_spec: dict[str, Any], env_name: str | None) -> list[str]:
    """The ``(kind, name, path)`` plugins that need a platform the environment lacks, one error each."""
    have = set()
    for name in env_spec:
        cls = registry.find("platform", name)
        if cls is not None:
            have.add(cls.plugin_platform)
    where = f"environment '{env_name}'" if env_name else "no environment in use"
    errors = []
    for kind, name, path in named:
        cls = registry.find(kind, name)
        if cls is not None and cls.plugin_platform != "default" and cls.plugin_platform not in have:
            errors.append(f"{path}: {kind} {name} needs an environment with the "
                          f"'{cls.plugin_platform}' platform ({where}; see 'squall env create')")
    return errors


def validate(config: TaskConfig) -> None:
    """Raise InvalidTaskError listing every problem of the task."""
    errors: list[str] = []
    for subtask in config["subtasks"]:
        for wl in subtask["workloads"]:
            errors.extend(workload_errors(wl))
    if errors:
        raise exceptions.InvalidTaskError(errors)
