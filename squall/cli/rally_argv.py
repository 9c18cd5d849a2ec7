"""Rally's ways of naming the object of a command, rewritten into squall's before parsing.

Rally 5.1.1 takes the object of most commands either as a positional
argument or as a flag (``rally task report --uuid X`` and ``rally task
report X``; ``rally verify show X`` and ``--uuid X``; ``rally env show --env
NAME``), and several tags after one ``--tag``. squall's commands take one of
the two forms; this module turns the other into it, by the command's own
parameters (read from the parsed command tree), so a Rally user's scripts run
unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

# The flags Rally accepts for each command's object, by group and command.
_TASK_UUID = ("restart", "abort", "status", "detailed", "results", "report", "delete", "sla-check", "use", "export",
              "hooks")
_VERIFY_ID = ("use-verifier", "show-verifier", "delete-verifier", "update-verifier", "configure-verifier",
              "list-verifier-tests", "add-verifier-ext", "list-verifier-exts", "delete-verifier-ext", "start",
              "import")
RALLY_OBJECT_FLAGS: dict[tuple[str, str], tuple[str, ...]] = {
    **{("task", c): ("--uuid",) for c in _TASK_UUID},
    ("task", "start"): ("--task", "--filename"),
    ("task", "validate"): ("--task", "--filename"),
    **{("verify", c): ("--id",) for c in _VERIFY_ID},
    **{("verify", c): ("--uuid",) for c in ("use", "rerun", "show", "delete", "report")},
    **{("env", c): ("--env",) for c in ("cleanup", "destroy", "delete", "show", "info", "check", "use")},
    **{("deployment", c): ("--deployment",) for c in ("recreate", "destroy", "config", "show", "check", "use")},
    ("plugin", "show"): ("--name",),
}
#: Options that take every word after them, as Rally's (``--tag a b``): up to the next option, or a word that
#: names an existing file (a task file after the tags).
VARIADIC_TAGS = {("task", "start"), ("task", "validate"), ("task", "list"), ("task", "trends")}


def rewrite(root: Any, argv: list[str]) -> list[str]:
    """``argv`` with Rally's spellings of a command's object turned into the form the squall command takes.

    ``root`` is the parsed command tree (typer's group: ``commands`` by name, each with its ``params``)."""
    start = _command_start(root, argv)
    if start is None:
        return argv
    command = getattr(root.commands[argv[start]], "commands", {}).get(argv[start + 1])
    if command is None:
        return argv
    key = (argv[start], argv[start + 1])
    head, tail = argv[:start + 2], argv[start + 2:]
    if key in VARIADIC_TAGS:
        tail = spread_values(tail, ("--tag",), ends=os.path.isfile)
    flags = [f for f in RALLY_OBJECT_FLAGS.get(key, ()) if f not in _option_names(command)]
    positional = any(p.param_type_name == "argument" for p in command.params)
    if flags and positional:
        tail = _flags_to_positionals(tail, flags)
    elif not positional:
        own = [f for f in RALLY_OBJECT_FLAGS.get(key, ()) if f in _option_names(command)]
        if own:
            tail = _positionals_to_flag(tail, own[0], _value_options(command))
    return head + tail


def _command_start(root: Any, argv: list[str]) -> int | None:
    """Where the group's name is in ``argv``, past the global options and their values."""
    takes_value = _value_options(root)
    i = 0
    while i < len(argv) - 1:
        word = argv[i]
        if word in root.commands:
            return i
        if not word.startswith("-"):
            return None
        i += 2 if word in takes_value else 1
    return None


def _option_names(command: Any) -> set[str]:
    return {name for p in command.params if p.param_type_name == "option" for name in p.opts + p.secondary_opts}


def _value_options(command: Any) -> set[str]:
    return {name for p in command.params if p.param_type_name == "option" and not p.is_flag and not p.count
            for name in p.opts}


def _flags_to_positionals(tail: list[str], flags: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tail):
        word = tail[i]
        name, eq, value = word.partition("=")
        if eq and name in flags:
            out.append(value)
        elif word in flags and i + 1 < len(tail):
            out.append(tail[i + 1])
            i += 1
        else:
            out.append(word)
        i += 1
    return out


def _positionals_to_flag(tail: list[str], flag: str, takes_value: set[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tail):
        word = tail[i]
        if word in takes_value and i + 1 < len(tail):
            out += [word, tail[i + 1]]
            i += 2
            continue
        out += [flag, word] if not word.startswith("-") or word == "-" else [word]
        i += 1
    return out


def spread_values(words: list[str], flags: tuple[str, ...], ends: Callable[[str], bool] | None = None) -> list[str]:
    """``words`` with every value after one of ``flags`` given its own flag (``--tag a b`` -> ``--tag a --tag
    b``), up to the next option or a word for which ``ends`` is true. A flag with no value is kept, so the
    parser says so."""
    out: list[str] = []
    current: str | None = None  # the flag whose values are being spread
    pending = False  # it has taken no value yet
    for word in words:
        if word in flags:
            if pending:
                out.append(str(current))
            current, pending = word, True
            continue
        if current is not None and not word.startswith("-") and not (ends is not None and ends(word)):
            out += [current, word]
            pending = False
            continue
        if pending:
            out.append(str(current))
        current, pending = None, False
        out.append(word)
    if pending:
        out.append(str(current))
    return out
