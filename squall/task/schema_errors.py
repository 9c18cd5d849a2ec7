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


def _branch_errors(error: js_exceptions.ValidationError) -> list[js_exceptions.ValidationError]:
    """The errors worth showing for one error, looking inside oneOf/anyOf.

    A oneOf error only says "is not valid under any of the given schemas".
    Branches whose discriminator (an ``enum``/``const`` property such as
    ``unit``) does not match are skipped; the remaining branch's own errors
    say what to fix. Without one clear branch, the most relevant error wins.
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[js_exceptions.ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    matching = [
        errs for errs in branches.values()
        if not any(e.validator in ("enum", "const") and len(e.relative_path) == 1 for e in errs)
    ]
    if len(matching) == 1:
        found: list[js_exceptions.ValidationError] = []
        for sub in matching[0]:
            found.extend(_branch_errors(sub))
        return found
    best = js_exceptions.best_match(error.context)
    return _branch_errors(best) if best is not None else [error]


def collect(schema: dict[str, Any], data: Any, prefix: str) -> list[str]:
    """All violations of ``schema`` by ``data``, as ``path: message`` lines."""
    validator_cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    validator = validator_cls(schema)
    messages = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        for detail in _branch_errors(error):
            messages.append(f"{format_path(prefix, detail.absolute_path)}: {detail.message}")
    return messages
