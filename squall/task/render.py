"""Turn the text of a task file into data: Jinja2 first, then YAML or JSON."""

from __future__ import annotations

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
        data = load_document(task_args, "--task-args")
        if data is not None and not isinstance(data, dict):
            raise exceptions.InvalidTaskError(["--task-args: must be a mapping, e.g. '{\"times\": 10}'"])
        merged.update(data or {})
    return merged


def render_template(text: str, args: dict[str, Any], source: str = "task file") -> str:
    """Render ``text`` as a Jinja2 template in the bounded sandbox; an undefined variable is an error."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return text  # nothing to render: spare the Jinja2 import on the one-iteration path
    import jinja2

    from squall.task import sandbox

    try:
        return sandbox.render(text, args)
    except jinja2.UndefinedError as exc:
        raise exceptions.InvalidTaskError(
            [f"{source}: template variable is undefined: {exc.message} (pass it with --task-args)"]
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise exceptions.InvalidTaskError(
            [f"{source}: template syntax error at line {exc.lineno}: {exc.message}"]
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


def load_task(text: str, args: dict[str, Any] | None = None, source: str = "task file") -> dict[str, Any]:
    """Render and parse a task file's text into a mapping."""
    rendered = render_template(text, args or {}, source)
    data = load_document(rendered, source)
    if not isinstance(data, dict):
        raise exceptions.InvalidTaskError([f"{source}: the top level must be a mapping, got {type(data).__name__}"])
    return data
