"""Files the CLI reads itself, so a remote service gets their content, not a local path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from squall import exceptions


def read_text(path: Path | str, what: str = "file") -> str:
    """The file's text; a clear error when it cannot be read."""
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise exceptions.InvalidArgumentsError(f"cannot read {what} {path}: {exc.strerror}") from None


def read_yaml(path: Path | str, what: str = "file") -> Any:
    """The file parsed as YAML (or JSON); a clear error when it is neither."""
    text = read_text(path, what)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise exceptions.InvalidConfigError(f"{path}: not valid YAML/JSON: {exc}") from None
