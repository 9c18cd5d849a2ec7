"""Files the CLI reads itself, so a remote service gets their content, not a local path."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from squall import bounded, exceptions


def read_text(path: Path | str, what: str = "file", limit: int = bounded.MAX_FILE_BYTES) -> str:
    """The file's UTF-8 text, within the size limit; a clear error when it cannot be read. ``-`` is standard
    input (as Rally's task and args files), read within the same limit."""
    if str(path) == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise exceptions.InvalidArgumentsError(f"{what} on standard input is larger than the limit of "
                                                   f"{limit:,} bytes")
        return bounded.decode_utf8(data, f"{what} on standard input")
    return bounded.read_text(path, what, limit)


def write_text(path: Path, content: str) -> None:
    """Write a file the user asked for (its missing folders made); a clear error (exit 1) when it cannot be
    written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    except OSError as exc:
        raise exceptions.InvalidArgumentsError(f"cannot write {path}: {exc.strerror}") from None


def read_yaml(path: Path | str, what: str = "file") -> Any:
    """The file parsed as YAML (or JSON) within limits; a clear error when it is neither."""
    text = read_text(path, what)
    try:
        return bounded.load_yaml(text, str(path))
    except bounded.DocumentError as exc:
        raise exceptions.InvalidConfigError(str(exc)) from None


MAX_TEMPLATES = 256  # files one task file may include or import, all told
_REFERENCE = re.compile(r"{%-?\s*(?:include|import|from|extends)\b")


def referenced_templates(text: str) -> set[str]:
    """Names a template includes or imports, as far as they are known without rendering it."""
    if not _REFERENCE.search(text):
        return set()
    import jinja2
    import jinja2.meta

    try:  # parsing runs nothing of the template
        names = jinja2.meta.find_referenced_templates(jinja2.Environment().parse(text))
    except jinja2.TemplateSyntaxError:
        return set()  # the render reports it, with its line
    return {name for name in names if name}


def read_templates(task_file: Path, text: str) -> dict[str, str] | None:
    """The files a task template includes or imports, read from its folder, by name.

    Names are resolved as Rally resolves them: relative to the task file's
    folder, for the task file and every file it pulls in. A name that is
    only known when the template renders cannot be read ahead; the render
    then says it was not found.
    """
    folder = task_file.parent
    found: dict[str, str] = {}
    pending = list(referenced_templates(text))
    while pending:
        name = pending.pop()
        if name in found:
            continue
        parts = Path(name).parts
        if Path(name).is_absolute() or ".." in parts:
            raise exceptions.InvalidTaskError([f"{task_file}: template {name!r} must be a path inside "
                                               f"the task file's folder {folder}"])
        if len(found) >= MAX_TEMPLATES:
            raise exceptions.InvalidTaskError([f"{task_file}: more than {MAX_TEMPLATES} templates included"])
        path = folder / name
        if not path.is_file():
            continue  # the render names it, with the file that wanted it
        found[name] = read_text(path, "template")
        pending.extend(referenced_templates(found[name]))
    return found or None
