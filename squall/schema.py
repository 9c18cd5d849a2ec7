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
    # A branch for another type ("0 is not of type 'object'") says nothing when one is for this type.
    typed = [errs for errs in branches.values()
             if not any(e.validator == "type" and not e.relative_path for e in errs)]
    if typed and len(typed) < len(branches):
        branches = dict(enumerate(typed))
    matching = [
        errs for errs in branches.values()
        if not any(e.validator in ("enum", "const") and len(e.relative_path) == 1 for e in errs)
    ]
    if not matching and len(branches) > 1:
        return _no_branch_matches(list(branches.values()))
    if len(matching) == 1:
        found: list[js_exceptions.ValidationError] = []
        for sub in matching[0]:
            found.extend(_branch_errors(sub))
        return found
    best = js_exceptions.best_match(error.context)
    return _branch_errors(best) if best is not None else [error]


def _no_branch_matches(branches: list[list[js_exceptions.ValidationError]]) -> list[js_exceptions.ValidationError]:
    """The discriminator's error with every allowed value, and the errors all branches share."""
    discriminators = [e for errs in branches for e in errs
                      if e.validator in ("enum", "const") and len(e.relative_path) == 1]
    first = discriminators[0]
    allowed: list[Any] = []
    for e in discriminators:
        if e.relative_path == first.relative_path:
            values: list[Any] = list(e.validator_value) if e.validator == "enum" else [e.validator_value]  # type: ignore[arg-type]
            allowed.extend(v for v in values if v not in allowed)
    combined = js_exceptions.ValidationError(
        f"{first.instance!r} is not one of {', '.join(map(repr, allowed))}", path=list(first.absolute_path),
        validator="enum", validator_value=allowed, instance=first.instance)
    # A property wrong in every branch is wrong whatever the discriminator becomes.
    paths = [{tuple(e.absolute_path) for e in errs if e not in discriminators} for errs in branches]
    common = set.intersection(*paths)
    shared: list[js_exceptions.ValidationError] = []
    for errs in branches:
        for e in errs:
            if tuple(e.absolute_path) in common and all(o.message != e.message for o in shared):
                shared.append(e)
    return [combined, *shared]


def _hint(detail: js_exceptions.ValidationError) -> str:
    wanted = str(detail.validator_value)
    if detail.validator == "type" and isinstance(detail.instance, str) and ("number" in wanted or "integer" in wanted):
        try:
            float(detail.instance)
        except ValueError:
            return ""
        return f" (YAML reads {detail.instance} as text: write it with a dot, e.g. 1.0e+308, to make it a number)"
    return ""


def collect(schema: dict[str, Any], data: Any, prefix: str) -> list[str]:
    """All violations of ``schema`` by ``data``, as ``path: message`` lines."""
    validator_cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    validator = validator_cls(schema)
    messages = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        for detail in _branch_errors(error):
            messages.append(f"{format_path(prefix, detail.absolute_path)}: {detail.message}{_hint(detail)}")
    return messages
