"""Turn the text of a task file into data: Jinja2 first, then YAML or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from squall import exceptions


def _yaml_error(source: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{source}: YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"{source}: YAML syntax error: {problem}"


def load_document(text: str, source: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML); errors name line and column."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise exceptions.InvalidTaskError([_yaml_error(source, exc)]) from None


def parse_task_args(task_args: str | None = None, task_args_file: str | None = None,
                    task_args_file_content: str | None = None) -> dict[str, Any]:
    """Merge ``--task-args-file`` then ``--task-args`` (JSON or YAML mappings).

    The file is read here from ``task_args_file``, or its text was read by the
    caller (``task_args_file_content``, as a remote CLI sends it).
    """
    merged: dict[str, Any] = {}
    if task_args_file or task_args_file_content is not None:
        path = Path(task_args_file or "task args file")
        if task_args_file_content is not None:
            text = task_args_file_content
        else:
            try:
                text = path.read_text()
            except OSError as exc:
                raise exceptions.InvalidTaskError([f"task args file {path}: {exc.strerror}"]) from None
        data = load_document(text, f"task args file {path}")
        if data is not None and not isinstance(data, dict):
            raise exceptions.InvalidTaskError([f"task args file {path}: must be a mapping"])
        merged.update(data or {})
    if task_args:
        data = load_document(task_args, "--task-args")
        if data is not None and not isinstance(data, dict):
            raise exceptions.InvalidTaskError(["--task-args: must be a mapping, e.g. '{\"times\": 10}'"])
        merged.update(data or {})
    return merged


def render_template(text: str, args: dict[str, Any], source: str = "task file") -> str:
    """Render ``text`` as a Jinja2 template; an undefined variable is an error."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return text  # nothing to render: spare the Jinja2 import on the one-iteration path
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        return env.from_string(text).render(**args)
    except jinja2.UndefinedError as exc:
        raise exceptions.InvalidTaskError(
            [f"{source}: template variable is undefined: {exc.message} (pass it with --task-args)"]
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise exceptions.InvalidTaskError(
            [f"{source}: template syntax error at line {exc.lineno}: {exc.message}"]
        ) from None
    except jinja2.TemplateError as exc:
        raise exceptions.InvalidTaskError([f"{source}: template error: {exc}"]) from None


def load_task(text: str, args: dict[str, Any] | None = None, source: str = "task file") -> dict[str, Any]:
    """Render and parse a task file's text into a mapping."""
    rendered = render_template(text, args or {}, source)
    data = load_document(rendered, source)
    if not isinstance(data, dict):
        raise exceptions.InvalidTaskError([f"{source}: the top level must be a mapping, got {type(data).__name__}"])
    return data


def dump_json(data: Any) -> str:
    """Pretty JSON for task files shown back to users."""
    return json.dumps(data, indent=2, sort_keys=False)
