"""The parts of an HTTP journey's step: variables in templates, checks on an answer, values taken from it.

A template is any string of a step with ``${name}`` in it; a string that is
exactly ``${name}`` becomes the variable's value itself (a number stays a
number in a JSON body). A JSON path is ``$.items[0].id`` (or ``items.0.id``).
Every failure is a :class:`StepFailed` naming the step and what was wrong,
the error an iteration reports.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from squall.platforms.http.fastpath import Response

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PATH_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
_MISSING = object()
_SET_COOKIE = re.compile(rb"^set-cookie:", re.IGNORECASE | re.MULTILINE)


class StepFailed(Exception):
    """A journey step's request failed a check, or a value could not be taken from its answer."""


def variables_in(value: Any) -> set[str]:
    """The variable names a template (or a structure of them) uses."""
    if isinstance(value, str):
        return set(VARIABLE.findall(value))
    if isinstance(value, dict):
        return set().union(*(variables_in(k) | variables_in(v) for k, v in value.items())) if value else set()
    if isinstance(value, list):
        return set().union(*(variables_in(v) for v in value)) if value else set()
    return set()


def render(value: Any, variables: dict[str, Any], step: str) -> Any:
    """``value`` with every ``${name}`` replaced from ``variables``."""
    if isinstance(value, str):
        if "${" not in value:
            return value
        whole = VARIABLE.fullmatch(value)
        if whole is not None:
            return _lookup(whole.group(1), variables, step)
        return VARIABLE.sub(lambda m: str(_lookup(m.group(1), variables, step)), value)
    if isinstance(value, dict):
        return {render(k, variables, step): render(v, variables, step) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, variables, step) for v in value]
    return value


def _lookup(name: str, variables: dict[str, Any], step: str) -> Any:
    try:
        return variables[name]
    except KeyError:
        known = ", ".join(sorted(variables)) or "none"
        raise StepFailed(f"step '{step}': ${{{name}}} is not set (set: {known})") from None


@functools.lru_cache(maxsize=1024)  # a journey's paths are few: each is parsed once, not once per answer
def json_path_parts(path: str) -> tuple[str | int, ...]:
    """``$.items[0].id`` as ``("items", 0, "id")``; ValueError when it is not a path."""
    text = path.strip()
    text = text[1:] if text.startswith("$") else text
    parts: list[str | int] = []
    at = 0
    while at < len(text):
        found = _PATH_PART.match(text, at)
        if found is None or found.end() == at:
            raise ValueError(f"'{path}' is not a JSON path (write $.items[0].id)")
        key, index = found.groups()
        parts.append(int(index) if index is not None else (int(key) if key.isdigit() else key))
        at = found.end()
    return tuple(parts)


def follow(document: Any, parts: tuple[str | int, ...]) -> Any:
    """The value at ``parts`` in a decoded JSON document, or ``_MISSING``."""
    for part in parts:
        if isinstance(part, int) and isinstance(document, list) and -len(document) <= part < len(document):
            document = document[part]
        elif isinstance(document, dict) and str(part) in document:
            document = document[str(part)]
        else:
            return _MISSING
    return document


class Answer:
    """A response as checks and extractions read it: the body decoded once, when first needed."""

    def __init__(self, response: Response, duration: float, step: str) -> None:
        self.response = response
        self.duration = duration
        self.step = step
        self._text: str | None = None
        self._json: Any = _MISSING

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        if self._text is None:
            self._text = self.response.body.decode("utf-8", "replace")
        return self._text

    def json_at(self, path: str) -> Any:
        """The value at a JSON path of the body, or ``_MISSING``; StepFailed when the body is not JSON."""
        if self._json is _MISSING:
            try:
                self._json = json.loads(self.response.body)
            except ValueError:
                raise StepFailed(f"step '{self.step}': the answer is not JSON "
                                 f"({len(self.response.body)} bytes: {self.text[:80]!r})") from None
        return follow(self._json, json_path_parts(path))

    def cookies(self) -> dict[str, str]:
        """The cookies the answer sets (``Set-Cookie``: name and value; attributes are not kept)."""
        found: dict[str, str] = {}
        if _SET_COOKIE.search(self.response.head) is None:  # most answers set none: no header parsing for them
            return found
        for name, value in self.response.headers:
            if name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, sep, val = pair.partition("=")
                if sep:
                    found[key.strip()] = val.strip()
        return found


#: Counts one named check: (name, passed), as :meth:`squall.plugin_api.Scenario.check` does.
CountCheck = Callable[[str, bool], object]


def check_names(step: str, rules: dict[str, Any]) -> list[str]:
    """The names of a step's checks, ``step: what``, in the order :func:`check` judges them, from the rules as
    written: a ``${value}`` stays as it is, so one check keeps one name whatever values it meets."""
    names = []
    wanted = rules.get("status")
    if wanted is not None:
        names.append(f"status in {wanted}" if isinstance(wanted, list) and len(wanted) > 1 else
                     f"status is {wanted[0] if isinstance(wanted, list) else wanted}")
    names += [f"body {rule[5:]} {rules[rule]!r}" for rule in ("body_contains", "body_matches") if rule in rules]
    for path, expected in (rules.get("json") or {}).items():
        if isinstance(expected, dict) and set(expected) == {"exists"}:
            names.append(f"{path} {'exists' if expected['exists'] else 'is missing'}")
        else:
            names.append(f"{path} is {json.dumps(expected)}")
    names += [f"header {name} is {str(expected)!r}" for name, expected in (rules.get("header") or {}).items()]
    if rules.get("max_duration") is not None:
        names.append(f"duration <= {rules['max_duration']} s")
    return [f"{step}: {name}" for name in names]


def check(answer: Answer, rules: dict[str, Any], count: CountCheck | None = None,
          names: list[str] | None = None) -> None:
    """Every check of a step on its answer, each counted by ``count`` under its name (``names``, from
    :func:`check_names` of the rules as written; k6's checks); then StepFailed with the first that failed.
    Without a ``status`` rule, an answer of 400 or more fails (as Locust's and k6's HTTP failures count), not
    counted as a check of its own."""
    failures = _judged(answer, rules)
    if count is not None:
        for name, failure in zip(names if names is not None else check_names(answer.step, rules), failures,
                                 strict=False):
            count(name, failure is None)
    status = answer.response.status
    if "status" not in rules and status >= 400:
        raise StepFailed(f"step '{answer.step}': status {status}")
    for failure in failures:
        if failure is not None:
            raise StepFailed(f"step '{answer.step}': {failure}")


def _judged(answer: Answer, rules: dict[str, Any]) -> list[str | None]:
    """Each check's failure (None: it passed), in :func:`check_names`' order."""
    found: list[str | None] = []
    wanted = rules.get("status")
    if wanted is not None:
        status = answer.response.status
        found.append(None if status in (wanted if isinstance(wanted, list) else [wanted]) else
                     f"status {status}, expected {wanted}")
    if "body_contains" in rules:
        found.append(None if str(rules["body_contains"]) in answer.text else
                     f"the body does not contain {rules['body_contains']!r}")
    if "body_matches" in rules:
        found.append(None if re.search(rules["body_matches"], answer.text) is not None else
                     f"the body does not match {rules['body_matches']!r}")
    found += [_json_failure(answer, path, expected) for path, expected in (rules.get("json") or {}).items()]
    for name, expected in (rules.get("header") or {}).items():
        value = answer.response.header(name)
        found.append(None if value == str(expected) else f"header {name} is {value!r}, expected {str(expected)!r}")
    limit = rules.get("max_duration")
    if limit is not None:
        found.append(None if answer.duration <= limit else f"took {answer.duration:.4f}s, more than {limit}s")
    return found


def _json_failure(answer: Answer, path: str, expected: Any) -> str | None:
    try:
        found = answer.json_at(path)
    except StepFailed as exc:
        return str(exc).removeprefix(f"step '{answer.step}': ")
    if isinstance(expected, dict) and set(expected) == {"exists"}:
        if (found is not _MISSING) != bool(expected["exists"]):
            return f"{path} is {'missing' if found is _MISSING else f'present ({found!r})'}"
        return None
    if found is _MISSING or found != expected:
        return f"{path} is {'missing' if found is _MISSING else repr(found)}, expected {expected!r}"
    return None


def extract(answer: Answer, rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The variables a step takes from its answer; StepFailed when one is not there."""
    out: dict[str, Any] = {}
    for name, rule in rules.items():
        value: Any = _MISSING
        if "json" in rule:
            value = answer.json_at(rule["json"])
        elif "regex" in rule:
            match = re.search(rule["regex"], answer.text)
            if match is not None:
                value = match.group(int(rule.get("group", 1 if match.groups() else 0)))
        elif "header" in rule:
            value = answer.response.header(rule["header"])
            value = _MISSING if value is None else value
        elif "cookie" in rule:
            value = answer.cookies().get(rule["cookie"], _MISSING)
        if value is _MISSING:
            raise StepFailed(f"step '{answer.step}': no value for '{name}' ({_describe(rule)} not in the answer)")
        out[name] = value
    return out


def _describe(rule: dict[str, Any]) -> str:
    kind = next(k for k in ("json", "regex", "header", "cookie") if k in rule)
    return f"{kind} {rule[kind]!r}"
