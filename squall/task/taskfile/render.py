"""Turn the text of a task file into data: Jinja2 first, then YAML or JSON."""

from __future__ import annotations

import math
import re
from typing import Any

from squall import bounded, exceptions


def load_document(text: str, source: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML) within limits; errors name line and column."""
    try:
        return bounded.load_yaml(text, source)
    except bounded.DocumentError as exc:
        raise exceptions.InvalidTaskError([str(exc)]) from None


def parse_task_args(task_args: str | None = None, task_args_file_content: str | None = None,
                    task_args_file_name: str = "task args file") -> dict[str, Any]:
    """Merge the args file's text, then ``--task-args`` (JSON or YAML mappings).

    The caller reads the file and passes its text: over HTTP files travel as
    content, never as a path on the server.
    """
    merged: dict[str, Any] = {}
    if task_args_file_content is not None:
        source = f"task args file {task_args_file_name}"
        data = load_document(task_args_file_content, source)
        if data is not None and not isinstance(data, dict):
            raise exceptions.InvalidTaskError([f"{source}: must be a mapping"])
        merged.update(data or {})
    if task_args:
        merged.update(_task_args_option(task_args))
    return merged


def _task_args_option(text: str) -> dict[str, Any]:
    """``--task-args``: a YAML or JSON mapping, or Rally's ``key=value,key=value`` (values as text)."""
    try:
        data = load_document(text, "--task-args")
    except exceptions.InvalidTaskError:
        data = text
    if isinstance(data, str):
        pairs = [piece.split("=", 1) for piece in text.split(",")]
        if all(len(pair) == 2 and pair[0].strip() for pair in pairs):
            return {key.strip(): value for key, value in pairs}
        if data is text:
            load_document(text, "--task-args")  # re-raise the YAML error, with its line
    if data is not None and not isinstance(data, dict):
        raise exceptions.InvalidTaskError(["--task-args: must be a mapping, e.g. '{\"times\": 10}' or 'times=10'"])
    return data or {}


# Rally 5.1.1 adds these four to Jinja2's globals; task files call them.
def _rally_min(a: Any, b: Any) -> Any:
    return min(a, b)


def _rally_max(a: Any, b: Any) -> Any:
    return max(a, b)


def _rally_round(x: Any) -> int:
    return int(round(x))


def _rally_ceil(x: Any) -> int:
    return int(math.ceil(x))


TEMPLATE_HELPERS: dict[str, Any] = {"min": _rally_min, "max": _rally_max, "round": _rally_round,
                                    "ceil": _rally_ceil}


def _given_a_default(name: str, text: str) -> bool:
    # Rally's rule, kept to the letter: '{% set x = x or 1 %}' and 'x | default(' make x optional.
    return bool(re.search(r"{%\s*set\s+" + name + r"\s*=\s*" + name + r"[^\w]+", text)
                or re.search(name + r"\s*\|\s*default\(", text))


def missing_variables(parsed: Any, env: Any, text: str, args: dict[str, Any]) -> list[str]:
    """Variables the parsed template uses that are neither given nor defaulted, by Rally 5.1.1's rule."""
    import builtins

    import jinja2.meta

    needed = jinja2.meta.find_undeclared_variables(parsed)
    known = set(args) | set(dir(builtins)) | set(env.globals)
    return sorted(name for name in needed - known if not _given_a_default(name, text))


def _undefined_message(source: str, names: list[str]) -> str:
    quoted = ", ".join(repr(n) for n in names)
    if len(names) == 1:
        return f"{source}: template variable is undefined: {quoted} (pass it with --task-args)"
    return f"{source}: template variables are undefined: {quoted} (pass them with --task-args)"


def has_markup(text: str) -> bool:
    """Whether ``text`` has any Jinja2 markup to render."""
    return "{{" in text or "{%" in text or "{#" in text


def render_template(text: str, args: dict[str, Any], source: str = "task file",
                    templates: dict[str, str] | None = None, seconds: float | None = None) -> str:
    """Render ``text`` as Rally does, in the bounded sandbox.

    As in Rally 5.1.1, a variable that is used but neither given nor
    defaulted in the template is an error, and one with a default renders
    as undefined (empty, false). ``templates`` holds the files it may
    include or import, by their path relative to the task file's folder.
    This runs in the calling process: :func:`load_task` renders in a bounded
    process of its own.
    """
    if not has_markup(text):
        return text  # nothing to render: spare the Jinja2 import on the one-iteration path
    import jinja2

    from squall.task.taskfile import sandbox

    def refuse_missing(parsed: Any, env: Any) -> None:
        missing = missing_variables(parsed, env, text, args)
        if missing:
            raise exceptions.InvalidTaskError([_undefined_message(source, missing)])

    try:
        return sandbox.render(text, args, loader=jinja2.DictLoader(templates or {}), globals_=TEMPLATE_HELPERS,
                              undefined=jinja2.Undefined, check=refuse_missing,
                              seconds=sandbox.RENDER_SECONDS if seconds is None else seconds)
    except jinja2.UndefinedError as exc:
        raise exceptions.InvalidTaskError(
            [f"{source}: template variable is undefined: {exc.message} (pass it with --task-args)"]
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise exceptions.InvalidTaskError(
            [f"{source}: template {exc.name!r} not found (it is read relative to the task file's folder)"]
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        where = f" in {exc.name}" if exc.name else ""
        raise exceptions.InvalidTaskError(
            [f"{source}: template syntax error{where} at line {exc.lineno}: {exc.message}"]
        ) from None
    except jinja2.sandbox.SecurityError as exc:
        raise exceptions.InvalidTaskError([f"{source}: refused by the template sandbox: {exc}"]) from None
    except jinja2.TemplateError as exc:
        raise exceptions.InvalidTaskError([f"{source}: template error: {exc}"]) from None
    except (sandbox.RenderLimitError, sandbox.RenderTimeout) as exc:
        raise exceptions.InvalidTaskError([f"{source}: template rendering stopped: {exc}"]) from None
    except RecursionError:
        raise exceptions.InvalidTaskError([f"{source}: template rendering stopped: recursion too deep"]) from None
    except (ArithmeticError, ValueError, TypeError, LookupError, AttributeError) as exc:
        raise exceptions.InvalidTaskError([f"{source}: template error: {type(exc).__name__}: {exc}"]) from None


def load_task(text: str, args: dict[str, Any] | None = None, source: str = "task file",
              templates: dict[str, str] | None = None, limits: Any = None) -> dict[str, Any]:
    """Render and parse a task file's text into a mapping.

    A file with Jinja2 markup is rendered and parsed in a process of its own,
    bounded in memory and time by the operating system (``isolated``, with
    ``limits``: an :class:`~squall.task.taskfile.isolated.RenderLimits`);
    plain YAML or JSON is parsed here, within the bounded loader's limits.
    """
    if has_markup(text):
        from squall.task.taskfile import isolated

        data = isolated.render_and_parse(text, args or {}, source, templates, limits)
    else:
        data = load_document(text, source)
    if not isinstance(data, dict):
        raise exceptions.InvalidTaskError([f"{source}: the top level must be a mapping, got {type(data).__name__}"])
    return data
