"""Files the CLI reads itself, so a remote service gets their content, not a local path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from squall import bounded, exceptions


def read_text(path: Path | str, what: str = "file", limit: int = bounded.MAX_FILE_BYTES) -> str:
    """The file's UTF-8 text, within the size limit; a clear error when it cannot be read."""
    return bounded.read_text(path, what, limit)


def read_yaml(path: Path | str, what: str = "file") -> Any:
    """The file parsed as YAML (or JSON) within limits; a clear error when it is neither."""
    text = read_text(path, what)
    try:
        return bounded.load_yaml(text, str(path))
    except bounded.DocumentError as exc:
        raise exceptions.InvalidConfigError(str(exc)) from None
