"""JSON-schema validation that reports each error with its exact path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jsonschema
from jsonschema import exceptions as js_exceptions


def format_path(prefix: str, parts: Iterable[Any]) -> str:
    """``prefix`` followed by ``.key`` and ``[index]`` parts."""
    text = prefix
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def _describe(error: js_exceptions.ValidationError) -> js_exceptions.ValidationError:
    # oneOf/anyOf errors say only "is not valid under any of the given
    # schemas"; the deepest, most relevant sub-error says what to fix.
    if error.context:
        best = js_exceptions.best_match(error.context)
        if best is not None:
            return _describe(best)
    return error


def collect(schema: dict[str, Any], data: Any, prefix: str) -> list[str]:
    """All violations of ``schema`` by ``data``, as ``path: message`` lines."""
    validator_cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    validator = validator_cls(schema)
    messages = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        detail = _describe(error)
        path = format_path(prefix, detail.absolute_path)
        messages.append(f"{path}: {detail.message}")
    return messages
